import type { ContainerInstance } from '@aws-sdk/client-ecs';
import type { SignalOf } from '../../events/signals';
import { arnName } from '../../arn';
import type { Evidence } from '../../findings';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { featureMinimums, featuresMissing } from '../../facts/agent-features';
import { featureList, updateFix } from './detect';

// The table is ordered by version, so the last entry is the highest minimum.
const highestMinimum = featureMinimums[featureMinimums.length - 1]?.minimum;

interface Fleet {
  instances: ContainerInstance[];
  versions: Map<string, string[]>;
}

function fleetOf(instances: ContainerInstance[]): Fleet {
  const versions = new Map<string, string[]>();
  for (const instance of instances) {
    const version = instance.versionInfo?.agentVersion ?? 'unknown';
    const id = instance.ec2InstanceId ?? arnName(instance.containerInstanceArn) ?? '?';
    versions.set(version, [...(versions.get(version) ?? []), id]);
  }
  return { instances, versions };
}

function fleetEvidence(fleet: Fleet): Evidence {
  const parts = [...fleet.versions].map(([version, ids]) => `${version}: ${ids.length} (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`);
  return { source: 'ecs:DescribeContainerInstances', observed: `agent versions across ${fleet.instances.length} instance(s): ${parts.join('; ')}` };
}

function refineWithFleet(cause: string | null, cluster: string | undefined, fleet: Fleet): Refinement {
  const evidence = [fleetEvidence(fleet)];
  if (cause === 'agent-disconnected') {
    const disconnected = fleet.instances.filter((i) => i.status === 'ACTIVE' && i.agentConnected === false);
    const ids = disconnected.map((i) => i.ec2InstanceId ?? arnName(i.containerInstanceArn) ?? '?');
    evidence.push({
      source: 'ecs:DescribeContainerInstances',
      observed: ids.length > 0 ? `ACTIVE with agentConnected false: ${ids.join(', ')}` : 'every ACTIVE instance has its agent connected now (it may have reconnected)',
    });
    return { evidence };
  }
  const old = fleet.instances.filter((i) => featuresMissing(i.versionInfo?.agentVersion).length > 0);
  if (old.length === 0) {
    if (cause === 'missing-attribute') {
      evidence.push({ source: 'ecs:DescribeContainerInstances', observed: `every agent is at least ${highestMinimum}, so an old agent is unlikely to be the missing attribute` });
    }
    return { evidence };
  }
  const oldIds = old.map((i) => arnName(i.containerInstanceArn) ?? i.ec2InstanceId ?? '?');
  const drift = fleet.versions.size > 1;
  const oldVersions = [...new Set(old.map((i) => i.versionInfo?.agentVersion ?? 'unknown'))].join(', ');
  const missing = featuresMissing(old[0]?.versionInfo?.agentVersion);
  return {
    cause: drift ? 'fleet-drift' : 'below-feature-minimum',
    evidence,
    explanation: drift
      ? `Cluster ${cluster} runs ${fleet.versions.size} different ECS agent versions. ${old.length} of ${fleet.instances.length} instance(s) run ${oldVersions}, too old for: ${featureList(missing)}. Tasks using those features place on the newer instances and fail on the old ones, so the same deployment succeeds or fails depending on where the scheduler puts it.`
      : `Every instance in cluster ${cluster} runs agent ${oldVersions}, too old for: ${featureList(missing)}. No instance can run tasks that use these features.`,
    fix: updateFix(cluster, oldIds.slice(0, 10)),
  };
}

export default async function investigate(detection: Detection, signal: SignalOf<'container-instance' | 'service-action' | 'task-stopped' | 'text'>, context: InvestigationContext): Promise<Refinement | undefined> {
  const cluster = signal.resource.cluster;
  if (!cluster) {
    context.unchecked('the agent versions across the cluster', 'the signal names no cluster');
    return undefined;
  }
  const listed = await context.read('ecs:ListContainerInstances', { cluster }, `the container instances of cluster ${cluster}`);
  const arns = listed?.containerInstanceArns ?? [];
  if (!listed) return undefined;
  if (arns.length === 0) {
    return { evidence: [{ source: 'ecs:ListContainerInstances', observed: `cluster ${cluster} has no registered container instances` }] };
  }
  // One batch: DescribeContainerInstances takes up to 100; a larger fleet is judged on its first 100.
  const described = await context.read(
    'ecs:DescribeContainerInstances',
    { cluster, containerInstances: arns.slice(0, 100) },
    `the agent versions of cluster ${cluster}`,
  );
  if (!described) return undefined;
  if (listed.nextToken || arns.length > 100) context.unchecked('agent versions beyond the first 100 instances', 'the rule reads one page only');
  return refineWithFleet(detection.cause, cluster, fleetOf(described.containerInstances ?? []));
}
