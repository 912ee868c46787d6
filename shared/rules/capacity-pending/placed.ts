/** Tasks stuck PENDING on an instance were placed: the instance's agent, not capacity, decides whether they start. */
import type { PendingRecheckSignal } from '../../events/signals';
import type { Evidence } from '../../findings';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { resourceOf } from './context';

/** DescribeContainerInstances takes at most 100 instances per call. */
const DESCRIBE_BATCH = 100;

export async function investigatePlaced(
  detection: Detection,
  signal: PendingRecheckSignal,
  context: InvestigationContext,
): Promise<Refinement | undefined> {
  const cluster = resourceOf(detection, signal).cluster;
  const instances = [...new Set(signal.stuckTasks.map((t) => t.containerInstanceArn).filter((arn): arn is string => !!arn))];
  if (!cluster || instances.length === 0) return undefined;
  const answer = await context.read(
    'ecs:DescribeContainerInstances',
    { cluster, containerInstances: instances.slice(0, DESCRIBE_BATCH) },
    "whether the ECS agent is connected on the instances holding the PENDING tasks",
  );
  const described = answer?.containerInstances ?? [];
  if (described.length === 0) return undefined;
  const evidence: Evidence[] = [
    {
      source: 'ecs:DescribeContainerInstances',
      observed: described
        .map(
          (i) =>
            `${i.ec2InstanceId ?? i.containerInstanceArn}: ${i.status ?? '?'}, agent ${i.agentConnected ? 'connected' : 'DISCONNECTED'} (${
              i.versionInfo?.agentVersion ?? 'version ?'
            }), ${i.runningTasksCount ?? '?'} running / ${i.pendingTasksCount ?? '?'} pending task(s)`,
        )
        .join('; '),
    },
  ];
  const disconnected = described.filter((i) => !i.agentConnected);
  if (disconnected.length === 0) return { evidence };
  const ids = disconnected.map((i) => i.ec2InstanceId ?? i.containerInstanceArn ?? '?');
  return {
    evidence,
    explanation: `${detection.explanation} The ECS agent on ${ids.join(', ')} is disconnected, so ECS cannot tell it to start the tasks placed there and they stay PENDING.`,
    fix: [
      'Restart the agent on the instance (or replace the instance); on the Amazon ECS-optimized AMI:',
      ...ids.map((id) => `aws ssm send-command --instance-ids ${shellArg(id, 'instance-id')} --document-name AWS-RunShellScript --parameters 'commands=["sudo systemctl restart ecs"]'`),
      'Then read /var/log/ecs/ecs-agent.log on it for why it lost its connection.',
    ].join('\n'),
  };
}
