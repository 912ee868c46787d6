import type { Service } from '@aws-sdk/client-ecs';
import { defineRemedy } from '../../remedy';
import { shellArg } from '../../text';
import { containerChecks } from '../start-up';
import { loopOngoing, otherCausesOf, recommendedSeconds } from '../verdict';

/**
 * Raises a looping service's health-check grace period to the finding's
 * recommendation: only behind a load balancer or with container health checks
 * (elsewhere the grace period does nothing), only while the loop turns, never
 * lower than it is, never above the ceiling, and never twice: a loop that goes
 * on after a raise is not a grace-period problem.
 */

export interface GraceFacts {
  service: Service;
  /** Whether the service's task definition declares a container health check (read only when no load balancer). */
  containerHealthChecks: boolean;
}

export interface GraceChange {
  cluster: string;
  service: string;
  region: string;
  from: number;
  to: number;
}

const nameOf = (service: Service) => service.serviceName ?? '(unnamed)';

export function updateCommand(change: Omit<GraceChange, 'from' | 'to'>, seconds: number): string {
  return `aws ecs update-service --cluster ${shellArg(change.cluster, 'cluster')} --service ${shellArg(change.service, 'service')} --health-check-grace-period-seconds ${seconds} --region ${shellArg(change.region, 'region')}`;
}

export default defineRemedy<GraceFacts, GraceChange>({
  action: 'grace-period',
  rule: 'health-check-grace-period',
  needs: ['ecs:DescribeTaskDefinition'],
  writes: ['ecs:UpdateService'],

  async gather(_incident, service, reader) {
    if ((service.loadBalancers ?? []).length > 0 || !service.taskDefinition) return { service, containerHealthChecks: false };
    try {
      const described = await reader.read('ecs:DescribeTaskDefinition', { taskDefinition: service.taskDefinition });
      return { service, containerHealthChecks: containerChecks(described.taskDefinition?.containerDefinitions).length > 0 };
    } catch (error) {
      return `the task definition's health checks (ecs:DescribeTaskDefinition): ${(error as Error).name}: ${(error as Error).message}`;
    }
  },

  plan(incident, { service, containerHealthChecks }, bounds, previous) {
    const name = nameOf(service);
    const recommended = recommendedSeconds(incident.finding);
    if (recommended === undefined) {
      return { kind: 'nothing', reason: 'the finding recommends no grace period (the grace period is not the cause, or start-up could not be bounded)' };
    }
    if ((service.loadBalancers ?? []).length === 0 && !containerHealthChecks) {
      return { kind: 'refusal', reason: `service ${name} has neither a load balancer nor container health checks, so its grace period changes nothing` };
    }
    const current = service.healthCheckGracePeriodSeconds ?? 0;
    if (previous && current >= Number(previous.after)) {
      return {
        kind: 'refusal',
        reason: `ecs-medic already raised the grace period of service ${name} from ${previous.before} s to ${previous.after} s (${previous.at}) and its tasks are still killed by health checks, so the grace period is not the cause; it is not raised again. ${otherCausesOf(incident.finding)}`,
      };
    }
    if (!loopOngoing(incident.finding)) {
      return { kind: 'refusal', reason: `the loop of service ${name} was not ongoing when diagnosed (it may have ended): nothing to repair` };
    }
    const target = Math.min(recommended, bounds.ceilingSeconds);
    if (target <= current) {
      return recommended > bounds.ceilingSeconds
        ? { kind: 'refusal', reason: `the recommended ${recommended} s is above the ceiling of ${bounds.ceilingSeconds} s, and service ${name} already has ${current} s` }
        : { kind: 'nothing', reason: `service ${name} already has a grace period of ${current} s (recommended ${recommended} s): never lowered` };
    }
    const change: GraceChange = {
      cluster: service.clusterArn?.slice(service.clusterArn.lastIndexOf('/') + 1) ?? incident.finding.resource.cluster ?? 'default',
      service: name,
      region: incident.region,
      from: current,
      to: target,
    };
    const capped = target < recommended ? ` (the recommended ${recommended} s capped at the ceiling)` : '';
    return {
      kind: 'change',
      change,
      summary: `raise the grace period of service ${name} from ${current} s to ${target} s${capped}`,
      did: `raised the grace period of service ${name} from ${current} s to ${target} s${capped}`,
      values: [{ target: `service ${name} healthCheckGracePeriodSeconds`, before: String(current), after: String(target) }],
      undo: [updateCommand(change, current)],
      templateLines: [
        `CloudFormation (AWS::ECS::Service): HealthCheckGracePeriodSeconds: ${target}`,
        `CDK (ecs.FargateService / ecs.Ec2Service): healthCheckGracePeriod: Duration.seconds(${target})`,
        `Terraform (aws_ecs_service): health_check_grace_period_seconds = ${target}`,
      ],
    };
  },

  async apply(change, writer, done) {
    await writer.write('ecs:UpdateService', { cluster: change.cluster, service: change.service, healthCheckGracePeriodSeconds: change.to }, change.region);
    done.push(`service ${change.service}: healthCheckGracePeriodSeconds ${change.from} → ${change.to}`);
  },
});
