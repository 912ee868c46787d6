import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every text detect.ts claims quotes CloudWatch Logs' ResourceNotFoundException. */
const mentionsMissingGroup = /log group does not exist/i;

/**
 * Seed footgun 7. The mission text says logs are silently dropped; in reality
 * the awslogs driver cannot create its stream, so the task fails to start
 * (ResourceInitializationError on Fargate 1.4+, CannotStartContainerError on
 * EC2 and Fargate ≤1.3).
 */
export default defineRule({
  meta: {
    id: 'log-group-missing',
    title: 'The CloudWatch log group in the task definition does not exist',
    seed: 7,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      '"ResourceNotFoundException: The specified log group does not exist" in a stoppedReason (ResourceInitializationError) or container reason (CannotStartContainerError)',
    checks: [
      "each container's awslogs-group from the task definition",
      'which of those groups exist (logs:DescribeLogGroups)',
      'whether awslogs-create-group is set, and then whether the task execution role may logs:CreateLogGroup on each missing group (one iam:SimulatePrincipalPolicy)',
    ],
    needs: ['ecs:DescribeTaskDefinition', 'logs:DescribeLogGroups', 'iam:SimulatePrincipalPolicy'],
    causes: [],
    autoFix: 'log-group',
  },

  applies: (signal) => mentionsMissingGroup.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
