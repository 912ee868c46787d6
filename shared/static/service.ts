import type { Service } from '@aws-sdk/client-ecs';
import type { ServiceSubject } from './check';
import { runsOnFargate } from './task-definition';

/** Facts about a configured service that several static checks read. */

export function serviceLabel(service: Service): string {
  return typeof service.serviceName === 'string' ? service.serviceName : '<service>';
}

export function clusterLabel(service: Service): string {
  const cluster = service.clusterArn;
  if (typeof cluster !== 'string') return '<cluster>';
  return cluster.startsWith('arn:') ? (cluster.split('/').pop() ?? cluster) : cluster;
}

export function isDaemon(service: Service): boolean {
  return service.schedulingStrategy === 'DAEMON';
}

/** Rolling updates (the ECS deployment controller) are what minimumHealthyPercent, maximumPercent and the circuit breaker govern. */
export function rollsOut(service: Service): boolean {
  const type = service.deploymentController?.type;
  return type === undefined || type === 'ECS';
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** desiredCount, with ECS's default of 1 for a replica service created without one. */
export function desiredCountOf(service: Service): number | undefined {
  if (service.desiredCount === undefined) return isDaemon(service) ? undefined : 1;
  return finiteNumber(service.desiredCount);
}

/** The deployment percentages, with ECS's defaults (replica 100/200, daemon 0/100) where unset. */
export function percentsOf(service: Service): { min: number | undefined; max: number | undefined; defaulted: boolean } {
  const config = service.deploymentConfiguration;
  const daemon = isDaemon(service);
  const min = config?.minimumHealthyPercent === undefined ? (daemon ? 0 : 100) : finiteNumber(config.minimumHealthyPercent);
  const max = config?.maximumPercent === undefined ? (daemon ? 100 : 200) : finiteNumber(config.maximumPercent);
  return { min, max, defaulted: config?.minimumHealthyPercent === undefined && config?.maximumPercent === undefined };
}

export function onFargate({ service, taskDefinition }: Pick<ServiceSubject, 'service' | 'taskDefinition'>): boolean {
  if (service.value.launchType) return service.value.launchType === 'FARGATE';
  const providers = service.value.capacityProviderStrategy ?? [];
  if (providers.length > 0) return providers.some((p) => typeof p.capacityProvider === 'string' && p.capacityProvider.startsWith('FARGATE'));
  return taskDefinition !== undefined && runsOnFargate(taskDefinition.value) && !(taskDefinition.value.requiresCompatibilities ?? []).includes('EC2');
}

export function awsvpcSubnets(service: Service): string[] {
  const subnets = service.networkConfiguration?.awsvpcConfiguration?.subnets;
  return Array.isArray(subnets) ? subnets.filter((s): s is string => typeof s === 'string') : [];
}

export function usesAwsvpc({ service, taskDefinition }: Pick<ServiceSubject, 'service' | 'taskDefinition'>): boolean {
  return service.value.networkConfiguration?.awsvpcConfiguration !== undefined || taskDefinition?.value.networkMode === 'awsvpc';
}
