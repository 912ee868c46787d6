import type { SignalOf } from '../../events/signals';
import type { Evidence } from '../../findings';
import type { InvestigationContext, Refinement } from '../rule';
import {
  describeDecision,
  roleNameOf,
  simulate,
  taskDefinitionArnOf,
} from '../../facts/iam';
import { type Cause, explanationFor, fixFor, type RoleDetection, type RoleFacts } from './detect';

interface RoleCheck {
  action: string;
  resource: string;
}

const ecrPull = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

/**
 * What the ECS agent was refused, as (action, resource) pairs: the denied
 * action on the resource the text names; for a bare 403 from ECR, the pull
 * actions on the repository plus ecr:GetAuthorizationToken (whose resource is
 * always "*"). A pair without a known resource is not simulated: against "*"
 * a policy scoped to the real resource would look like a denial.
 */
function agentChecks(f: RoleFacts): RoleCheck[] {
  const repository = f.repository && `arn:aws:ecr:${f.repository.region}:${f.repository.account}:repository/${f.repository.name}`;
  if (f.action) {
    const resource = f.action.toLowerCase() === 'ecr:getauthorizationtoken' ? '*' : (f.resource ?? repository);
    return resource ? [{ action: f.action, resource }] : [];
  }
  if (!repository) return [];
  return [{ action: 'ecr:GetAuthorizationToken', resource: '*' }, ...ecrPull.map((action) => ({ action, resource: repository }))];
}

/**
 * Simulates the checks for the role that needs them and, in parallel, for the
 * other role of the task: a permission allowed only on the other one was put on
 * the wrong role. Returns a sentence for the explanation.
 */
async function compareRoles(
  checks: readonly RoleCheck[],
  roleArn: string,
  otherArn: string | undefined,
  otherwise: string,
  context: InvestigationContext,
  evidence: Evidence[],
): Promise<string | undefined> {
  if (checks.length === 0) return undefined;
  const role = roleNameOf(roleArn) ?? roleArn;
  const other = otherArn && (roleNameOf(otherArn) ?? otherArn);
  const actions = [...new Set(checks.map((c) => c.action))];
  const resources = [...new Set(checks.map((c) => c.resource))];
  const [mine, theirs] = await Promise.all([
    simulate(context, roleArn, actions, resources, `whether ${role} is allowed ${actions.join(', ')}`),
    otherArn ? simulate(context, otherArn, actions, resources, `whether the other role ${other} is allowed ${actions.join(', ')} instead`) : undefined,
  ]);
  if (!mine) return undefined;
  const lacking: string[] = [];
  const onOther: string[] = [];
  for (const { action, resource } of checks) {
    const decision = mine.decision(action, resource);
    if (!decision) {
      context.unchecked(`whether ${role} is allowed ${action} on ${resource}`, 'the simulation returned no result for it');
      continue;
    }
    evidence.push({ source: 'iam:SimulatePrincipalPolicy', observed: `${role} ${action} on ${resource}: ${describeDecision(decision)}` });
    if (decision.decision === 'allowed') continue;
    lacking.push(action);
    const elsewhere = theirs?.decision(action, resource);
    if (elsewhere) evidence.push({ source: 'iam:SimulatePrincipalPolicy', observed: `${other} ${action} on ${resource}: ${describeDecision(elsewhere)}` });
    if (elsewhere?.decision === 'allowed') onOther.push(action);
  }
  if (lacking.length === 0) {
    return `Simulated now, ${role} is allowed ${actions.join(', ')}: the policy was fixed since the failure, ${otherwise}.`;
  }
  if (onOther.length > 0) {
    return `Simulated: ${onOther.join(', ')} ${onOther.length === 1 ? 'is' : 'are'} allowed on ${other} but not on ${role}: the permission was put on the wrong role; move it.`;
  }
  return `Simulated: ${role} is not allowed ${lacking.join(', ')}${theirs ? `, and neither is ${other}` : ''}.`;
}

export default async function investigate(detection: RoleDetection, signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action' | 'api-call'>, context: InvestigationContext): Promise<Refinement | undefined> {
  if (signal.kind === 'api-call' || detection.cause === null) return undefined;
  const cause = detection.cause as Cause;
  const taskDefinition = taskDefinitionArnOf(signal);
  if (!taskDefinition) {
    context.unchecked("the task definition's execution role and task role", 'the signal names no task definition');
    return undefined;
  }
  const described = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, "the task definition's execution role and task role");
  if (!described) return undefined;
  const executionRoleArn = described.taskDefinition?.executionRoleArn;
  const taskRoleArn = described.taskDefinition?.taskRoleArn;
  const execution = roleNameOf(executionRoleArn);
  const task = roleNameOf(taskRoleArn);
  const evidence: Evidence[] = [
    {
      source: 'ecs:DescribeTaskDefinition',
      observed: `executionRoleArn: ${executionRoleArn ?? 'none'}; taskRoleArn: ${taskRoleArn ?? 'none'}${executionRoleArn && executionRoleArn === taskRoleArn ? ' (the same role)' : ''}`,
    },
  ];
  const facts: RoleFacts = { ...detection.facts, family: described.taskDefinition?.family ?? detection.facts.family };
  const notes: string[] = [];

  if (cause === 'execution-role-permissions') {
    if (!executionRoleArn) facts.missingExecutionRole ??= 'pulling from ECR and writing awslogs';
    else facts.role ??= execution;
    if (task && task !== execution) {
      notes.push(`The task role ${task} is not used for this; if the ECR or logs permissions were added there, move them to ${execution}.`);
    }
    if (executionRoleArn) {
      const checks = agentChecks(facts);
      const other = taskRoleArn && taskRoleArn !== executionRoleArn ? taskRoleArn : undefined;
      const note = await compareRoles(checks, executionRoleArn, other, 'or a repository policy denies the pull (repository policies are not simulated)', context, evidence);
      if (note) notes.push(note);
    }
  }
  if (cause === 'task-role-permissions') {
    if (!taskRoleArn) {
      facts.instanceFallback = true;
      notes.push('The task definition has no task role.');
    } else if (facts.role === execution && execution !== task) {
      notes.push(`The denied role ${execution} is the execution role, which your application should never hold.`);
    } else if (facts.action && facts.resource) {
      // Was the application's permission put on the execution role instead?
      const other = executionRoleArn && executionRoleArn !== taskRoleArn ? executionRoleArn : undefined;
      const checks = [{ action: facts.action, resource: facts.resource }];
      const note = await compareRoles(checks, taskRoleArn, other, `or a resource policy on ${facts.resource} denies it (not simulated)`, context, evidence);
      if (note) notes.push(note);
    }
  }
  if (cause === 'trust-policy' && facts.role) {
    const which = facts.role === execution ? 'execution role' : facts.role === task ? 'task role' : undefined;
    if (which) notes.push(`${facts.role} is this task definition's ${which}.`);
  }
  if (cause !== 'same-role' && executionRoleArn && executionRoleArn === taskRoleArn) {
    notes.push(`Also, ${execution} is both the execution role and the task role; give the application its own task role.`);
  }
  return {
    evidence,
    explanation: [explanationFor(cause, facts, detection.specificity), ...notes].join(' '),
    fix: fixFor(cause, facts),
  };
}
