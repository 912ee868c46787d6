import type { ContainerInstance } from '@aws-sdk/client-ecs';
import { at, type ClusterSubject, type Report, type ServiceSubject, type StaticCheck, seen } from '../../static/check';
import { awsvpcSubnets, desiredCountOf, onFargate, percentsOf, serviceLabel, usesAwsvpc } from '../../static/service';
import { enisByInstanceType, tasksWithoutTrunking, tasksWithTrunking } from './eni-limits';

/**
 * Seed footgun 2, before a deployment runs out of room: every awsvpc task
 * takes one address in its subnets and, on EC2, one network interface on its
 * instance. A deployment at maximumPercent needs that many more at its peak.
 */

/** The tasks a service runs at the peak of a deployment: desired × maximumPercent, rounded down as ECS does. */
function peakTasks(subject: Pick<ServiceSubject, 'service'>): number | undefined {
  const desired = desiredCountOf(subject.service.value);
  const { max } = percentsOf(subject.service.value);
  if (desired === undefined || max === undefined) return undefined;
  return Math.max(desired, Math.floor((desired * max) / 100));
}

function checkSubnets(subject: ServiceSubject, report: Report): void {
  const { service, around } = subject;
  const subnets = awsvpcSubnets(service.value);
  const peak = peakTasks(subject);
  if (subnets.length === 0 || peak === undefined) return;
  if (around.accountFacts !== null) {
    report.unchecked(service.origin, 'free addresses in the service subnets', around.accountFacts);
    return;
  }
  const known = subnets.map((id) => around.subnet(id));
  const unknown = subnets.filter((_, i) => known[i]?.AvailableIpAddressCount === undefined);
  if (unknown.length > 0) report.unchecked(service.origin, `free addresses in ${unknown.join(', ')}`, 'the subnets were not described');
  const free = known.reduce((sum, subnet) => sum + (subnet?.AvailableIpAddressCount ?? 0), 0);
  // Running tasks already hold their addresses; the deployment needs the rest on top.
  const running = typeof service.value.runningCount === 'number' ? service.value.runningCount : 0;
  const extra = Math.max(peak - running, 0);
  if (unknown.length > 0 || free >= extra) return;
  const name = serviceLabel(service.value);
  report.issue({
    cause: 'subnet-ips',
    severity: 'critical',
    title: `Service ${name}'s subnets cannot hold its next deployment`,
    explanation: `A deployment of ${name} runs up to ${peak} tasks (desiredCount × maximumPercent), ${extra} more than now, and every awsvpc task takes an address; its subnets have ${free} free. The deployment stalls with "InsufficientFreeAddressesInSubnet".`,
    fix: `Add larger subnets (a /20 has 4,091 usable addresses) in more Availability Zones to the service: aws ecs update-service --service ${name} --network-configuration 'awsvpcConfiguration={subnets=[${[...subnets, '<new-subnet>'].join(',')}],securityGroups=[<security-group>]}', or lower maximumPercent.`,
    at: at(service, '/networkConfiguration/awsvpcConfiguration/subnets'),
    evidence: [
      seen(service, '/networkConfiguration/awsvpcConfiguration/subnets', known.map((s, i) => `${subnets[i]}: ${s?.AvailableIpAddressCount} free`).join('; ')),
      seen(service, '/deploymentConfiguration', `peak ${peak} tasks, ${running} running`),
    ],
  });
}

/** awsvpc tasks an instance can host, or undefined when its type's ENI count is not known. */
function awsvpcSlots(instance: ContainerInstance): number | undefined {
  const attributes = instance.attributes ?? [];
  const type = attributes.find((a) => a.name === 'ecs.instance-type')?.value;
  if (!type) return undefined;
  if (attributes.some((a) => a.name === 'ecs.awsvpc-trunk-id')) return tasksWithTrunking(type);
  const enis = enisByInstanceType[type];
  return enis === undefined ? undefined : tasksWithoutTrunking(enis);
}

function checkEnis(subject: ClusterSubject, report: Report): void {
  const ec2Awsvpc = subject.services.filter((s) => usesAwsvpc(s) && !onFargate(s));
  if (ec2Awsvpc.length === 0 || subject.containerInstances.length === 0) return;
  const demand = ec2Awsvpc.reduce((sum, s) => sum + (peakTasks(s) ?? 0), 0);
  const slots = subject.containerInstances.map(awsvpcSlots);
  const unknown = slots.filter((s) => s === undefined).length;
  if (unknown > 0) report.unchecked(subject.cluster.origin, `awsvpc task slots of ${unknown} container instance(s)`, 'their instance type is not in the ENI table');
  const capacity = slots.reduce<number>((sum, s) => sum + (s ?? 0), 0);
  if (unknown > 0 || capacity >= demand) return;
  const trunked = subject.containerInstances.filter((i) => (i.attributes ?? []).some((a) => a.name === 'ecs.awsvpc-trunk-id')).length;
  const name = subject.cluster.value.clusterName ?? '<cluster>';
  report.issue({
    cause: 'eni-limit',
    severity: 'warning',
    title: `Cluster ${name} has fewer network interfaces than its awsvpc services need`,
    explanation: `On EC2 every awsvpc task takes a network interface. The cluster's ${subject.containerInstances.length} instances (${trunked} with ENI trunking) take ${capacity} awsvpc tasks; its ${ec2Awsvpc.length} awsvpc service(s) run up to ${demand} during deployments, so tasks wait for "RESOURCE:ENI".`,
    fix: 'Turn on ENI trunking (aws ecs put-account-setting-default --name awsvpcTrunking --value enabled, then replace the instances: only instances launched after the opt-in get a trunk), or add instances, or run these tasks in bridge mode.',
    at: at(subject.cluster),
    evidence: [seen(subject.cluster, '', `${capacity} awsvpc slots; ${ec2Awsvpc.map((s) => `${serviceLabel(s.service.value)} up to ${peakTasks(s)}`).join(', ')}`)],
  });
}

const awsvpcCheck: StaticCheck = {
  rule: 'awsvpc-ip-exhaustion',
  causes: ['subnet-ips', 'eni-limit'],
  summary:
    "awsvpc services: free addresses in the subnets against the extra tasks a deployment at desiredCount × maximumPercent needs (audit); EC2 clusters: the instances' awsvpc task slots (ENIs per type, with or without trunking) against their awsvpc services' deployment peak",
  service: checkSubnets,
  cluster: checkEnis,
};

export default awsvpcCheck;
