import type { SignalOf } from '../../events/signals';
import type { Detection } from '../rule';
import { anyOf, arnsIn, firstMatch, quoted, shellArg } from '../text';
import { serviceNamedIn } from '../../facts/service';
import { otherContainerCauses, otherElbCauses } from './verdict';

export type HealthCheckKind = 'elb' | 'container';

const elbKill = anyOf([
  /Task failed ELB health checks/i,
  // Scheduler event: "(service X) (port 8000) is unhealthy in (target-group arn:…) due to (reason Health checks failed)."
  /is unhealthy in \(?(?:target-group|elb)\b/i,
]);
const containerKill = anyOf([/failed container health checks/i]);

const causeOf: Record<HealthCheckKind, string> = { elb: 'elb-health-check', container: 'container-health-check' };

export interface HealthCheckDetection extends Detection {
  kind: HealthCheckKind;
  targetGroups: string[];
}

function explanationFor(kind: HealthCheckKind): string {
  return kind === 'elb'
    ? `ECS stopped the task because the load balancer marked it unhealthy, and started a replacement. When this repeats right after start, the health-check grace period is shorter than the app's start-up: the target group checks the task as soon as it registers, the app is still booting, it fails the unhealthy-threshold number of checks in a row, ECS replaces it, and the new task boots just as slowly, in an endless loop. ${otherElbCauses}`
    : `ECS stopped the task because an essential container's own health check (healthCheck in the task definition) reported UNHEALTHY, and started a replacement. When this repeats right after start, the check begins before the app is ready: healthCheck.startPeriod and the service's health-check grace period are shorter than start-up. ${otherContainerCauses}`;
}

function genericFix(kind: HealthCheckKind, cluster: string | undefined, service: string | undefined, targetGroup: string | undefined): string {
  const update = `aws ecs update-service --cluster ${shellArg(cluster, 'cluster')} --service ${shellArg(service, 'service')} --health-check-grace-period-seconds <1.5 × start-up seconds>`;
  return kind === 'elb'
    ? [
        update,
        'then see why targets fail (Target.Timeout, Target.ResponseCodeMismatch, Target.FailedHealthChecks):',
        `aws elbv2 describe-target-health --target-group-arn ${shellArg(targetGroup, 'target-group-arn')}`,
      ].join('\n')
    : [
        'in the task definition, set the container\'s "healthCheck": { …, "startPeriod": <1.5 × start-up seconds, at most 300> }, register the revision and update the service, or:',
        update,
      ].join('\n');
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped'>): HealthCheckDetection | null {
  const kind: HealthCheckKind | null = firstMatch(signal.text, elbKill) ? 'elb' : firstMatch(signal.text, containerKill) ? 'container' : null;
  if (!kind) return null;
  const targetGroups = arnsIn(signal.text, 'elasticloadbalancing');
  const service = signal.resource.service ?? serviceNamedIn(signal.text);
  return {
    cause: causeOf[kind],
    specificity: 'symptom',
    explanation: explanationFor(kind),
    fix: genericFix(kind, signal.resource.cluster, service, targetGroups[0]),
    evidence: [quoted(signal.source, signal.text)],
    ...(service && !signal.resource.service ? { resource: { service } } : {}),
    kind,
    targetGroups,
  };
}
