/** Why an EC2-backed cluster does not grow when tasks cannot be placed: the service, the cluster, its capacity providers and their Auto Scaling groups. */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { CapacityProvider, Cluster, Service } from '@aws-sdk/client-ecs';
import { arnName } from '../../arn';
import type { Signal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { serviceArgs, serviceEvidence } from '../../facts/service-placement';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { resourceOf, serviceOf } from './context';
import { readServiceScaling } from './service-scaling';

function asgName(provider: CapacityProvider): string | undefined {
  return provider.autoScalingGroupProvider?.autoScalingGroupArn?.split('autoScalingGroupName/')[1];
}

function clusterEvidence(name: string, cluster: Cluster): Evidence {
  const providers = cluster.capacityProviders?.length ? cluster.capacityProviders.join(', ') : 'none';
  const strategy = cluster.defaultCapacityProviderStrategy?.map((s) => s.capacityProvider).join(', ') || 'none';
  return {
    source: 'ecs:DescribeClusters',
    observed: `${name}: ${cluster.registeredContainerInstancesCount ?? '?'} registered container instance(s), ${cluster.pendingTasksCount ?? '?'} pending task(s); capacity providers: ${providers}; default strategy: ${strategy}`,
  };
}

/** The capacity providers the signal itself names: the re-checked tasks' own, or the placement failure's. */
function namedProviders(signal: Signal): string[] {
  if (signal.kind === 'pending-recheck') return signal.stuckTasks.map((t) => t.capacityProviderName ?? '');
  if (signal.kind === 'service-action') return (signal.detail.capacityProviderArns ?? []).map((arn) => arnName(arn) ?? '');
  return [];
}

/** The EC2 capacity providers that place this service's tasks (the service's strategy, else the cluster default unless it uses a launch type). */
function ec2Providers(signal: Signal, service: Service | undefined, cluster: Cluster | undefined): string[] {
  const strategy = service?.capacityProviderStrategy?.length
    ? service.capacityProviderStrategy
    : service?.launchType
      ? []
      : (cluster?.defaultCapacityProviderStrategy ?? []);
  const providers = [...strategy.map((s) => s.capacityProvider), ...namedProviders(signal)].filter(
    (p): p is string => !!p && !p.startsWith('FARGATE'),
  );
  return [...new Set(providers)];
}

function shortfall(service: Service | undefined, cluster: Cluster | undefined): string {
  const parts: string[] = [];
  if (service) {
    parts.push(`The service wants ${service.desiredCount ?? '?'} tasks and runs ${service.runningCount ?? '?'} (${service.pendingCount ?? '?'} pending)`);
  }
  if (cluster) parts.push(`the cluster has ${cluster.registeredContainerInstancesCount ?? '?'} registered instance(s)`);
  return parts.length ? ` ${parts.join('; ')}.` : '';
}

const inService = (group: AutoScalingGroup) => (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
const atMax = (group: AutoScalingGroup) => group.DesiredCapacity !== undefined && group.MaxSize !== undefined && group.DesiredCapacity >= group.MaxSize;

function groupEvidence(group: AutoScalingGroup): string {
  const instances = group.Instances ?? [];
  return `${group.AutoScalingGroupName}: min ${group.MinSize ?? '?'}, desired ${group.DesiredCapacity ?? '?'}, max ${group.MaxSize ?? '?'}${
    atMax(group) ? ' (at its max size)' : ''
  }; ${inService(group)} of ${instances.length} instance(s) InService`;
}

const asgCheck = (asg: string) =>
  `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${shellArg(asg, 'asg')} --query 'AutoScalingGroups[].[MinSize,DesiredCapacity,MaxSize]'`;
const activitiesCheck = (asg: string) => `aws autoscaling describe-scaling-activities --auto-scaling-group-name ${shellArg(asg, 'asg')} --max-items 5`;
const raiseMax = (group: AutoScalingGroup) =>
  `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${shellArg(group.AutoScalingGroupName, 'asg')} --max-size <more than ${group.MaxSize ?? 'the current max'}>`;

/**
 * PutClusterCapacityProviders replaces the cluster's providers and its default strategy: the command
 * names every provider and the default strategy the cluster already has, or it is not printed.
 */
function attachProvider(clusterName: string, cluster: Cluster | undefined): string[] {
  if (!cluster) {
    return [
      `aws ecs describe-clusters --clusters ${shellArg(clusterName, 'cluster')} --query 'clusters[0].[capacityProviders,defaultCapacityProviderStrategy]'`,
      'then add <capacity-provider> with put-cluster-capacity-providers, naming every provider and the default strategy this shows (the call replaces both).',
    ];
  }
  const providers = [...new Set([...(cluster.capacityProviders ?? []), '<capacity-provider>'])];
  const current = cluster.defaultCapacityProviderStrategy ?? [];
  const strategy = current.length
    ? current.map((s) => [`capacityProvider=${s.capacityProvider}`, `weight=${s.weight ?? 0}`, `base=${s.base ?? 0}`].join(','))
    : ['capacityProvider=<capacity-provider>,weight=1'];
  return [
    `aws ecs put-cluster-capacity-providers --cluster ${shellArg(clusterName, 'cluster')} --capacity-providers ${providers.join(' ')} --default-capacity-provider-strategy ${strategy.join(' ')}`,
  ];
}

async function readGroups(names: string[], context: InvestigationContext, evidence: Evidence[]): Promise<AutoScalingGroup[]> {
  if (names.length === 0) return [];
  const answer = await context.read(
    'autoscaling:DescribeAutoScalingGroups',
    { AutoScalingGroupNames: names },
    "the Auto Scaling groups' min/desired/max size and instances",
  );
  const groups = answer?.AutoScalingGroups ?? [];
  if (groups.length) evidence.push({ source: 'autoscaling:DescribeAutoScalingGroups', observed: groups.map(groupEvidence).join('; ') });
  return groups;
}

/** With managed scaling on: the group at its max, the group still launching, or the group not growing for a reason only its activities show. */
function scaledRefinement(clusterName: string, prefix: string, groups: AutoScalingGroup[], names: string[], context: InvestigationContext): Pick<Refinement, 'explanation' | 'fix'> {
  const full = groups.filter(atMax);
  if (full.length) {
    return {
      explanation: `${prefix} Managed scaling is on, but Auto Scaling group ${full.map((g) => `${g.AutoScalingGroupName} is at its max size (${g.MaxSize})`).join(', ')}: ECS asks for more instances and the group is not allowed to grow, so the tasks wait.`,
      fix: [
        'Raise the max size so managed scaling can add instances (and check the EC2 On-Demand vCPU quota covers it):',
        ...full.map(raiseMax),
        ...full.map((g) => activitiesCheck(g.AutoScalingGroupName ?? '')),
      ].join('\n'),
    };
  }
  const launching = groups.filter((g) => (g.DesiredCapacity ?? 0) > inService(g));
  if (launching.length) {
    return {
      explanation: `${prefix} Managed scaling is on and Auto Scaling group ${launching.map((g) => `${g.AutoScalingGroupName} is launching ${(g.DesiredCapacity ?? 0) - inService(g)} instance(s)`).join(', ')}: the tasks should be placed once those instances register. If they stay waiting, the instances are not registering with the cluster (ECS_CLUSTER in /etc/ecs/ecs.config, the instance role, a route to the ECS endpoint) or fail their launch.`,
      fix: [
        'Watch the launches and check the new instances register:',
        ...launching.map((g) => activitiesCheck(g.AutoScalingGroupName ?? '')),
        `aws ecs list-container-instances --cluster ${shellArg(clusterName, 'cluster')} --status ACTIVE`,
      ].join('\n'),
    };
  }
  if (groups.length) {
    context.unchecked(
      'why the Auto Scaling group is not launching instances (its scaling activities)',
      'autoscaling:DescribeScalingActivities is not a reader operation',
    );
  }
  return {
    explanation: `${prefix} Managed scaling is on, yet the tasks are not placed: ${
      groups.length ? 'the Auto Scaling group has room to grow and is not launching' : 'the Auto Scaling group is probably at its max size, or'
    } its instances fail to launch (EC2 vCPU limit, no capacity for the type, no free IPs) or to register, or one task needs more CPU/memory than an instance of this type has.`,
    fix: [
      "Check the group's size and why it is not launching:",
      ...names.map(asgCheck),
      ...names.map(activitiesCheck),
      'Raise the max size if it is the limit:',
      ...(names.length ? names : [undefined]).map((name) => `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${shellArg(name, 'asg')} --max-size <n>`),
    ].join('\n'),
  };
}

export async function investigateEc2Capacity(detection: Detection, signal: Signal, context: InvestigationContext): Promise<Refinement | undefined> {
  const resource = resourceOf(detection, signal);
  const clusterName = resource.cluster;
  if (!clusterName) {
    context.unchecked("the cluster's instances and scaling", 'the signal names no cluster');
    return undefined;
  }
  const service = await serviceOf(signal, resource, context, "the service's task counts and capacity provider strategy");
  const described = await context.read('ecs:DescribeClusters', { clusters: [clusterName] }, "the cluster's instances and capacity providers");
  const cluster = described?.clusters?.[0];
  const scaling = service ? await readServiceScaling(context, clusterName, service) : undefined;
  if (!service && !cluster) return undefined;

  const evidence: Evidence[] = [];
  if (service) evidence.push(serviceEvidence(service));
  evidence.push(...(scaling?.evidence ?? []));
  if (cluster) evidence.push(clusterEvidence(clusterName, cluster));
  const prefix = `${detection.explanation}${shortfall(service, cluster)}${scaling?.summary ? ` ${scaling.summary}` : ''}`;

  const providerNames = ec2Providers(signal, service, cluster);
  if (providerNames.length === 0) {
    return {
      evidence,
      explanation: `${prefix} Nothing scales this cluster: ${
        service?.launchType ? `the service uses launch type ${service.launchType}` : 'no EC2 capacity provider places these tasks'
      }, so the tasks wait for instances nobody adds.`,
      fix: [
        'Create a capacity provider with managed scaling for the Auto Scaling group and place the service on it:',
        'aws ecs create-capacity-provider --name <capacity-provider> --auto-scaling-group-provider "autoScalingGroupArn=<asg-arn>,managedScaling={status=ENABLED,targetCapacity=100},managedTerminationProtection=DISABLED"',
        ...attachProvider(clusterName, cluster),
        `aws ecs update-service ${serviceArgs(resource)} --capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1 --force-new-deployment`,
      ].join('\n'),
    };
  }

  const providersRead = await context.read(
    'ecs:DescribeCapacityProviders',
    { capacityProviders: providerNames },
    'whether managed scaling is on for the capacity providers',
  );
  const providers = providersRead?.capacityProviders ?? [];
  if (providers.length === 0) return { evidence, explanation: prefix };
  evidence.push({
    source: 'ecs:DescribeCapacityProviders',
    observed: providers
      .map((p) => {
        const scaling = p.autoScalingGroupProvider?.managedScaling;
        return `${p.name}: managed scaling ${scaling?.status ?? 'not set'}${scaling?.status === 'ENABLED' ? ` (target ${scaling.targetCapacity ?? '?'}%)` : ''}, Auto Scaling group ${asgName(p) ?? '?'}`;
      })
      .join('; '),
  });
  const names = [...new Set(providers.map((p) => asgName(p)).filter((n): n is string => !!n))];
  const groups = await readGroups(names, context, evidence);

  const unscaled = providers.filter((p) => p.autoScalingGroupProvider?.managedScaling?.status !== 'ENABLED');
  if (unscaled.length) {
    return {
      evidence,
      explanation: `${prefix} Capacity provider ${unscaled.map((p) => p.name).join(', ')} has managed scaling turned off, so ECS never asks its Auto Scaling group for more instances and the tasks wait.`,
      fix: [
        'Turn on managed scaling so ECS grows the Auto Scaling group when tasks cannot be placed:',
        ...unscaled.map(
          (p) => `aws ecs update-capacity-provider --name ${shellArg(p.name, 'capacity-provider')} --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"`,
        ),
        ...(groups.some(atMax)
          ? ['The group is also at its max size; raise it so it can grow:', ...groups.filter(atMax).map(raiseMax)]
          : groups.length
            ? groups.map((g) => `${g.AutoScalingGroupName} can then grow from ${g.DesiredCapacity ?? '?'} to its max size of ${g.MaxSize ?? '?'} instances.`)
            : ["Then check the group's max size leaves room to grow:", ...unscaled.map((p) => asgCheck(asgName(p) ?? ''))]),
      ].join('\n'),
    };
  }
  return { evidence, ...scaledRefinement(clusterName, prefix, groups, names, context) };
}
