import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { defineRule } from '../rule';
import { firstMatch, quoted, shellArg } from '../text';

/**
 * Seed footgun 7. The mission text says logs are silently dropped; in reality
 * the awslogs driver cannot create its stream, so the task fails to start
 * (ResourceInitializationError on Fargate 1.4+, CannotStartContainerError on
 * EC2 and Fargate ≤1.3).
 */
const missingGroup = [
  /log stream:?\s*ResourceNotFoundException:?\s*The specified log group does not exist/i,
  /logging driver.*ResourceNotFoundException:?\s*The specified log group does not exist/i,
  /logger args.*The specified log group does not exist/i,
];

export interface AwslogsTarget {
  container: string;
  group: string;
  region: string | undefined;
  createGroup: boolean;
}

/** The awslogs targets of a task definition's containers. */
export function awslogsTargets(containers: readonly ContainerDefinition[] | undefined): AwslogsTarget[] {
  const targets: AwslogsTarget[] = [];
  for (const container of containers ?? []) {
    const options = container.logConfiguration?.logDriver === 'awslogs' ? container.logConfiguration.options : undefined;
    const group = options?.['awslogs-group'];
    if (!group) continue;
    targets.push({
      container: container.name ?? '(unnamed)',
      group,
      region: options['awslogs-region'],
      createGroup: options['awslogs-create-group']?.toLowerCase() === 'true',
    });
  }
  return targets;
}

function createCommands(groups: readonly AwslogsTarget[], fallbackRegion: string | undefined): string {
  return groups
    .map((g) => `aws logs create-log-group --log-group-name ${shellArg(g.group, 'log-group')} --region ${shellArg(g.region ?? fallbackRegion, 'region')}`)
    .join('\n');
}

const generalFix = [
  'aws logs create-log-group --log-group-name <awslogs-group> --region <awslogs-region>',
  'or, in the container definition\'s logConfiguration.options, set "awslogs-create-group": "true" and grant the task execution role logs:CreateLogGroup.',
].join('\n');

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
      'whether awslogs-create-group is set',
    ],
    needs: ['ecs:DescribeTaskDefinition', 'logs:DescribeLogGroups'],
    causes: [],
    autoFix: 'log-group',
  },

  detect(signal) {
    if (!firstMatch(signal.text, missingGroup)) return null;
    return {
      cause: null,
      specificity: 'root-cause',
      explanation:
        'The awslogs log driver could not create its log stream because the log group named in the task definition does not exist, so the task failed to start. ECS does not create the group unless the container\'s log options set "awslogs-create-group": "true" (which also needs logs:CreateLogGroup on the task execution role).',
      fix: generalFix,
      evidence: [quoted(signal.source, signal.text)],
    };
  },

  async investigate(_detection, signal, context) {
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
    const evidence = [];
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
    const createSet = missing.some((m) => m.createGroup);
    return {
      evidence,
      resource: missing.length === 1 ? { container: (missing[0] as AwslogsTarget).container } : {},
      explanation: `The log group ${names} does not exist, so the awslogs driver could not create its stream and the task failed to start.${
        createSet
          ? ' awslogs-create-group is set, so the task execution role most likely lacks logs:CreateLogGroup.'
          : ' awslogs-create-group is not set, so ECS will not create it.'
      }`,
      fix: createCommands(missing, region),
    };
  },
});
