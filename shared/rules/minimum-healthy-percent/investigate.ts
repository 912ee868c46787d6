import type { Service } from '@aws-sdk/client-ecs';
import type { SignalOf } from '../../events/signals';
import type { Evidence, Severity } from '../../findings';
import { describeService, missingTargetReason, percentsText, serviceTarget } from '../../facts/service';
import type { InvestigationContext, Refinement } from '../rule';
import { deadlockExplanation, type DeploymentConfigDetection, deploymentRoom, fixFor, zeroCapacityExplanation } from './detect';

function describeConfiguration(service: Service): string {
  const config = service.deploymentConfiguration;
  const breaker = config?.deploymentCircuitBreaker;
  const alarms = config?.alarms;
  return [
    `desiredCount ${service.desiredCount ?? '?'} (${service.runningCount ?? '?'} running)`,
    percentsText(config?.minimumHealthyPercent, config?.maximumPercent),
    `circuit breaker ${breaker?.enable ? `on, rollback ${breaker.rollback ? 'on' : 'off'}` : 'off'}`,
    `deployment alarms ${alarms?.enable ? `on (${(alarms.alarmNames ?? []).join(', ')}), rollback ${alarms.rollback ? 'on' : 'off'}` : 'off'}`,
    `launch ${service.launchType ?? ((service.capacityProviderStrategy ?? []).map((s) => s.capacityProvider).join('+') || '?')}`,
  ].join('; ');
}

function refine(detection: DeploymentConfigDetection, service: Service, target: { cluster: string; service: string }): Refinement {
  const evidence: Evidence[] = [{ source: 'ecs:DescribeServices', observed: describeConfiguration(service) }];
  const config = service.deploymentConfiguration;
  const min = config?.minimumHealthyPercent;
  const max = config?.maximumPercent;
  const desired = service.desiredCount;
  const rollbackOff = !(config?.deploymentCircuitBreaker?.enable && config.deploymentCircuitBreaker.rollback);
  const fix = fixFor(detection.cause, target.cluster, target.service, desired, rollbackOff);

  if (service.schedulingStrategy === 'DAEMON') {
    return { evidence, severity: 'info', explanation: 'This is a DAEMON service: it replaces its one task per instance in place, so minimumHealthyPercent 0 is its default and expected.' };
  }

  if (detection.cause === 'zero-capacity') {
    if (min !== 0) {
      return {
        evidence,
        severity: 'info',
        explanation: `A call set minimumHealthyPercent 0 on service ${target.service}, but the service now runs with ${percentsText(min, max)}: it has been changed since. ${zeroCapacityExplanation}`,
      };
    }
    const severity: Severity = 'critical';
    const single = desired === 1 ? ` Service ${target.service} runs a single task (desiredCount 1), so every deployment is an outage.` : '';
    const breaker = rollbackOff
      ? ' Its circuit breaker does not roll back, so a broken revision leaves it at zero capacity until someone rolls back by hand.'
      : ' Its circuit breaker rolls a broken revision back, but the service still has no capacity while that happens.';
    return { evidence, severity, fix, explanation: `${zeroCapacityExplanation}${single}${breaker}` };
  }

  if (desired !== undefined && min !== undefined && max !== undefined && desired >= 1) {
    const room = deploymentRoom(desired, min, max);
    const stopText = `with ${desired} desired task${desired === 1 ? '' : 's'}, minimumHealthyPercent ${min} keeps at least ${Math.ceil((desired * min) / 100)} running (so ECS ${room.canStop ? 'can' : 'cannot'} stop one first)`;
    const startText = `maximumPercent ${max} allows at most ${Math.floor((desired * max) / 100)} (so ECS ${room.canStart ? 'can' : 'cannot'} start one first)`;
    const state = room.canStop || room.canStart ? 'The current settings leave room, so the deadlock has been fixed since.' : 'The current settings still deadlock every deployment.';
    return { evidence, fix, severity: room.canStop || room.canStart ? 'info' : 'warning', explanation: `${deadlockExplanation} For service ${target.service}: ${stopText}, and ${startText}. ${state}` };
  }
  return { evidence, fix };
}

export default async function investigate(detection: DeploymentConfigDetection, signal: SignalOf<'text' | 'api-call'>, context: InvestigationContext): Promise<Refinement | undefined> {
  const resource = { ...signal.resource, ...detection.resource };
  const target = serviceTarget(resource);
  if (!target) {
    context.unchecked("the service's desired count and deployment configuration", missingTargetReason(resource));
    return undefined;
  }
  const service = await describeService(context, target, "the service's desired count and deployment configuration");
  return service ? refine(detection, service, target) : undefined;
}
