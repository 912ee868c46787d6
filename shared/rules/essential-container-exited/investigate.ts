import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { SignalOf } from '../../events/signals';
import type { Evidence } from '../../findings';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { advice } from './exit-codes';

/** The exact command that prints the container's last awslogs lines, or why it cannot be given. */
function logsCommand(definition: ContainerDefinition, task: string | undefined, region: string | undefined): { command?: string; why?: string } {
  const log = definition.logConfiguration;
  if (log?.logDriver !== 'awslogs') return { why: `container ${definition.name} logs with ${log?.logDriver ?? 'no log driver'}, not awslogs` };
  const group = log.options?.['awslogs-group'];
  if (!group) return { why: `container ${definition.name} sets no awslogs-group` };
  const prefix = log.options?.['awslogs-stream-prefix'];
  const groupRegion = log.options?.['awslogs-region'] ?? region;
  const regionArg = groupRegion ? ` --region ${shellArg(groupRegion, 'region')}` : '';
  // Without a prefix (EC2 only), the stream is named after the Docker container id, which the event does not carry.
  if (!prefix) return { command: `aws logs filter-log-events --log-group-name ${shellArg(group, 'awslogs-group')} --limit 50 --query 'events[].[logStreamName,message]'${regionArg}` };
  const stream = shellArg(`${prefix}/${definition.name}/${task ?? '<task-id>'}`, 'stream');
  return { command: `aws logs get-log-events --log-group-name ${shellArg(group, 'awslogs-group')} --log-stream-name ${stream} --limit 50 --query 'events[].message'${regionArg}` };
}

export default async function investigate(detection: Detection, signal: SignalOf<'text' | 'task-stopped'>, context: InvestigationContext): Promise<Refinement | undefined> {
  if (signal.kind !== 'task-stopped') return undefined;
  const container = detection.resource?.container;
  const taskDefinition = signal.task.taskDefinitionArn;
  if (!container || !taskDefinition) return undefined;
  const described = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, `the log configuration of container ${container}`);
  const definition = described?.taskDefinition?.containerDefinitions?.find((c) => c.name === container);
  if (!definition) return undefined;

  const code = signal.task.containers?.find((c) => c.name === container)?.exitCode;
  const { command, why } = logsCommand(definition, signal.resource.task, signal.resource.region);
  const evidence: Evidence[] = [
    {
      source: 'ecs:DescribeTaskDefinition',
      observed: `container ${container}: essential ${definition.essential !== false}, log driver ${definition.logConfiguration?.logDriver ?? 'none'}, stopTimeout ${definition.stopTimeout ?? 'not set (30 s)'}`,
    },
  ];
  const refinement: Refinement = { evidence };
  if (command) refinement.fix = `Read its last log lines:\n${command}${code === undefined ? '' : `\n${advice(code)}`}`;
  else if (why) context.unchecked(`the logs of container ${container}`, why);
  return refinement;
}
