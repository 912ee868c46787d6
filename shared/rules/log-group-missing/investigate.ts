import type { SignalOf } from '../../events/signals';
import { parseArn } from '../../arn';
import type { Evidence } from '../../findings';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { describeDecision, putRolePolicy, roleNameOf, type SimulatedDecision, simulate } from '../../facts/iam';
import { shellArg } from '../text';
import { type AwslogsTarget, awslogsTargets } from './detect';

function createCommands(groups: readonly AwslogsTarget[], fallbackRegion: string | undefined): string {
  return groups
    .map((g) => `aws logs create-log-group --log-group-name ${shellArg(g.group, 'log-group')} --region ${shellArg(g.region ?? fallbackRegion, 'region')}`)
    .join('\n');
}

/** The ARN IAM evaluates logs:CreateLogGroup on. */
function logGroupArn(target: AwslogsTarget, region: string | undefined, account: string | undefined): string {
  return `arn:aws:logs:${target.region ?? region ?? '<region>'}:${account ?? '<account-id>'}:log-group:${target.group}:*`;
}

/**
 * awslogs-create-group only works when the execution role may
 * logs:CreateLogGroup (not in AmazonECSTaskExecutionRolePolicy): one
 * simulation for every group that sets it.
 */
async function createPermission(
  creating: readonly AwslogsTarget[],
  executionRoleArn: string | undefined,
  region: string | undefined,
  account: string | undefined,
  context: InvestigationContext,
  evidence: Evidence[],
): Promise<{ explanation: string; fix: string[] }> {
  const role = roleNameOf(executionRoleArn);
  const likely = {
    explanation: 'awslogs-create-group is set, so the task execution role most likely lacks logs:CreateLogGroup (AmazonECSTaskExecutionRolePolicy does not include it).',
    fix: [putRolePolicy(role, 'task-execution-role', 'create-log-group', ['logs:CreateLogGroup'], creating.map((target) => logGroupArn(target, region, account))), 'or create the group once:'],
  };
  if (!executionRoleArn || !account) {
    context.unchecked('whether the task execution role may logs:CreateLogGroup', executionRoleArn ? 'the signal names no account' : 'the task definition has no execution role');
    return likely;
  }
  const arns = creating.map((target) => logGroupArn(target, region, account));
  const simulation = await simulate(context, executionRoleArn, ['logs:CreateLogGroup'], arns, `whether ${role} may logs:CreateLogGroup`);
  if (!simulation) return likely;
  const refused: string[] = [];
  const notes: string[] = [];
  for (const arn of arns) {
    const decision: SimulatedDecision | undefined = simulation.decision('logs:CreateLogGroup', arn);
    if (!decision) {
      context.unchecked(`whether ${role} may logs:CreateLogGroup on ${arn}`, 'the simulation returned no result for it');
      continue;
    }
    evidence.push({ source: 'iam:SimulatePrincipalPolicy', observed: `${role} logs:CreateLogGroup on ${arn}: ${describeDecision(decision)}` });
    if (decision.decision === 'allowed') continue;
    refused.push(arn);
    if (decision.decision === 'explicitDeny' || decision.deniedBy) notes.push(`${arn}: ${describeDecision(decision)}; an Allow does not override it.`);
  }
  if (refused.length === 0) {
    return {
      explanation:
        'awslogs-create-group is set and the execution role may logs:CreateLogGroup (simulated), so ECS should create the group at the next start: the failed task most likely ran a revision without the option, or the group was deleted after it started.',
      fix: [],
    };
  }
  return {
    explanation: `awslogs-create-group is set, but ${role} may not logs:CreateLogGroup on ${refused.join(', ')} (simulated; AmazonECSTaskExecutionRolePolicy does not include it), so ECS could not create it.${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`,
    fix: [putRolePolicy(role, 'task-execution-role', 'create-log-group', ['logs:CreateLogGroup'], refused), 'or create the group once:'],
  };
}

export default async function investigate(_detection: Detection, signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>, context: InvestigationContext): Promise<Refinement | undefined> {
  const taskDefinition = 'task' in signal ? signal.task.taskDefinitionArn : undefined;
  if (!taskDefinition) {
    context.unchecked('which log groups are missing', 'the signal names no task definition');
    return undefined;
  }
  const described = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, 'the task definition\'s log configuration');
  if (!described) return undefined;
  const targets = awslogsTargets(described.taskDefinition?.containerDefinitions);
  if (targets.length === 0) {
    return { evidence: [{ source: 'ecs:DescribeTaskDefinition', observed: 'no container uses the awslogs driver with an awslogs-group' }] };
  }
  const region = signal.resource.region;
  const missing: AwslogsTarget[] = [];
  const evidence: Evidence[] = [];
  for (const target of targets) {
    if (target.region && region && target.region !== region) {
      context.unchecked(`log group ${target.group}`, `it is in ${target.region}; the bot reads ${region} only`);
      continue;
    }
    const groups = await context.read('logs:DescribeLogGroups', { logGroupNamePrefix: target.group }, `whether log group ${target.group} exists`);
    if (!groups) continue;
    const exists = groups.logGroups?.some((g) => g.logGroupName === target.group) ?? false;
    evidence.push({
      source: 'logs:DescribeLogGroups',
      observed: `${target.group} (container ${target.container}): ${exists ? 'exists' : 'does not exist'}; awslogs-create-group ${target.createGroup ? 'true' : 'not set'}`,
    });
    if (!exists) missing.push(target);
  }
  if (missing.length === 0) return { evidence };
  const names = missing.map((m) => `${m.group} (container ${m.container})`).join(', ');
  const resource = missing.length === 1 ? { container: (missing[0] as AwslogsTarget).container } : {};
  const creating = missing.filter((m) => m.createGroup);
  const lead = `The log group ${names} does not exist, so the awslogs driver could not create its stream and the task failed to start.`;
  if (creating.length === 0) {
    return { evidence, resource, explanation: `${lead} awslogs-create-group is not set, so ECS will not create it.`, fix: createCommands(missing, region) };
  }
  const account = signal.resource.account ?? parseArn(taskDefinition)?.account;
  const permission = await createPermission(creating, described.taskDefinition?.executionRoleArn, region, account, context, evidence);
  return { evidence, resource, explanation: `${lead} ${permission.explanation}`, fix: [...permission.fix, createCommands(missing, region)].join('\n') };
}
