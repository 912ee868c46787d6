import type { _InstanceType, Subnet } from '@aws-sdk/client-ec2';
import type { Evidence } from '../../findings';
import type { Signal, SignalOf } from '../../events/signals';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { enisByInstanceType, tasksWithoutTrunking, tasksWithTrunking } from './eni-limits';
import { networkConfigurationArg, readService, serviceArgs, serviceEvidence } from '../../facts/service-placement';
import { eniFix, subnetFix, subnetIdPattern, trunkingCommands } from './detect';

/** The subnets the tasks use: the service's, else the stopped task's ENI attachment, else the one the text names. */
function taskSubnets(signal: Signal): string[] {
  if (signal.kind === 'task-stopped') {
    const subnets = (signal.task.attachments ?? [])
      .flatMap((a) => a.details ?? [])
      .filter((d) => d.name === 'subnetId' && d.value)
      .map((d) => d.value as string);
    if (subnets.length) return [...new Set(subnets)];
  }
  const named = subnetIdPattern.exec(signal.text)?.[0];
  return named ? [named] : [];
}

function describeSubnet(subnet: Subnet): string {
  return `${subnet.SubnetId} (${subnet.AvailabilityZone ?? '?'}, ${subnet.CidrBlock ?? '?'}): ${subnet.AvailableIpAddressCount ?? '?'} free`;
}

async function investigateSubnets(signal: Signal, context: InvestigationContext): Promise<Refinement | undefined> {
  const evidence: Evidence[] = [];
  const service = signal.resource.service ? await readService(context, signal.resource, "the service's subnets and deployment size") : undefined;
  if (service) evidence.push(serviceEvidence(service));
  const awsvpc = service?.networkConfiguration?.awsvpcConfiguration;
  const subnetIds = awsvpc?.subnets?.length ? awsvpc.subnets : taskSubnets(signal);
  if (subnetIds.length === 0) {
    context.unchecked('free addresses in the task subnets', 'no subnet is named by the signal or the service');
    return evidence.length ? { evidence } : undefined;
  }
  const described = await context.read('ec2:DescribeSubnets', { SubnetIds: subnetIds }, 'free addresses in the task subnets');
  const subnets = described?.Subnets ?? [];
  if (subnets.length === 0) return { evidence, fix: subnetFix(signal, subnetIds) };

  evidence.push({ source: 'ec2:DescribeSubnets', observed: subnets.map(describeSubnet).join('; ') });
  const free = subnets.reduce((sum, s) => sum + (s.AvailableIpAddressCount ?? 0), 0);
  const full = subnets.filter((s) => (s.AvailableIpAddressCount ?? 0) === 0).map((s) => s.SubnetId ?? '?');
  const roomy = subnets.filter((s) => (s.AvailableIpAddressCount ?? 0) > 0).map((s) => s.SubnetId ?? '?');

  let need = '';
  if (service?.desiredCount !== undefined) {
    // A rolling deployment runs up to desired × maximumPercent tasks at once; the running ones already hold an address.
    const maximumPercent = service.deploymentConfiguration?.maximumPercent ?? 200;
    const peak = Math.ceil((service.desiredCount * maximumPercent) / 100);
    const more = Math.max(peak - (service.runningCount ?? 0), 0);
    need = ` A deployment at maximumPercent ${maximumPercent} runs up to ${peak} tasks at once (desired ${service.desiredCount}); ${
      service.runningCount ?? 0
    } are running, so it needs ${more} more addresses${more > free ? `, ${more - free} more than the subnets have` : ', which fit only if no other resource takes them first'}.`;
  }
  const fullNote = full.length
    ? ` ${full.join(', ')} ${full.length === 1 ? 'has' : 'have'} no free address: a task placed there cannot start.`
    : '';
  return {
    evidence,
    explanation: `Every awsvpc task takes a private IP from one of its subnets, and the ${subnets.length} subnet(s) it uses have ${free} free address(es) in total.${fullNote}${need} Load balancers, NAT gateways, VPC endpoints and other ENIs in the same subnets take addresses too.`,
    fix: [
      'Create larger subnets (a /20 has 4,091 usable addresses) in more Availability Zones, then point the service at them, keeping any that still have room:',
      `aws ecs update-service ${serviceArgs(signal.resource)} --network-configuration ${networkConfigurationArg(awsvpc, [...roomy, '<new-subnet-a>', '<new-subnet-b>'])}`,
    ].join('\n'),
  };
}

interface InstanceGroup {
  type: string;
  trunking: boolean;
  count: number;
}

async function investigateEniSlots(signal: Signal, context: InvestigationContext): Promise<Refinement | undefined> {
  const cluster = signal.resource.cluster;
  if (!cluster) {
    context.unchecked('the container instances\' types and ENI trunking', 'the signal names no cluster');
    return undefined;
  }
  const listed = await context.read('ecs:ListContainerInstances', { cluster }, 'the container instances in the cluster');
  const arns = listed?.containerInstanceArns ?? [];
  if (!listed) return undefined;
  if (arns.length === 0) {
    return { evidence: [{ source: 'ecs:ListContainerInstances', observed: `${cluster} has no container instances` }] };
  }
  const described = await context.read(
    'ecs:DescribeContainerInstances',
    { cluster, containerInstances: arns.slice(0, 100) },
    'the container instances\' types and ENI trunking',
  );
  if (!described) return undefined;

  const groups = new Map<string, InstanceGroup>();
  for (const instance of described.containerInstances ?? []) {
    const attributes = instance.attributes ?? [];
    const type = attributes.find((a) => a.name === 'ecs.instance-type')?.value ?? 'unknown';
    // ECS records the trunk interface as an attribute on instances that have one.
    const trunking = attributes.some((a) => a.name === 'ecs.awsvpc-trunk-id');
    const key = `${type} ${trunking}`;
    const group = groups.get(key) ?? { type, trunking, count: 0 };
    group.count++;
    groups.set(key, group);
  }

  const enis = new Map(Object.entries(enisByInstanceType));
  const unlisted = [...new Set([...groups.values()].map((g) => g.type))].filter((t) => t !== 'unknown' && !enis.has(t));
  if (unlisted.length) {
    // The types come from the instances' ecs.instance-type attribute, so they are EC2 instance type names.
    const types = await context.read('ec2:DescribeInstanceTypes', { InstanceTypes: unlisted as _InstanceType[] }, 'network interfaces per instance type');
    for (const info of types?.InstanceTypes ?? []) {
      if (info.InstanceType && info.NetworkInfo?.MaximumNetworkInterfaces) enis.set(info.InstanceType, info.NetworkInfo.MaximumNetworkInterfaces);
    }
  }

  const lines = [...groups.values()].map((g) => {
    const limit = enis.get(g.type);
    const withTrunking = tasksWithTrunking(g.type);
    const capacity = g.trunking
      ? `trunking on${withTrunking ? ` (${withTrunking} awsvpc tasks each)` : ''}`
      : `${limit ? `${limit} ENIs → ${tasksWithoutTrunking(limit)} awsvpc tasks each` : 'ENI count unknown'}, trunking off${withTrunking ? ` (${withTrunking} with trunking)` : ''}`;
    return `${g.count} × ${g.type}: ${capacity}`;
  });
  const evidence: Evidence[] = [{ source: 'ecs:DescribeContainerInstances', observed: lines.join('; ') }];
  const all = [...groups.values()];
  if (all.every((g) => g.trunking)) {
    return {
      evidence,
      explanation: `ENI trunking is already on, and every instance's awsvpc slots are taken (${lines.join('; ')}). The cluster needs more or larger instances for these tasks.`,
      fix: 'Add container instances (raise the Auto Scaling group\'s max size, or enable managed scaling on its capacity provider), or use larger instance types: with trunking an xlarge takes 20 awsvpc tasks and a 2xlarge 40.',
    };
  }
  // Trunking is judged from the instances themselves (the ecs.awsvpc-trunk-id attribute ECS sets on instances that have a trunk);
  // the account setting behind it would need ecs:ListAccountSettings, which the reader does not offer.
  context.unchecked(
    'whether the awsvpcTrunking account setting is on for the container instance role (trunking was judged from the instances\' ecs.awsvpc-trunk-id attribute: instances launched before the opt-in have none)',
    'ecs:ListAccountSettings is not a reader operation',
  );
  const supported = all.some((g) => !g.trunking && tasksWithTrunking(g.type) !== undefined);
  return {
    evidence,
    explanation: `Each awsvpc task on EC2 takes a whole network interface, and these instances run without ENI trunking (no ecs.awsvpc-trunk-id attribute): ${lines.join('; ')}. The cluster runs out of interfaces long before CPU or memory.`,
    fix: supported
      ? eniFix
      : `These instance types are not listed as supporting ENI trunking, so move to a supported type (c5, c6i, c6a, c6g, c7g, m5, m6i, m6a, m6g, m7g, r5, r6i) and turn it on:\n${trunkingCommands}\nOr run these tasks in bridge network mode.`,
  };
}

export default function investigate(detection: Detection, signal: SignalOf<'text' | 'task-stopped' | 'service-action'>, context: InvestigationContext): Promise<Refinement | undefined> {
  return detection.cause === 'subnet-ips' ? investigateSubnets(signal, context) : investigateEniSlots(signal, context);
}
