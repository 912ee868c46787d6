import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every text detect.ts claims contains one of these. */
const mentionsExec = /execute command|TargetNotConnectedException|ecs:ExecuteCommand|Failed to start pty/i;

/**
 * Seed footgun 5. ECS Exec fails with a handful of texts that each hide
 * several causes; the checks follow aws-containers/amazon-ecs-exec-checker,
 * driven by the failed ExecuteCommand call instead of a local CLI.
 */
export default defineRule({
  meta: {
    id: 'ecs-exec-not-ready',
    title: 'ECS Exec (aws ecs execute-command) cannot open a session in the task',
    seed: 5,
    severity: 'warning',
    signals: ['api-call', 'text'],
    triggers:
      'A failed ExecuteCommand call (CloudTrail) or pasted error: InvalidParameterException "execute command was not enabled when the task was run…", TargetNotConnectedException "…failed due to an internal error", AccessDenied on ecs:ExecuteCommand, "Unable to start command: Failed to start pty"',
    checks: [
      "the task's enableExecuteCommand and ExecuteCommandAgent status (DescribeTasks)",
      "the service's enableExecuteCommand, to catch tasks started before it was turned on (DescribeServices)",
      'Fargate platform ≥ 1.4.0, or EC2 agent ≥ 1.50.2 (DescribeContainerInstances)',
      'the task role and AWS_ACCESS_KEY_ID in container environments (DescribeTaskDefinition)',
      'an ssmmessages VPC endpoint where the VPC uses endpoints (DescribeSubnets, DescribeVpcEndpoints)',
    ],
    needs: [
      'ecs:DescribeTasks',
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
      'ecs:DescribeContainerInstances',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcEndpoints',
    ],
    causes: ['not-enabled', 'agent-not-running', 'task-role-permissions', 'static-credentials', 'network', 'caller-permissions', 'command-not-found'],
    autoFix: null,
  },
  applies: (signal) => (signal.kind === 'text' ? mentionsExec.test(signal.text) : signal.detail.eventName === 'ExecuteCommand' && Boolean(signal.detail.errorCode)),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
