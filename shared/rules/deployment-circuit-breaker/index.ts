import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every failure or rollback text detect.ts claims contains one of these. */
const mentionsBreaker = /deployment failed|circuit breaker|rolling back to deployment/i;

/**
 * A deployment that ECS marked FAILED: its circuit breaker counted too many
 * tasks that failed to start (or a deployment alarm fired), and with rollback
 * on ECS is restoring the last completed deployment.
 *
 * One failed deployment is one incident: the failure and the rollback that
 * follows it (two events, same evidence) get the same cause, so the same
 * fingerprint. The cause says what failed the deployment; the rollback is a
 * fact of the finding, not a cause. The finding names the root cause itself:
 * the failed tasks' stop reasons go through the other rules (context.classify).
 */
export default defineRule({
  meta: {
    id: 'deployment-circuit-breaker',
    title: 'A service deployment failed (circuit breaker or alarm)',
    seed: null,
    severity: 'critical',
    signals: ['deployment', 'service-action', 'text'],
    triggers:
      'SERVICE_DEPLOYMENT_FAILED ("ECS deployment circuit breaker: task failed to start.", or a deployment alarm) and the rollback SERVICE_DEPLOYMENT_IN_PROGRESS that follows it ("… rolling back to deploymentId …"), one incident for both; service events "deployment failed: tasks failed to start." / "deployment failed: alarm detected." / "rolling back to deployment …"',
    checks: [
      "the service's deployments: which one failed (rollout state and reason, failed task count, task definition) and which one ECS rolls back to",
      'the latest service event messages',
      "the failed deployment's stopped tasks (one ecs:ListTasks of the service's stopped tasks, one ecs:DescribeTasks batch of at most 100): their stoppedReasons and container reasons, run through the other rules to name the root cause, its explanation and fix",
      'whether circuit-breaker rollback or deployment alarms are on',
    ],
    needs: ['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks'],
    causes: ['tasks-failed-to-start', 'alarm'],
    autoFix: null,
  },

  applies: (signal) =>
    signal.kind === 'text'
      ? mentionsBreaker.test(signal.text)
      : signal.detail.eventName === 'SERVICE_DEPLOYMENT_FAILED' || signal.detail.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS',
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
