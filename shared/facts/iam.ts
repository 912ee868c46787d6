/**
 * IAM facts for the rules about roles: who a denied principal is, what the
 * policy simulator decides for a role, and the exact commands that grant a
 * role what it lacks.
 */
import { createHash } from 'node:crypto';
import type { OrganizationsDecisionDetail, ResourceSpecificResult } from '@aws-sdk/client-iam';
import { parseArn } from '../arn';
import type { Signal } from '../events/signals';
import type { InvestigationContext } from '../rules/rule';
import { shellArg } from '../rules/text';

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
  // Sentence punctuation goes, but a log-group ARN's own trailing ":log-stream:" (every stream of the group) stays.
  const resource = match?.[1]?.replace(/[.,;]+$/, '');
  return resource && !/:log-stream:$/.test(resource) ? resource.replace(/:+$/, '') : resource;
}

/** The trust policy that lets ECS tasks assume a role (task role and task execution role alike). */
export const ecsTasksTrustStatement = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };
export const ecsTasksTrustPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [ecsTasksTrustStatement] });

/**
 * The name of an inline policy ecs-medic owns: its purpose and a hash of the document. Pasting the
 * command twice writes the same document under the same name, and it can never replace a policy
 * the role already has under another document (PutRolePolicy overwrites a name that exists).
 */
export function ownedPolicyName(purpose: string, document: string): string {
  return `ecs-medic-${purpose}-${createHash('sha256').update(document).digest('hex').slice(0, 12)}`;
}

/** `aws iam put-role-policy` granting `actions` on `resources` to a role, under a name ecs-medic owns; placeholders stay readable. */
export function putRolePolicy(
  role: string | undefined,
  rolePlaceholder: string,
  purpose: string,
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
  return `aws iam put-role-policy --role-name ${shellArg(role, rolePlaceholder)} --policy-name ${ownedPolicyName(purpose, document)} --policy-document ${shellArg(document, 'policy')}`;
}

/** The task definition a signal is about, when it carries one (task events). */
export function taskDefinitionArnOf(signal: Signal): string | undefined {
  return 'task' in signal ? signal.task.taskDefinitionArn : undefined;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** One (action, resource) answer of the IAM policy simulator. */
export interface SimulatedDecision {
  decision: Decision;
  /** Condition keys the policies use that the simulation was not given: a denial may then be the condition's doing. */
  missingContext: string[];
  /** Denied by the role's permissions boundary or an Organizations SCP rather than its own policies. */
  deniedBy: 'permissions boundary' | 'service control policy' | undefined;
  /** Ids of the policies whose statements decided it (a Deny's policy, or the allowing ones). */
  policies: string[];
}

export interface Simulation {
  /** The decision for one action on one of the simulated resources; undefined when the response does not say. */
  decision(action: string, resource: string): SimulatedDecision | undefined;
}

/**
 * Simulates a role's identity-based policies (plus its permissions boundary and
 * SCPs) for every action on every resource, in ONE iam:SimulatePrincipalPolicy
 * call. The simulator returns one EvaluationResult per action whose top-level
 * decision is the most restrictive across the resources, so per-resource
 * decisions are read from ResourceSpecificResults; the older one-result-per-
 * resource form (top-level EvalResourceName = the ARN) is read too.
 * Key policies and secret resource policies are NOT evaluated by it.
 */
export async function simulate(
  context: InvestigationContext,
  roleArn: string,
  actions: readonly string[],
  resources: readonly string[],
  purpose: string,
): Promise<Simulation | undefined> {
  const output = await context.read(
    'iam:SimulatePrincipalPolicy',
    { PolicySourceArn: roleArn, ActionNames: [...actions], ResourceArns: [...resources] },
    purpose,
  );
  if (!output) return undefined;
  if (output.IsTruncated) context.unchecked(`${purpose}: every result`, 'the simulator truncated its answer');
  const results = output.EvaluationResults ?? [];
  return {
    decision(action, resource) {
      const forAction = results.filter((r) => r.EvalActionName?.toLowerCase() === action.toLowerCase());
      for (const result of forAction) {
        const specific = result.ResourceSpecificResults?.find((s) => s.EvalResourceName === resource);
        if (specific?.EvalResourceDecision) {
          // SCP details are only reported per action, not per resource.
          return decisionOf(specific.EvalResourceDecision, specific, result.OrganizationsDecisionDetail);
        }
      }
      // The older form; or one resource only, where the aggregate is that resource's decision.
      const legacy = forAction.find((r) => r.EvalResourceName === resource) ?? (resources.length === 1 && resources[0] === resource ? forAction[0] : undefined);
      return legacy?.EvalDecision ? decisionOf(legacy.EvalDecision, legacy, legacy.OrganizationsDecisionDetail) : undefined;
    },
  };
}

function decisionOf(
  decision: string,
  result: Pick<ResourceSpecificResult, 'MissingContextValues' | 'MatchedStatements' | 'PermissionsBoundaryDecisionDetail'>,
  organizations: OrganizationsDecisionDetail | undefined,
): SimulatedDecision {
  const denied = decision !== 'allowed';
  return {
    decision: decision as Decision,
    missingContext: result.MissingContextValues ?? [],
    deniedBy: !denied
      ? undefined
      : result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false
        ? 'permissions boundary'
        : organizations?.AllowedByOrganizations === false
          ? 'service control policy'
          : undefined,
    policies: [...new Set((result.MatchedStatements ?? []).map((s) => s.SourcePolicyId).filter((id): id is string => !!id))],
  };
}

/** One line: "allowed by P", "implicitDeny: no policy allows it", "explicitDeny: a Deny statement in P"… */
export function describeDecision(d: SimulatedDecision): string {
  const policies = d.policies.join(', ');
  const text =
    d.decision === 'allowed'
      ? policies
        ? `allowed by ${policies}`
        : 'allowed'
      : d.deniedBy
        ? `${d.decision}: denied by the role's ${d.deniedBy}`
        : d.decision === 'explicitDeny'
          ? `explicitDeny: a Deny statement${policies ? ` in ${policies}` : ''}`
          : 'implicitDeny: no policy allows it';
  return d.missingContext.length > 0 ? `${text} (the policies test ${d.missingContext.join(', ')}, not given to the simulation)` : text;
}
