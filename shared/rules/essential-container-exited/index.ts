import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** The text detect.ts claims; the stop code alone counts too. */
const mentionsEssential = /Essential container/i;

/**
 * The catch-all for "Essential container in task exited" (stopCode
 * EssentialContainerExited): it names what the exit code says and where the
 * logs are. A `fallback`, so it steps aside when a specific rule (an OOM kill,
 * a start failure) explains the same event.
 */
export default defineRule({
  meta: {
    id: 'essential-container-exited',
    title: 'An essential container exited and stopped the task',
    seed: null,
    severity: 'warning',
    signals: ['text', 'task-stopped'],
    triggers:
      '"Essential container in task exited" (stopCode EssentialContainerExited) with a non-zero container exit code; only when no more specific rule explains the stop',
    checks: [
      'which container exited first, and what its exit code means (1 error, 126/127 command, 137 SIGKILL, 139 segfault, 143 SIGTERM)',
      "the container's awslogs group and stream prefix, for the exact log command (ecs:DescribeTaskDefinition)",
      'its stopTimeout when it was killed (137)',
    ],
    needs: ['ecs:DescribeTaskDefinition'],
    causes: ['application-error', 'not-executable', 'command-not-found', 'killed', 'segfault', 'terminated', 'signal'],
    autoFix: null,
  },

  applies: (signal) => mentionsEssential.test(signal.text) || (signal.kind === 'task-stopped' && signal.task.stopCode === 'EssentialContainerExited'),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
