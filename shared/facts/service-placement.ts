/**
 * A service's task counts, placement and network configuration, read the way
 * the awsvpc and capacity rules need them. Kept apart from service.ts: the two
 * name and look up a service differently, and merging would change findings.
 */
import type { AwsVpcConfiguration, Service } from '@aws-sdk/client-ecs';
import type { Evidence, ResourceRef } from '../findings';
import type { InvestigationContext } from '../rules/rule';
import { shellArg } from '../rules/text';

/** The service named by the signal, from one DescribeServices call; undefined (and recorded as unchecked) when it cannot be read. */
export async function readService(context: InvestigationContext, resource: ResourceRef, purpose: string): Promise<Service | undefined> {
  const { cluster, service } = resource;
  if (!cluster || !service) {
    context.unchecked(purpose, 'the signal names no service and cluster');
    return undefined;
  }
  const described = await context.read('ecs:DescribeServices', { cluster, services: [service] }, purpose);
  if (!described) return undefined;
  const found = described.services?.[0];
  if (!found) context.unchecked(purpose, `service ${service} was not found in cluster ${cluster}`);
  return found;
}

/** "desired 20, running 12, pending 0; capacity provider strategy cp (weight 1)". */
export function serviceEvidence(service: Service): Evidence {
  const strategy = service.capacityProviderStrategy ?? [];
  const placement = strategy.length
    ? `capacity provider strategy ${strategy.map((s) => `${s.capacityProvider} (weight ${s.weight ?? 0}${s.base ? `, base ${s.base}` : ''})`).join(', ')}`
    : `launch type ${service.launchType ?? 'not set (cluster default strategy)'}`;
  return {
    source: 'ecs:DescribeServices',
    observed: `${service.serviceName}: desired ${service.desiredCount ?? '?'}, running ${service.runningCount ?? '?'}, pending ${service.pendingCount ?? '?'}; ${placement}`,
  };
}

/**
 * The --network-configuration value for update-service, keeping the service's security groups and
 * public-IP setting. UpdateService replaces the whole structure, so every field is named: one left
 * out is reset (assignPublicIp to DISABLED), which would cut a public-subnet service off.
 */
export function networkConfigurationArg(awsvpc: AwsVpcConfiguration | undefined, subnets: readonly string[]): string {
  const groups = awsvpc?.securityGroups?.length ? awsvpc.securityGroups.join(',') : '<security-group>';
  const publicIp = awsvpc ? (awsvpc.assignPublicIp ?? 'DISABLED') : '<assign-public-ip>';
  return `'awsvpcConfiguration={subnets=[${subnets.join(',')}],securityGroups=[${groups}],assignPublicIp=${publicIp}}'`;
}

/**
 * How to give a task in a public subnet a public IP. For a service the network configuration is
 * replaced whole, so the user first reads the subnets and security groups to keep; a standalone
 * task is started anew from its family.
 */
export function publicIpCommands(resource: ResourceRef, subnet: string): string[] {
  const { cluster, service, taskFamily } = resource;
  if (!service) {
    return [
      `aws ecs run-task --cluster ${shellArg(cluster, 'cluster')} --task-definition ${shellArg(taskFamily, 'task-family')} --launch-type FARGATE --network-configuration 'awsvpcConfiguration={subnets=[${subnet}],securityGroups=[<task-sg>],assignPublicIp=ENABLED}'`,
    ];
  }
  return [
    `aws ecs describe-services ${serviceArgs(resource).replace('--service ', '--services ')} --query 'services[0].networkConfiguration.awsvpcConfiguration'`,
    '# then turn the public IP on, keeping every subnet and security group that shows (the whole configuration is replaced):',
    `aws ecs update-service ${serviceArgs(resource)} --network-configuration 'awsvpcConfiguration={subnets=[<subnets-it-shows>],securityGroups=[<security-groups-it-shows>],assignPublicIp=ENABLED}'`,
  ];
}

/** `--cluster X --service Y` with placeholders when unknown. */
export function serviceArgs(resource: ResourceRef): string {
  return `--cluster ${shellArg(resource.cluster, 'cluster')} --service ${shellArg(resource.service, 'service')}`;
}

/** The service a scheduler message names: "service X was unable…", "(service X) was unable…", "service [X] was unable…". */
export function serviceNamedIn(text: string): string | undefined {
  return /\bservice [([]?([A-Za-z0-9_-]+)[)\]]? (?:was unable|\(deployment)/i.exec(text)?.[1];
}
