import { at, type ClusterSubject, type Report, type StaticCheck, seen } from '../../static/check';
import { onFargate } from '../../static/service';
import { type FeatureMinimum, featureMinimums } from '../../facts/agent-features';
import { compareVersions, isOlder, parseVersion } from '../../facts/versions';

/**
 * Before a placement fails: container instances whose agents lag the
 * features their cluster's services use, and agents of different versions
 * in one cluster (a task that places on one instance fails on another).
 */

function featuresUsed(subject: ClusterSubject): FeatureMinimum[] {
  const onEc2 = subject.services.filter((s) => !onFargate(s));
  const used = (feature: string) => featureMinimums.find((f) => f.feature === feature);
  const needs: (FeatureMinimum | undefined)[] = [];
  if (onEc2.some((s) => s.service.value.enableExecuteCommand === true)) needs.push(used('ECS Exec'));
  if (onEc2.some((s) => (s.taskDefinition?.value.containerDefinitions ?? []).some((c) => (c.dependsOn ?? []).length > 0)))
    needs.push(used('container dependencies (dependsOn)'));
  if (onEc2.some((s) => (s.taskDefinition?.value.volumes ?? []).some((v) => v.efsVolumeConfiguration?.authorizationConfig)))
    needs.push(used('Amazon EFS volumes with access points and IAM authorization'));
  return needs.filter((f): f is FeatureMinimum => f !== undefined);
}

function checkAgents(subject: ClusterSubject, report: Report): void {
  const { cluster } = subject;
  const name = cluster.value.clusterName ?? '<cluster>';
  const agents = subject.containerInstances.map((i) => ({ id: i.ec2InstanceId ?? i.containerInstanceArn ?? '?', version: i.versionInfo?.agentVersion }));
  const known = agents.filter((a) => parseVersion(a.version) !== null);
  if (known.length === 0) return;
  const update = `aws ecs update-container-agent --cluster ${name} --container-instance <container-instance-id> (or replace the instances with the latest ECS-optimized AMI)`;
  for (const feature of featuresUsed(subject)) {
    const behind = known.filter((a) => isOlder(a.version, feature.minimum));
    if (behind.length === 0) continue;
    report.issue({
      cause: 'below-feature-minimum',
      severity: 'warning',
      title: `${behind.length} instance(s) in cluster ${name} run an ECS agent too old for ${feature.feature}`,
      explanation: `A service in ${name} uses ${feature.feature}, which needs agent ${feature.minimum} or later (${feature.source}); ${behind.map((a) => `${a.id} runs ${a.version}`).join(', ')}, so its tasks cannot be placed there or fail there.`,
      fix: update,
      at: at(cluster),
      evidence: [seen(cluster, '', behind.map((a) => `${a.id}: agent ${a.version}`).join('; '))],
    });
  }
  const versions = [...new Set(known.map((a) => a.version as string))].sort((a, b) => compareVersions(parseVersion(a) ?? [], parseVersion(b) ?? []));
  if (versions.length < 2) return;
  const counts = versions.map((v) => `${known.filter((a) => a.version === v).length} on ${v}`);
  report.issue({
    cause: 'fleet-drift',
    severity: 'info',
    title: `Cluster ${name} runs ${versions.length} ECS agent versions (${versions[0]} to ${versions[versions.length - 1]})`,
    explanation: `Container instances of one cluster run different agents (${counts.join(', ')}): a task that needs a newer agent feature places on some instances and fails on others, which looks random.`,
    fix: update,
    at: at(cluster),
    evidence: [seen(cluster, '', counts.join('; '))],
  });
}

const agentVersionCheck: StaticCheck = {
  rule: 'agent-version-drift',
  causes: ['below-feature-minimum', 'fleet-drift'],
  summary:
    "EC2 clusters: container instances whose agent is older than a feature the cluster's services use (ECS Exec, dependsOn, EFS access points/IAM), and the spread of agent versions in one cluster",
  cluster: checkAgents,
};

export default agentVersionCheck;
