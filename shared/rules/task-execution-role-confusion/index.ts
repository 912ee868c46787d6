import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every text detect.ts claims names a denial, a role or a 403 (detect.ts leaves a secrets fetch to secrets-pull-failure). */
const mentionsRoleWords = /authorized|AccessDenied|role|403 Forbidden/i;

/**
 * Seed footgun 1. ECS runs a task with two identities and people put
 * permissions on the wrong one. The execution role (executionRoleArn) is the
 * ECS agent's: it pulls the image from ECR, fetches secrets and creates the
 * awslogs stream before the container starts. The task role (taskRoleArn) is
 * the application's, for its own AWS calls; without one, an SDK on EC2 falls
 * back to the instance profile (principal `assumed-role/<role>/i-0abc…`).
 * Secrets denials are secrets-pull-failure (more specific); non-ECR registry
 * auth is image-pull-failure.
 */
export default defineRule({
  meta: {
    id: 'task-execution-role-confusion',
    title: 'A permission is on the wrong ECS role (execution role vs task role)',
    seed: 1,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action', 'api-call'],
    triggers:
      'ECR or awslogs AccessDenied for the agent, CannotPullContainerError 403 Forbidden from an ECR host, "requires task definition to have execution role ARN" and RegisterTaskDefinition\'s other ClientExceptions for a missing executionRoleArn (container secrets, private registry authentication) or "Role is not valid", an application AccessDenied whose principal is a task session (or an ECS instance role), "ECS was unable to assume the role", or a RegisterTaskDefinition with the same role twice',
    checks: [
      'the executionRoleArn and taskRoleArn of the task definition (ecs:DescribeTaskDefinition): missing, the same, and which one the denied principal is',
      'whether the role that needs the denied action (for a 403 from ECR: the pull actions on the repository) is allowed it, and whether the other role is instead: the permission on the wrong role (iam:SimulatePrincipalPolicy, once per role)',
    ],
    needs: ['ecs:DescribeTaskDefinition', 'iam:SimulatePrincipalPolicy'],
    causes: ['execution-role-permissions', 'task-role-permissions', 'same-role', 'trust-policy'],
    autoFix: null,
  },

  applies: (signal) =>
    (signal.kind === 'api-call' && signal.detail.eventName === 'RegisterTaskDefinition') || mentionsRoleWords.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
