import { arnName } from '../../arn';
import type { ApiCallSignal, SignalOf } from '../../events/signals';
import { percentsText, serviceNamedIn } from '../../facts/service';
import type { Detection } from '../rule';
import { anyOf, matchesAny, quoted, shellArg } from '../text';

/** The deadlock texts detect.ts claims, all of them. */
const deadlockMessage = anyOf([
  /unable to stop or start tasks during a deployment/i,
  /Update the minimumHealthyPercent or maximumPercent value/i,
]);

type Cause = 'zero-capacity' | 'deployment-deadlock';

/** The API calls whose request sets a service's deployment configuration. */
const configuringCalls = new Set(['CreateService', 'UpdateService']);

export interface DeploymentConfigDetection extends Detection {
  cause: Cause;
}

/**
 * What the percentages allow with `desired` tasks. ECS rounds the minimum up
 * and the maximum down (ECS Developer Guide, service event messages: minimum
 * 75% of 2 cannot stop a task; maximum 125% of 3 cannot start one).
 */
export function deploymentRoom(desired: number, min: number, max: number): { canStop: boolean; canStart: boolean } {
  return {
    canStop: desired - Math.ceil((desired * min) / 100) > 0,
    canStart: Math.floor((desired * max) / 100) - desired > 0,
  };
}

function isDeadlock(min: number | undefined, max: number | undefined, desired: number | undefined): boolean {
  if (min === undefined || max === undefined) return false;
  // min ≥ 100 and max ≤ 100 leave no room for any desired count.
  if (desired === undefined || desired < 1) return min >= 100 && max <= 100;
  const room = deploymentRoom(desired, min, max);
  return !room.canStop && !room.canStart;
}

function numberField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function recordField(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The service an API call configures: CreateService names it in `serviceName`, UpdateService in `service`. */
function calledService(request: Record<string, unknown>): { cluster: string; service: string | undefined } {
  const named = request.serviceName ?? request.service;
  const service = typeof named === 'string' ? (arnName(named) ?? named) : undefined;
  const cluster = typeof request.cluster === 'string' ? (arnName(request.cluster) ?? request.cluster) : 'default';
  return { cluster, service };
}

export const zeroCapacityExplanation =
  'minimumHealthyPercent 0 lets ECS stop every running task of the service before the new ones are healthy. During each deployment the service has zero capacity until the new tasks pass their health checks, and if the new revision is broken it stays at zero until someone rolls back. Since November 2025 Fargate rolling deployments respect this setting too, so it is no longer harmless on Fargate.';
const singleTaskNote = ' With desiredCount 1 every deployment is an outage.';
export const deadlockExplanation =
  'The deployment cannot make progress: the minimum healthy percent forbids ECS from stopping an old task, and the maximum percent forbids it from starting a new one, so the new revision never rolls out (the old tasks keep running). ECS rounds the minimum up and the maximum down: minimum 75% of 2 tasks cannot stop any task, maximum 125% of 3 tasks cannot start any. Since November 2025 Fargate rolling deployments respect these settings too.';

function updateCommand(cluster: string | undefined, service: string | undefined, configuration: string): string {
  // Quoted when it holds braces: unquoted, the shell would brace-expand {enable=true,rollback=true}.
  const argument = configuration.includes('{') ? `"${configuration}"` : configuration;
  return `aws ecs update-service --cluster ${shellArg(cluster, 'cluster')} --service ${shellArg(service, 'service')} --deployment-configuration ${argument}`;
}

/** The fix: start new tasks before stopping old ones; the cost-constrained alternative only when it does not deadlock. */
export function fixFor(cause: Cause, cluster: string | undefined, service: string | undefined, desired: number | undefined, rollbackOff: boolean): string {
  const breaker = rollbackOff ? 'deploymentCircuitBreaker={enable=true,rollback=true},' : '';
  const lines = [updateCommand(cluster, service, `${breaker}minimumHealthyPercent=100,maximumPercent=200`)];
  lines.push('# 100/200 starts new tasks before stopping old ones: never below desiredCount, briefly double capacity.');
  if (desired === undefined || desired >= 2) {
    // Stop one task at a time (or half, when the count is unknown) and never start extra ones.
    const min = desired === undefined ? 50 : Math.floor((100 * (desired - 1)) / desired);
    const kept = desired === undefined ? 'half the' : `${Math.ceil((desired * min) / 100)} of ${desired}`;
    lines.push(`# without room for extra tasks (cost-constrained): minimumHealthyPercent=${min},maximumPercent=100 keeps ${kept} tasks serving during a deploy.`);
  }
  if (cause === 'zero-capacity' && rollbackOff) lines.push('# rollback=true returns a broken revision to the last working one automatically.');
  return lines.join('\n');
}

function detectApiCall(signal: ApiCallSignal): DeploymentConfigDetection | null {
  const { detail } = signal;
  if (!configuringCalls.has(detail.eventName) || detail.errorCode) return null;
  const request = recordField(detail.requestParameters);
  const config = recordField(request?.deploymentConfiguration);
  if (!request || !config) return null;
  // DAEMON services replace tasks in place: minimumHealthyPercent 0 is their default, not a mistake.
  if (request.schedulingStrategy === 'DAEMON') return null;
  const min = numberField(config.minimumHealthyPercent);
  const max = numberField(config.maximumPercent);
  const desired = numberField(request.desiredCount);
  const cause: Cause | null = min === 0 ? 'zero-capacity' : isDeadlock(min, max, desired) ? 'deployment-deadlock' : null;
  if (!cause) return null;
  const { cluster, service } = calledService(request);
  const observed = `${detail.eventName} by ${detail.userIdentity?.arn ?? 'an unknown principal'}: ${percentsText(min, max)}${desired !== undefined ? `, desiredCount ${desired}` : ''}`;
  return {
    cause,
    specificity: 'root-cause',
    severity: cause === 'zero-capacity' ? 'critical' : 'warning',
    explanation: cause === 'zero-capacity' ? `${zeroCapacityExplanation}${desired === undefined || desired === 1 ? singleTaskNote : ''}` : deadlockExplanation,
    fix: fixFor(cause, cluster, service, desired, false),
    evidence: [{ source: 'detail.requestParameters.deploymentConfiguration', observed }],
    resource: service ? { cluster, service } : { cluster },
  };
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'api-call'>): DeploymentConfigDetection | null {
  if (signal.kind === 'api-call') return detectApiCall(signal);
  if (!matchesAny(signal.text, deadlockMessage)) return null;
  const service = serviceNamedIn(signal.text);
  return {
    cause: 'deployment-deadlock',
    specificity: 'root-cause',
    explanation: deadlockExplanation,
    fix: fixFor('deployment-deadlock', undefined, service, undefined, false),
    evidence: [quoted(signal.source, signal.text)],
    ...(service ? { resource: { service } } : {}),
  };
}

