import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Located, Origin } from '../check';
import { join, SourcePointers } from '../pointer';

/**
 * Terraform plans (`terraform show -json plan.out`): aws_ecs_task_definition
 * and aws_ecs_service from planned_values, mapped to the ECS API's shapes.
 * Values known only after apply are absent from the plan; links between
 * resources come from the plan's configuration references.
 */

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function first(value: unknown): Json | undefined {
  return Array.isArray(value) ? record(value[0]) : record(value);
}

interface PlannedResource {
  address: string;
  type: string;
  values: Json;
  pointer: string;
}

export function isTerraformPlan(document: unknown): boolean {
  const value = record(document);
  return value !== undefined && typeof value.format_version === 'string' && (record(value.planned_values) !== undefined || record(value.values) !== undefined);
}

function plannedResources(module: Json | undefined, pointer: string, out: PlannedResource[] = []): PlannedResource[] {
  if (!module) return out;
  (Array.isArray(module.resources) ? module.resources : []).forEach((r, i) => {
    const resource = record(r);
    if (resource && typeof resource.address === 'string' && typeof resource.type === 'string' && resource.mode !== 'data')
      out.push({ address: resource.address, type: resource.type, values: record(resource.values) ?? {}, pointer: join(pointer, 'resources', i, 'values') });
  });
  (Array.isArray(module.child_modules) ? module.child_modules : []).forEach((m, i) => {
    plannedResources(record(m), join(pointer, 'child_modules', i), out);
  });
  return out;
}

/** address → attribute → the resource addresses its expression references (configuration section). */
function referencesOf(plan: Json): Map<string, Map<string, string[]>> {
  const links = new Map<string, Map<string, string[]>>();
  const visit = (module: Json | undefined, prefix: string) => {
    if (!module) return;
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      const resource = record(r);
      if (!resource || typeof resource.address !== 'string') continue;
      const attributes = new Map<string, string[]>();
      const collect = (expression: unknown, name: string) => {
        const refs = record(expression)?.references;
        if (Array.isArray(refs)) attributes.set(name, [...(attributes.get(name) ?? []), ...refs.map((x) => `${prefix}${String(x)}`)]);
        for (const nested of Array.isArray(expression) ? expression : []) for (const [key, value] of Object.entries(record(nested) ?? {})) collect(value, `${name}.${key}`);
      };
      for (const [name, expression] of Object.entries(record(resource.expressions) ?? {})) collect(expression, name);
      links.set(`${prefix}${resource.address}`, attributes);
    }
    for (const [name, call] of Object.entries(record(module.module_calls) ?? {})) visit(record(record(call)?.module), `${prefix}module.${name}.`);
  };
  visit(record(record(plan.configuration)?.root_module), '');
  return links;
}

type Field = [apiName: string, terraformName: string, convert?: (value: unknown) => unknown];

/** Builds an API-shaped object from Terraform attributes, recording where each field came from. */
function mapped(values: Json, fields: readonly Field[], pointers: SourcePointers, base: string, path = ''): Json {
  const out: Json = {};
  for (const [apiName, tfName, convert] of fields) {
    const value = values[tfName];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0 && convert)) continue;
    out[apiName] = convert ? convert(value) : value;
    pointers.record(`${path}/${apiName}`, join(base, tfName));
  }
  return out;
}

function taskDefinitionOf(resource: PlannedResource, file: string): Located<TaskDefinition> {
  const { values, pointer } = resource;
  const pointers = new SourcePointers(pointer);
  const value = mapped(values, [['family', 'family'], ['cpu', 'cpu'], ['memory', 'memory'], ['networkMode', 'network_mode'], ['requiresCompatibilities', 'requires_compatibilities'], ['executionRoleArn', 'execution_role_arn'], ['taskRoleArn', 'task_role_arn']], pointers, pointer);
  if (typeof values.container_definitions === 'string') {
    try {
      value.containerDefinitions = JSON.parse(values.container_definitions);
    } catch {
      value.containerDefinitions = [];
    }
    pointers.record('/containerDefinitions', join(pointer, 'container_definitions'));
  }
  const storage = first(values.ephemeral_storage);
  if (storage?.size_in_gib !== undefined) {
    value.ephemeralStorage = { sizeInGiB: storage.size_in_gib };
    pointers.record('/ephemeralStorage/sizeInGiB', join(pointer, 'ephemeral_storage', 0, 'size_in_gib'));
  }
  const platform = first(values.runtime_platform);
  if (platform) {
    value.runtimePlatform = { operatingSystemFamily: platform.operating_system_family, cpuArchitecture: platform.cpu_architecture };
    pointers.record('/runtimePlatform', join(pointer, 'runtime_platform', 0));
  }
  const family = typeof value.family === 'string' ? value.family : resource.address;
  return { value: { ...value, family } as TaskDefinition, origin: { source: file, resource: { file, logicalId: resource.address, taskFamily: family }, pointerOf: pointers.pointerOf } };
}

function serviceOf(resource: PlannedResource, file: string): Located<Service> {
  const { values, pointer } = resource;
  const pointers = new SourcePointers(pointer);
  const value = mapped(values, [['serviceName', 'name'], ['clusterArn', 'cluster'], ['desiredCount', 'desired_count'], ['healthCheckGracePeriodSeconds', 'health_check_grace_period_seconds'], ['launchType', 'launch_type'], ['platformVersion', 'platform_version'], ['enableExecuteCommand', 'enable_execute_command'], ['taskDefinition', 'task_definition'], ['schedulingStrategy', 'scheduling_strategy']], pointers, pointer);
  if (value.launchType === '') delete value.launchType;
  const breaker = first(values.deployment_circuit_breaker);
  const alarms = first(values.alarms);
  value.deploymentConfiguration = {
    ...(values.deployment_minimum_healthy_percent !== undefined ? { minimumHealthyPercent: values.deployment_minimum_healthy_percent } : {}),
    ...(values.deployment_maximum_percent !== undefined ? { maximumPercent: values.deployment_maximum_percent } : {}),
    ...(breaker ? { deploymentCircuitBreaker: { enable: breaker.enable, rollback: breaker.rollback } } : {}),
    ...(alarms ? { alarms: { enable: alarms.enable, rollback: alarms.rollback, alarmNames: alarms.alarm_names } } : {}),
  };
  pointers.record('/deploymentConfiguration', pointer);
  pointers.record('/deploymentConfiguration/minimumHealthyPercent', join(pointer, 'deployment_minimum_healthy_percent'));
  pointers.record('/deploymentConfiguration/maximumPercent', join(pointer, 'deployment_maximum_percent'));
  pointers.record('/deploymentConfiguration/deploymentCircuitBreaker', join(pointer, 'deployment_circuit_breaker'));
  const balancers = Array.isArray(values.load_balancer) ? values.load_balancer.map(record) : [];
  value.loadBalancers = balancers.map((lb) => ({ targetGroupArn: lb?.target_group_arn, containerName: lb?.container_name, containerPort: lb?.container_port }));
  pointers.record('/loadBalancers', join(pointer, 'load_balancer'));
  const network = first(values.network_configuration);
  if (network) {
    value.networkConfiguration = { awsvpcConfiguration: { subnets: network.subnets ?? [], securityGroups: network.security_groups ?? [], assignPublicIp: network.assign_public_ip ? 'ENABLED' : 'DISABLED' } };
    pointers.record('/networkConfiguration', join(pointer, 'network_configuration', 0));
    pointers.record('/networkConfiguration/awsvpcConfiguration/subnets', join(pointer, 'network_configuration', 0, 'subnets'));
  }
  const controller = first(values.deployment_controller);
  if (controller?.type) value.deploymentController = { type: controller.type };
  const providers = Array.isArray(values.capacity_provider_strategy) ? values.capacity_provider_strategy.map(record) : [];
  if (providers.length > 0) value.capacityProviderStrategy = providers.map((p) => ({ capacityProvider: p?.capacity_provider, weight: p?.weight, base: p?.base }));
  const serviceName = typeof value.serviceName === 'string' ? value.serviceName : resource.address;
  return { value: { ...value, serviceName } as Service, origin: { source: file, resource: { file, logicalId: resource.address, service: serviceName }, pointerOf: pointers.pointerOf } };
}

function targetGroupOf(resource: PlannedResource, file: string): Located<TargetGroup> {
  const check = first(resource.values.health_check) ?? {};
  const origin: Origin = { source: file, resource: { file, logicalId: resource.address }, pointerOf: (path) => resource.pointer + path };
  return {
    value: {
      TargetGroupName: typeof resource.values.name === 'string' ? resource.values.name : resource.address,
      HealthCheckIntervalSeconds: typeof check.interval === 'number' ? check.interval : 30,
      UnhealthyThresholdCount: typeof check.unhealthy_threshold === 'number' ? check.unhealthy_threshold : 3,
      HealthyThresholdCount: typeof check.healthy_threshold === 'number' ? check.healthy_threshold : 3,
      ...(typeof check.path === 'string' ? { HealthCheckPath: check.path } : {}),
    },
    origin,
  };
}

export interface PlanContents {
  taskDefinitions: Map<string, Located<TaskDefinition>>;
  services: { service: Located<Service>; taskDefinitionAddress: string | undefined; targetGroups: Located<TargetGroup>[] }[];
  logGroups: Set<string>;
}

export function readTerraformPlan(document: unknown, file: string): PlanContents {
  const plan = record(document) ?? {};
  const root = record(record(plan.planned_values)?.root_module) ?? record(record(plan.values)?.root_module);
  const rootPointer = record(plan.planned_values) ? '/planned_values/root_module' : '/values/root_module';
  const resources = plannedResources(root, rootPointer);
  const links = referencesOf(plan);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const linked = (address: string, attribute: string, type: string) =>
    (links.get(address)?.get(attribute) ?? []).map((ref) => ref.replace(/\.(arn|id|name)$/, '')).find((ref) => byAddress.get(ref)?.type === type);
  const taskDefinitions = new Map<string, Located<TaskDefinition>>();
  for (const r of resources) if (r.type === 'aws_ecs_task_definition') taskDefinitions.set(r.address, taskDefinitionOf(r, file));
  const services = resources
    .filter((r) => r.type === 'aws_ecs_service')
    .map((r) => {
      const groups = [linked(r.address, 'load_balancer.target_group_arn', 'aws_lb_target_group'), linked(r.address, 'load_balancer.target_group_arn', 'aws_alb_target_group')]
        .filter((a): a is string => a !== undefined)
        .map((a) => targetGroupOf(byAddress.get(a) as PlannedResource, file));
      return { service: serviceOf(r, file), taskDefinitionAddress: linked(r.address, 'task_definition', 'aws_ecs_task_definition'), targetGroups: groups };
    });
  const logGroups = new Set(resources.filter((r) => r.type === 'aws_cloudwatch_log_group' && typeof r.values.name === 'string').map((r) => r.values.name as string));
  return { taskDefinitions, services, logGroups };
}
