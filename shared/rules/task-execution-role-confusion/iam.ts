/**
 * IAM helpers shared by the role rules (task-execution-role-confusion and
 * secrets-pull-failure): who a denied principal is, and the exact commands
 * that grant a role what it lacks.
 */
import { parseArn } from '../../arn';
import type { Signal } from '../../events/signals';
import { shellArg } from '../text';

/** The role name of an IAM role ARN (`…:role/path/name`) or an STS assumed-role ARN (`…:assumed-role/name/session`). */
export function roleNameOf(arn: string | undefined): string | undefined {
  const resource = parseArn(arn)?.resource;
  if (!resource) return undefined;
  if (resource.startsWith('assumed-role/')) return resource.split('/')[1] || undefined;
  if (resource.startsWith('role/')) return resource.split('/').pop() || undefined;
  return undefined;
}

/**
 * Who holds the credentials of an `assumed-role/<role>/<session>` principal.
 * ECS names task-role and execution-role sessions after the task (a 32-hex task
 * id, or a UUID on older agents); EC2 instance profiles name them after the
 * instance (`i-0abc…`). Anything else (a Lambda function name, a user) is not ECS.
 */
export type SessionKind = 'ecs-task' | 'ec2-instance' | 'other';

export function sessionKind(principal: string | undefined): SessionKind {
  const resource = parseArn(principal)?.resource;
  if (!resource?.startsWith('assumed-role/')) return 'other';
  const session = resource.split('/')[2] ?? '';
  if (/^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.test(session)) return 'ecs-task';
  if (/^i-[0-9a-f]{8,17}$/i.test(session)) return 'ec2-instance';
  return 'other';
}

/** The resource an IAM denial names: "… is not authorized to perform: <action> on resource: <arn>". */
export function deniedResource(text: string): string | undefined {
  const match = /not authorized to perform:?\s*[a-z0-9-]+:[A-Za-z0-9*]+\s+on resource:?\s*([^\s"']+)/i.exec(text);
  return match?.[1]?.replace(/[.,;:]+$/, '');
}

/** The trust policy that lets ECS tasks assume a role (task role and task execution role alike). */
export const ecsTasksTrustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** `aws iam put-role-policy` granting `actions` on `resources` to a role; placeholders stay readable. */
export function putRolePolicy(
  role: string | undefined,
  rolePlaceholder: string,
  policyName: string,
  actions: readonly string[],
  resources: readonly string[],
): string {
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: resources.length === 1 ? resources[0] : resources,
      },
    ],
  });
  return `aws iam put-role-policy --role-name ${shellArg(role, rolePlaceholder)} --policy-name ${policyName} --policy-document ${shellArg(document, 'policy')}`;
}

/** The task definition a signal is about, when it carries one (task events). */
export function taskDefinitionArnOf(signal: Signal): string | undefined {
  return 'task' in signal ? signal.task.taskDefinitionArn : undefined;
}
