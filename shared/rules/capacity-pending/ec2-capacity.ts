/** Why an EC2-backed cluster does not grow when tasks cannot be placed: the service, the cluster and its capacity providers. */
import type { CapacityProvider, Cluster, Service } from '@aws-sdk/client-ecs';
import { arnName } from '../../arn';
import type { Signal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { readService, serviceArgs, serviceEvidence } from '../awsvpc-ip-exhaustion/service';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';

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

/** The EC2 capacity providers that place this service's tasks (the service's strategy, else the cluster default unless it uses a launch type). */
function ec2Providers(signal: Signal, service: Service | undefined, cluster: Cluster | undefined): string[] {
  const strategy = service?.capacityProviderStrategy?.length
    ? service.capacityProviderStrategy
    : service?.launchType
      ? []
      : (cluster?.defaultCapacityProviderStrategy ?? []);
  const named = signal.kind === 'service-action' ? (signal.detail.capacityProviderArns ?? []).map(arnName) : [];
  const providers = [...strategy.map((s) => s.capacityProvider), ...named].filter((p): p is string => !!p && !p.startsWith('FARGATE'));
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

const asgCheck = (asg: string) =>
  `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${shellArg(asg, 'asg')} --query 'AutoScalingGroups[].[MinSize,DesiredCapacity,MaxSize]'`;

export async function investigateEc2Capacity(detection: Detection, signal: Signal, context: InvestigationContext): Promise<Refinement | undefined> {
  const clusterName = signal.resource.cluster;
  if (!clusterName) {
    context.unchecked("the cluster's instances and scaling", 'the signal names no cluster');
    return undefined;
  }
  const service = signal.resource.service
    ? await readService(context, signal.resource, "the service's task counts and capacity provider strategy")
    : undefined;
  const described = await context.read('ecs:DescribeClusters', { clusters: [clusterName] }, "the cluster's instances and capacity providers");
  const cluster = described?.clusters?.[0];
  if (!service && !cluster) return undefined;

  const evidence: Evidence[] = [];
  if (service) evidence.push(serviceEvidence(service));
  if (cluster) evidence.push(clusterEvidence(clusterName, cluster));
  const asgUnchecked = () =>
    context.unchecked("the Auto Scaling group's min/desired/max size and recent scaling activity", 'autoscaling:DescribeAutoScalingGroups is not in the reader yet');
  if (service) {
    context.unchecked("the service's auto scaling range", 'application-autoscaling:DescribeScalableTargets is not in the reader yet');
  }
  const gap = shortfall(service, cluster);

  const providerNames = ec2Providers(signal, service, cluster);
  if (providerNames.length === 0) {
    asgUnchecked();
    return {
      evidence,
      explanation: `${detection.explanation}${gap} Nothing scales this cluster: ${
        service?.launchType ? `the service uses launch type ${service.launchType}` : 'no EC2 capacity provider places these tasks'
      }, so the tasks wait for instances nobody adds.`,
      fix: [
        'Create a capacity provider with managed scaling for the Auto Scaling group and place the service on it:',
        'aws ecs create-capacity-provider --name <capacity-provider> --auto-scaling-group-provider "autoScalingGroupArn=<asg-arn>,managedScaling={status=ENABLED,targetCapacity=100},managedTerminationProtection=DISABLED"',
        `aws ecs put-cluster-capacity-providers --cluster ${shellArg(clusterName, 'cluster')} --capacity-providers <capacity-provider> ${
          cluster?.capacityProviders?.length ? `${cluster.capacityProviders.join(' ')} ` : ''
        }--default-capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1`,
        `aws ecs update-service ${serviceArgs(signal.resource)} --capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1 --force-new-deployment`,
      ].join('\n'),
    };
  }

  const providersRead = await context.read(
    'ecs:DescribeCapacityProviders',
    { capacityProviders: providerNames },
    'whether managed scaling is on for the capacity providers',
  );
  asgUnchecked();
  const providers = providersRead?.capacityProviders ?? [];
  if (providers.length === 0) return { evidence };
  evidence.push({
    source: 'ecs:DescribeCapacityProviders',
    observed: providers
      .map((p) => {
        const scaling = p.autoScalingGroupProvider?.managedScaling;
        return `${p.name}: managed scaling ${scaling?.status ?? 'not set'}${scaling?.status === 'ENABLED' ? ` (target ${scaling.targetCapacity ?? '?'}%)` : ''}, Auto Scaling group ${asgName(p) ?? '?'}`;
      })
      .join('; '),
  });

  const unscaled = providers.filter((p) => p.autoScalingGroupProvider?.managedScaling?.status !== 'ENABLED');
  if (unscaled.length) {
    return {
      evidence,
      explanation: `${detection.explanation}${gap} Capacity provider ${unscaled.map((p) => p.name).join(', ')} has managed scaling turned off, so ECS never asks its Auto Scaling group for more instances and the tasks wait.`,
      fix: [
        'Turn on managed scaling so ECS grows the Auto Scaling group when tasks cannot be placed:',
        ...unscaled.map(
          (p) => `aws ecs update-capacity-provider --name ${shellArg(p.name, 'capacity-provider')} --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"`,
        ),
        "Then check the group's max size leaves room to grow:",
        ...unscaled.map((p) => asgCheck(asgName(p) ?? '')),
      ].join('\n'),
    };
  }
  const groups = providers.map((p) => asgName(p) ?? '');
  return {
    evidence,
    explanation: `${detection.explanation}${gap} Managed scaling is on, yet the tasks are not placed: the Auto Scaling group is probably at its max size, its instances fail to launch (EC2 vCPU limit, no capacity for the type, no free IPs) or to register, or one task needs more CPU/memory than an instance of this type has.`,
    fix: [
      "Check the group's size and why it is not launching:",
      ...groups.map(asgCheck),
      ...groups.map((g) => `aws autoscaling describe-scaling-activities --auto-scaling-group-name ${shellArg(g, 'asg')} --max-items 5`),
      'Raise the max size if it is the limit: aws autoscaling update-auto-scaling-group --auto-scaling-group-name <asg> --max-size <n>',
    ].join('\n'),
  };
}
