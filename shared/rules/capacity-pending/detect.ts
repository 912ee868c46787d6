import { arnName } from '../../arn';
import type { PendingRecheckSignal, SignalOf } from '../../events/signals';
import type { Evidence, ResourceRef, Severity } from '../../findings';
import { serviceNamedIn } from '../../facts/service-placement';
import type { Detection, Specificity } from '../rule';
import { anyOf, firstMatch, type Patterns, quoted, shellArg } from '../text';
import { messagesSinceSteadyState, pileupExplanation, stuckSummary } from './pending';

type Kind = 'text' | 'task-stopped' | 'service-action' | 'api-call' | 'pending-recheck';

interface Cause {
  id: string;
  patterns: Patterns;
  specificity: Specificity;
  severity?: Severity;
  explanation: string;
}

const NOT_CLUSTER_SCALING =
  'Service auto scaling only changes the number of tasks; it never adds EC2 instances. Only cluster auto scaling (a capacity provider with managed scaling on an Auto Scaling group) grows the cluster when tasks cannot be placed.';

const causes: readonly Cause[] = [
  {
    id: 'quota',
    patterns: anyOf([
      /reached the limit on the number of vCPUs/i,
      /reached the limit on the number of tasks you can run concurrently/i,
      /requested (?:CPU|MEMORY) configuration is above your limit/i,
    ]),
    specificity: 'root-cause',
    explanation:
      'The account reached an ECS/Fargate quota in this Region (concurrent vCPUs, concurrent tasks, or the largest task size it may run), so ECS refuses to start more tasks. RunTask still answers HTTP 200 and puts the refusal in failures[], so callers that only check the status code never notice.',
  },
  {
    id: 'provisioning-limit',
    patterns: anyOf([/tasks provisioning capacity limit was exceeded/i]),
    specificity: 'root-cause',
    explanation:
      'Too many tasks are waiting in PROVISIONING for capacity (ECS allows 500 per cluster): the capacity provider is not adding instances fast enough, or at all, so new tasks are refused.',
  },
  {
    id: 'fargate-capacity',
    patterns: anyOf([/RESOURCE:FARGATE\b/i, /Capacity is unavailable at this time/i]),
    specificity: 'root-cause',
    severity: 'warning',
    explanation:
      'Fargate had no spare capacity for this task in the chosen Availability Zone(s) at that moment (Fargate Spot runs out first). It is usually transient and a service keeps retrying, but a service whose subnets are all in one AZ, or that runs only on FARGATE_SPOT, stays short until capacity returns.',
  },
  {
    id: 'insufficient-cpu',
    patterns: anyOf([/RESOURCE:CPU\b/i, /insufficient CPU units available/i]),
    specificity: 'root-cause',
    explanation: `No container instance has enough unreserved CPU for the task, so ECS cannot place it and the service stays below its desired count with tasks piling up unplaced. ${NOT_CLUSTER_SCALING}`,
  },
  {
    id: 'insufficient-memory',
    patterns: anyOf([/RESOURCE:MEMORY\b/i, /insufficient memory available/i]),
    specificity: 'root-cause',
    explanation: `No container instance has enough unreserved memory for the task, so ECS cannot place it and the service stays below its desired count with tasks piling up unplaced. ${NOT_CLUSTER_SCALING}`,
  },
  {
    id: 'no-instances',
    patterns: anyOf([/No Container Instances were found in your (?:cluster|capacity provider)/i, /NO ACTIVE INSTANCES/i, /EMPTY CAPACITY PROVIDER/i]),
    // The message names the symptom; why there are no instances varies.
    specificity: 'symptom',
    explanation: `There is no registered, ACTIVE container instance to place the tasks on. ${NOT_CLUSTER_SCALING} Other causes of the same message: the Auto Scaling group is at 0 or at its maximum; instances launch but do not register (ECS_CLUSTER in /etc/ecs/ecs.config names another cluster, the instance role lacks AmazonEC2ContainerServiceforEC2Role, or there is no route to the ECS endpoint); instances cannot launch at all (EC2 vCPU limit, no capacity for the instance type, no free IPs in the subnets); or the service passes a launch type while the cluster only has capacity providers.`,
  },
];

/** RunTask answers 200 with refusals in responseElements.failures[].reason; a failed call has its errorMessage. */
function failureText(signal: SignalOf<Exclude<Kind, 'pending-recheck'>>): string {
  if (signal.kind !== 'api-call') return signal.text;
  const failures = (signal.detail.responseElements as { failures?: { reason?: unknown }[] } | null | undefined)?.failures;
  const reasons = Array.isArray(failures) ? failures.map((f) => (typeof f?.reason === 'string' ? f.reason : '')).filter(Boolean) : [];
  return [signal.text, ...reasons].filter(Boolean).join('\n');
}

const scalingFix = (cluster: string, service: string) =>
  [
    'Turn on managed scaling on the capacity provider so ECS grows its Auto Scaling group when tasks cannot be placed:',
    'aws ecs update-capacity-provider --name <capacity-provider> --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"',
    'If the service uses a launch type instead of a capacity provider, move it onto one:',
    `aws ecs update-service --cluster ${cluster} --service ${service} --capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1 --force-new-deployment`,
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
        `aws ecs update-service --cluster ${cluster} --service ${service} --capacity-provider-strategy capacityProvider=FARGATE,base=1,weight=1 capacityProvider=FARGATE_SPOT,weight=3 --force-new-deployment`,
        'For RunTask, retry later (the re:Post guide suggests Step Functions retries) or try another cpu/memory size.',
      ].join('\n');
    default:
      return scalingFix(cluster, service);
  }
}

/** The re-check's own cause: tasks still before RUNNING, and no service event naming why. */
export const STUCK = 'stuck-pending';

function pileupResource(signal: PendingRecheckSignal): ResourceRef {
  const resource: ResourceRef = {};
  const cluster = signal.resource.cluster ?? arnName(signal.service.clusterArn);
  const service = signal.resource.service ?? signal.service.serviceName;
  if (cluster && !signal.resource.cluster) resource.cluster = cluster;
  if (service && !signal.resource.service) resource.service = service;
  return resource;
}

/**
 * The re-check carries the service and its stuck tasks. The cause is decided
 * here, from that copy, and investigation never changes it, so the incident
 * fingerprint (taken before enrichment) stays the same.
 */
function detectPileup(signal: PendingRecheckSignal): Detection | null {
  const { service, stuckTasks, waitedSeconds } = signal;
  if (stuckTasks.length === 0) return null;
  const resource = pileupResource(signal);
  const evidence: Evidence[] = [{ source: 'ecs:DescribeTasks', observed: stuckSummary(stuckTasks, waitedSeconds) }];
  const short = (service.runningCount ?? 0) < (service.desiredCount ?? 0);
  const severity: Severity = short ? 'critical' : 'warning';
  const pileup = pileupExplanation(service, stuckTasks, waitedSeconds);
  const fixResource = { ...signal.resource, ...resource };
  for (const message of messagesSinceSteadyState(service)) {
    const cause = causes.find((c) => firstMatch(message, c.patterns));
    if (!cause) continue;
    evidence.push(quoted('ecs:DescribeServices events', message));
    return {
      cause: cause.id,
      specificity: cause.specificity,
      severity: cause.severity ?? severity,
      explanation: `${pileup} A service event since its last steady state says why: ${cause.explanation}`,
      fix: fixFor(cause.id, fixResource),
      evidence,
      ...(Object.keys(resource).length ? { resource } : {}),
    };
  }
  const cluster = shellArg(fixResource.cluster, 'cluster');
  return {
    cause: STUCK,
    specificity: 'symptom',
    severity,
    explanation: pileup,
    fix: [
      'See where each task waits (PROVISIONING: capacity; PENDING: image pull or agent):',
      `aws ecs describe-tasks --cluster ${cluster} --tasks ${stuckTasks.map((t) => shellArg(t.taskArn, 'task-arn')).join(' ')} --query 'tasks[].[lastStatus,capacityProviderName,containerInstanceArn,pullStartedAt]'`,
      `aws ecs describe-services --cluster ${cluster} --services ${shellArg(fixResource.service, 'service')} --query 'services[0].events[:5].message'`,
    ].join('\n'),
    evidence,
    ...(Object.keys(resource).length ? { resource } : {}),
  };
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'service-action' | 'api-call' | 'pending-recheck'>): Detection | null {
  if (signal.kind === 'pending-recheck') return detectPileup(signal);
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
}

