import type { Evidence, ResourceRef, Severity } from '../../findings';
import type { SignalOf } from '../../events/signals';
import { networkConfigurationArg, readService, serviceArgs, serviceEvidence, serviceNamedIn } from '../awsvpc-ip-exhaustion/service';
import { type Detection, defineRule, type Specificity } from '../rule';
import { firstMatch, quoted, shellArg } from '../text';
import { investigateEc2Capacity } from './ec2-capacity';

/**
 * Seed footgun 8: service auto scaling is not cluster auto scaling. The service
 * asks for more tasks, nothing adds instances, and tasks wait unplaced. Also the
 * Fargate-side equivalents: no spare capacity in the AZ, account quotas.
 * RESOURCE:ENI belongs to awsvpc-ip-exhaustion, ATTRIBUTE/AGENT to the agent rules.
 */
type Kind = 'text' | 'task-stopped' | 'service-action' | 'api-call';

interface Cause {
  id: string;
  patterns: RegExp[];
  specificity: Specificity;
  severity?: Severity;
  explanation: string;
}

const NOT_CLUSTER_SCALING =
  'Service auto scaling only changes the number of tasks; it never adds EC2 instances. Only cluster auto scaling (a capacity provider with managed scaling on an Auto Scaling group) grows the cluster when tasks cannot be placed.';

const causes: readonly Cause[] = [
  {
    id: 'quota',
    patterns: [
      /reached the limit on the number of vCPUs/i,
      /reached the limit on the number of tasks you can run concurrently/i,
      /requested (?:CPU|MEMORY) configuration is above your limit/i,
    ],
    specificity: 'root-cause',
    explanation:
      'The account reached an ECS/Fargate quota in this Region (concurrent vCPUs, concurrent tasks, or the largest task size it may run), so ECS refuses to start more tasks. RunTask still answers HTTP 200 and puts the refusal in failures[], so callers that only check the status code never notice.',
  },
  {
    id: 'provisioning-limit',
    patterns: [/tasks provisioning capacity limit was exceeded/i],
    specificity: 'root-cause',
    explanation:
      'Too many tasks are waiting in PROVISIONING for capacity (ECS allows 500 per cluster): the capacity provider is not adding instances fast enough, or at all, so new tasks are refused.',
  },
  {
    id: 'fargate-capacity',
    patterns: [/RESOURCE:FARGATE\b/i, /Capacity is unavailable at this time/i],
    specificity: 'root-cause',
    severity: 'warning',
    explanation:
      'Fargate had no spare capacity for this task in the chosen Availability Zone(s) at that moment (Fargate Spot runs out first). It is usually transient and a service keeps retrying, but a service whose subnets are all in one AZ, or that runs only on FARGATE_SPOT, stays short until capacity returns.',
  },
  {
    id: 'insufficient-cpu',
    patterns: [/RESOURCE:CPU\b/i, /insufficient CPU units available/i],
    specificity: 'root-cause',
    explanation: `No container instance has enough unreserved CPU for the task, so ECS cannot place it and the service stays below its desired count with tasks piling up unplaced. ${NOT_CLUSTER_SCALING}`,
  },
  {
    id: 'insufficient-memory',
    patterns: [/RESOURCE:MEMORY\b/i, /insufficient memory available/i],
    specificity: 'root-cause',
    explanation: `No container instance has enough unreserved memory for the task, so ECS cannot place it and the service stays below its desired count with tasks piling up unplaced. ${NOT_CLUSTER_SCALING}`,
  },
  {
    id: 'no-instances',
    patterns: [/No Container Instances were found in your (?:cluster|capacity provider)/i, /NO ACTIVE INSTANCES/i, /EMPTY CAPACITY PROVIDER/i],
    // The message names the symptom; why there are no instances varies.
    specificity: 'symptom',
    explanation: `There is no registered, ACTIVE container instance to place the tasks on. ${NOT_CLUSTER_SCALING} Other causes of the same message: the Auto Scaling group is at 0 or at its maximum; instances launch but do not register (ECS_CLUSTER in /etc/ecs/ecs.config names another cluster, the instance role lacks AmazonEC2ContainerServiceforEC2Role, or there is no route to the ECS endpoint); instances cannot launch at all (EC2 vCPU limit, no capacity for the instance type, no free IPs in the subnets); or the service passes a launch type while the cluster only has capacity providers.`,
  },
];

/** RunTask answers 200 with refusals in responseElements.failures[].reason; a failed call has its errorMessage. */
function failureText(signal: SignalOf<Kind>): string {
  if (signal.kind !== 'api-call') return signal.text;
  const failures = (signal.detail.responseElements as { failures?: { reason?: unknown }[] } | null | undefined)?.failures;
  const reasons = Array.isArray(failures) ? failures.map((f) => (typeof f?.reason === 'string' ? f.reason : '')).filter(Boolean) : [];
  return [signal.text, ...reasons].filter(Boolean).join('\n');
}

const scalingFix = (cluster: string, service: string) =>
  [
    'Turn on managed scaling on the capacity provider so ECS grows its Auto Scaling group when tasks cannot be placed:',
    'aws ecs update-capacity-provider --name <capacity-provider> --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"',
    `If the service uses a launch type instead of a capacity provider, move it onto one: aws ecs update-service --cluster ${cluster} --service ${service} --capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1 --force-new-deployment`,
    "Either way, the Auto Scaling group's max size caps how far the cluster can grow.",
  ].join('\n');

function fixFor(cause: string, resource: ResourceRef): string {
  const cluster = shellArg(resource.cluster, 'cluster');
  const service = shellArg(resource.service, 'service');
  switch (cause) {
    case 'quota':
      return [
        'Find the quota and ask for more (Fargate On-Demand vCPU resource count, or the Spot one):',
        "aws service-quotas list-service-quotas --service-code fargate --query \"Quotas[].[QuotaName,QuotaCode,Value]\" --output table",
        'aws service-quotas request-service-quota-increase --service-code fargate --quota-code <quota-code> --desired-value <vcpus>',
        'Meanwhile lower the task cpu or the maximum task count, and treat RunTask failures[] as errors.',
      ].join('\n');
    case 'fargate-capacity':
      return [
        'Give the service subnets in more Availability Zones, and a FARGATE fallback next to FARGATE_SPOT:',
        `aws ecs update-service --cluster ${cluster} --service ${service} --capacity-provider-strategy capacityProvider=FARGATE,base=1,weight=1 capacityProvider=FARGATE_SPOT,weight=3`,
        'For RunTask, retry later (the re:Post guide suggests Step Functions retries) or try another cpu/memory size.',
      ].join('\n');
    default:
      return scalingFix(cluster, service);
  }
}

export default defineRule({
  meta: {
    id: 'capacity-pending',
    title: 'Tasks cannot be placed: the cluster or Fargate has no capacity for them',
    seed: 8,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'service-action', 'api-call'],
    triggers:
      'SERVICE_TASK_PLACEMENT_FAILURE with RESOURCE:CPU / RESOURCE:MEMORY / RESOURCE:FARGATE; "No Container Instances were found in your capacity provider/cluster"; "has insufficient CPU units / memory available"; "TaskFailedToStart: NO ACTIVE INSTANCES / EMPTY CAPACITY PROVIDER"; "Capacity is unavailable at this time"; "the tasks provisioning capacity limit was exceeded"; "You\'ve reached the limit on the number of vCPUs / tasks" (also in RunTask failures[])',
    checks: [
      "the service's desired, running and pending counts and how it is placed (ecs:DescribeServices)",
      "the cluster's registered instances, pending tasks and capacity providers (ecs:DescribeClusters)",
      'whether managed scaling is on for the EC2 capacity providers (ecs:DescribeCapacityProviders)',
      'for Fargate capacity: how many Availability Zones the service subnets span (ec2:DescribeSubnets)',
    ],
    needs: ['ecs:DescribeServices', 'ecs:DescribeClusters', 'ecs:DescribeCapacityProviders', 'ec2:DescribeSubnets'],
    causes: causes.map((c) => c.id),
    autoFix: null,
  },

  detect(signal): Detection | null {
    const text = failureText(signal);
    const cause = causes.find((c) => firstMatch(text, c.patterns));
    if (!cause) return null;
    const evidence: Evidence[] = [quoted(signal.kind === 'api-call' && text !== signal.text ? 'detail.responseElements.failures' : signal.source, text)];
    const named = signal.resource.service ? undefined : serviceNamedIn(text);
    return {
      cause: cause.id,
      specificity: cause.specificity,
      ...(cause.severity ? { severity: cause.severity } : {}),
      explanation: cause.explanation,
      fix: fixFor(cause.id, named ? { ...signal.resource, service: named } : signal.resource),
      evidence,
      ...(named ? { resource: { service: named } } : {}),
    };
  },

  async investigate(detection, signal, context) {
    if (detection.cause === 'quota') {
      context.unchecked("the account's Fargate vCPU quota and current usage", 'service-quotas:GetServiceQuota is not in the reader yet');
      return undefined;
    }
    if (detection.cause === 'fargate-capacity') {
      const service = await readService(context, signal.resource, "the service's subnets and capacity providers");
      if (!service) return undefined;
      const awsvpc = service.networkConfiguration?.awsvpcConfiguration;
      const evidence = [serviceEvidence(service)];
      const subnets = awsvpc?.subnets ?? [];
      if (subnets.length === 0) return { evidence };
      const described = await context.read('ec2:DescribeSubnets', { SubnetIds: subnets }, 'which Availability Zones the service subnets are in');
      if (!described) return { evidence };
      const zones = [...new Set((described.Subnets ?? []).map((s) => s.AvailabilityZone ?? '?'))];
      evidence.push({ source: 'ec2:DescribeSubnets', observed: `${subnets.length} subnet(s) in ${zones.length} Availability Zone(s): ${zones.join(', ')}` });
      if (zones.length > 1) return { evidence };
      return {
        evidence,
        explanation: `${detection.explanation} All of this service's subnets are in ${zones[0]}, so when that zone is short of Fargate capacity no task can start anywhere.`,
        fix: [
          'Add subnets in other Availability Zones to the service:',
          `aws ecs update-service ${serviceArgs(signal.resource)} --network-configuration ${networkConfigurationArg(awsvpc, [...subnets, '<subnet-in-another-az>'])}`,
        ].join('\n'),
      };
    }
    return investigateEc2Capacity(detection, signal, context);
  },
});
