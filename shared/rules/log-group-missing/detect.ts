import type { Detection } from '../rule';
import type { SignalOf } from '../../events/signals';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { anyOf, matchesAny, quoted, regionNamedIn, shellArg } from '../text';

/** The texts detect.ts claims, all of them. */
const missingGroup = anyOf([
  /log stream:?\s*ResourceNotFoundException:?\s*The specified log group does not exist/i,
  /logging driver.*ResourceNotFoundException:?\s*The specified log group does not exist/i,
  /logger args.*The specified log group does not exist/i,
]);

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

function generalFix(region: string | undefined): string {
  return [
    `aws logs create-log-group --log-group-name <awslogs-group> --region ${shellArg(region, 'awslogs-region')}`,
    'or, in the container definition\'s logConfiguration.options, set "awslogs-create-group": "true" and grant the task execution role logs:CreateLogGroup.',
  ].join('\n');
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>): Detection | null {
  if (!matchesAny(signal.text, missingGroup)) return null;
  return {
    cause: null,
    specificity: 'root-cause',
    explanation:
      'The awslogs log driver could not create its log stream because the log group named in the task definition does not exist, so the task failed to start. ECS does not create the group unless the container\'s log options set "awslogs-create-group": "true" (which also needs logs:CreateLogGroup on the task execution role).',
    fix: generalFix(signal.resource.region ?? regionNamedIn(signal.text)),
    evidence: [quoted(signal.source, signal.text)],
  };
}

