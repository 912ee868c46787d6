import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every platform error text detect.ts claims contains one of these. */
const mentionsPlatform =
  /PlatformUnknownException|platform (version )?does not exist|PlatformTaskDefinitionIncompatibilityException|requested capabilities are not supported|satisfy the required capabilities/i;

/**
 * Seed footgun 10, framed as reproducibility, not "LATEST is bad": Security
 * Hub ECS.10 and checkov CKV_AWS_332 rightly push services to the latest
 * platform. The risks this rule names are: a LATEST that resolves differently
 * for tasks started at different times (it moved from 1.3.0 to 1.4.0 on
 * 2021-03-19), tasks of one service on different versions, and versions
 * pinned below the current one.
 *
 * Noise: a RUNNING task on the current version is never claimed; only a
 * RUNNING Fargate task below the current version is, and investigate then
 * compares it with its service's other tasks (one ListTasks + one DescribeTasks).
 */
export default defineRule({
  meta: {
    id: 'platform-version-drift',
    title: 'Fargate platform version is unpinned, mixed within a service, or behind the current one',
    seed: 10,
    severity: 'info',
    signals: ['api-call', 'task-state', 'text'],
    triggers:
      'CloudTrail CreateService/UpdateService/RunTask for Fargate with platformVersion LATEST or unset (info) or pinned below the current version; a RUNNING Fargate task whose resolved platformVersion is below the current one; the API errors PlatformUnknownException (critical) and PlatformTaskDefinitionIncompatibilityException (critical), failed calls or pasted texts',
    checks: [
      "the service's requested platform version (DescribeServices)",
      "the resolved platformVersion of each of the service's running tasks (one ListTasks + one DescribeTasks), to find mixed versions",
    ],
    needs: ['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks'],
    causes: ['unpinned', 'behind-latest', 'mixed-versions', 'unknown-version'],
    autoFix: null,
  },

  applies: (signal) => {
    if (signal.kind === 'api-call') return true;
    // A task is judged once, RUNNING, by the version it runs on.
    if (signal.kind === 'task-state') return signal.task.lastStatus === 'RUNNING' && Boolean(signal.task.platformVersion);
    return mentionsPlatform.test(signal.text);
  },
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
