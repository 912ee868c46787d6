import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type Located, unresolvedToken } from '../check';
import { join, SourcePointers } from '../pointer';

/**
 * CloudFormation and CDK-synthesized templates: AWS::ECS::TaskDefinition and
 * AWS::ECS::Service, normalized to the ECS API's shapes (camelCase), with
 * what can be resolved statically resolved: Ref to a parameter with a
 * default, Fn::Join / Fn::Sub / Fn::Select / Fn::Split / Fn::FindInMap of
 * literals. Anything else (Ref to a resource, Fn::GetAtt, pseudo parameters,
 * Fn::If, imports) becomes a readable token; equal references stay equal.
 */

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** CloudFormation property names that do not camelCase to the API's. */
const renamed: Record<string, string> = { EFSVolumeConfiguration: 'efsVolumeConfiguration', FSxWindowsFileServerVolumeConfiguration: 'fsxWindowsFileServerVolumeConfiguration', Cluster: 'clusterArn' };
/** Maps whose keys are data, not property names. */
const keepKeys = new Set(['Options', 'DockerLabels', 'DriverOpts', 'Labels']);
/** Fields the API types as numbers that templates often give as strings. */
const numeric = new Set([
  'desiredCount', 'minimumHealthyPercent', 'maximumPercent', 'healthCheckGracePeriodSeconds', 'sizeInGiB', 'memoryReservation', 'startPeriod', 'interval', 'retries', 'timeout', 'containerPort',
]);
const NO_VALUE = Symbol('AWS::NoValue');

const tokenPattern = /^<unresolved (?:Ref|Fn::GetAtt) ([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?>$/;

/** The logical id an unresolved Ref / Fn::GetAtt token points at. */
export function referencedLogicalId(value: unknown): string | undefined {
  return typeof value === 'string' ? tokenPattern.exec(value)?.[1] : undefined;
}

export interface Template {
  file: string;
  resources: Record<string, Json>;
  parameters: Json;
  mappings: Json;
}

export function isTemplate(document: unknown): boolean {
  const resources = record(record(document)?.Resources);
  return resources !== undefined && Object.values(resources).some((r) => typeof record(r)?.Type === 'string');
}

export function templateOf(document: unknown, file: string): Template {
  const value = record(document) ?? {};
  return { file, resources: (record(value.Resources) ?? {}) as Record<string, Json>, parameters: record(value.Parameters) ?? {}, mappings: record(value.Mappings) ?? {} };
}

/** Resolves an intrinsic function as far as the template alone allows. */
export function resolve(template: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(template, v)).filter((v) => v !== NO_VALUE);
  const object = record(value);
  if (!object) return value;
  const keys = Object.keys(object);
  if (keys.length !== 1) return Object.fromEntries(keys.map((k) => [k, resolve(template, object[k])]).filter(([, v]) => v !== NO_VALUE));
  const [name] = keys as [string];
  const argument = object[name];
  switch (name) {
    case 'Ref':
      return resolveRef(template, String(argument));
    case 'Fn::GetAtt': {
      const path = Array.isArray(argument) ? argument.join('.') : String(argument);
      return unresolvedToken(`Fn::GetAtt ${path}`);
    }
    case 'Fn::Join': {
      const [delimiter, parts] = Array.isArray(argument) ? argument : [];
      const resolved = resolve(template, parts);
      return Array.isArray(resolved) && typeof delimiter === 'string' && resolved.every((p) => typeof p === 'string' || typeof p === 'number')
        ? resolved.join(delimiter)
        : unresolvedToken('Fn::Join');
    }
    case 'Fn::Sub':
      return substitute(template, argument);
    case 'Fn::Select': {
      const [index, list] = Array.isArray(argument) ? argument : [];
      const resolved = resolve(template, list);
      const i = Number(resolve(template, index));
      return Array.isArray(resolved) && Number.isInteger(i) && i in resolved ? resolved[i] : unresolvedToken('Fn::Select');
    }
    case 'Fn::Split': {
      const [delimiter, source] = Array.isArray(argument) ? argument : [];
      const resolved = resolve(template, source);
      return typeof delimiter === 'string' && typeof resolved === 'string' && !resolved.includes('<unresolved') ? resolved.split(delimiter) : unresolvedToken('Fn::Split');
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = (Array.isArray(argument) ? argument : []).map((a) => resolve(template, a));
      const found = record(record(template.mappings[String(map)])?.[String(top)])?.[String(second)];
      return found === undefined ? unresolvedToken('Fn::FindInMap') : found;
    }
    default:
      if (name.startsWith('Fn::') || name === 'Condition') return unresolvedToken(name);
      return { [name]: resolve(template, argument) };
  }
}

function resolveRef(template: Template, name: string): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const parameter = record(template.parameters[name]);
  if (parameter && parameter.Default !== undefined) {
    return typeof parameter.Type === 'string' && parameter.Type.startsWith('List<') && typeof parameter.Default === 'string'
      ? parameter.Default.split(',')
      : parameter.Default;
  }
  return unresolvedToken(`Ref ${name}`);
}

function substitute(template: Template, argument: unknown): unknown {
  const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
  if (typeof text !== 'string') return unresolvedToken('Fn::Sub');
  const vars = record(variables) ?? {};
  return text.replace(/\$\{(!?)([^}]+)\}/g, (_match, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    if (name in vars) return String(resolve(template, vars[name]));
    const [logicalId, attribute] = name.split('.');
    if (attribute) return unresolvedToken(`Fn::GetAtt ${name}`);
    return String(resolveRef(template, logicalId as string));
  });
}

const spelledBack = Object.fromEntries(Object.entries(renamed).map(([cfn, api]) => [api, cfn]));

/** An API field name as CloudFormation spells it. */
function cloudFormationSpelling(token: string): string {
  return spelledBack[token] ?? token.charAt(0).toUpperCase() + token.slice(1);
}

/** A resource's properties, resolved and camelCased, with pointers back to the template. */
function normalized(template: Template, logicalId: string): { value: Json; pointers: SourcePointers } {
  const base = join('', 'Resources', logicalId, 'Properties');
  const pointers = new SourcePointers(base, cloudFormationSpelling);
  const walk = (value: unknown, source: string, path: string, keepChildKeys: boolean): unknown => {
    const object = record(value);
    const intrinsic = object && Object.keys(object).length === 1 && (Object.keys(object)[0] === 'Ref' || Object.keys(object)[0]?.startsWith('Fn::'));
    if (intrinsic) {
      const resolved = resolve(template, value);
      // A resolved list or object keeps walking so its fields are camelCased too; its pointers stop at the function.
      return Array.isArray(resolved) || record(resolved) ? walk(resolved, source, path, keepChildKeys) : resolved;
    }
    if (Array.isArray(value)) {
      return value
        .map((item, i) => {
          pointers.record(`${path}/${i}`, `${source}/${i}`);
          return walk(item, `${source}/${i}`, `${path}/${i}`, false);
        })
        .filter((v) => v !== NO_VALUE);
    }
    if (!object) return value;
    const out: Json = {};
    for (const [key, child] of Object.entries(object)) {
      const name = keepChildKeys ? key : (renamed[key] ?? key.charAt(0).toLowerCase() + key.slice(1));
      const childPath = join(path, name);
      const childSource = join(source, key);
      pointers.record(childPath, childSource);
      let converted = walk(child, childSource, childPath, keepKeys.has(key));
      if (converted === NO_VALUE) continue;
      if (numeric.has(name) && typeof converted === 'string' && /^\d+$/.test(converted)) converted = Number(converted);
      out[name] = converted;
    }
    return out;
  };
  const properties = record(template.resources[logicalId]?.Properties) ?? {};
  return { value: walk(properties, base, '', false) as Json, pointers };
}

function resourcesOfType(template: Template, type: string): string[] {
  return Object.keys(template.resources).filter((id) => template.resources[id]?.Type === type);
}

export interface TemplateContents {
  taskDefinitions: Map<string, Located<TaskDefinition>>;
  services: { service: Located<Service>; taskDefinitionId: string | undefined; targetGroups: Located<TargetGroup>[] }[];
  logGroups: Set<string>;
  roleGrants: Map<string, readonly string[] | undefined>;
}

/** AWS managed policies whose actions matter to the checks (the rest make a role's grants unknown). */
const managedPolicyActions: Record<string, readonly string[]> = {
  AmazonECSTaskExecutionRolePolicy: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  AmazonSSMManagedInstanceCore: ['ssm:*', 'ssmmessages:*', 'ec2messages:*'],
};

function actionsOf(template: Template, document: unknown): string[] {
  const statements = resolve(template, record(document)?.Statement);
  return (Array.isArray(statements) ? statements : [statements])
    .map(record)
    .filter((s): s is Json => s !== undefined && s.Effect === 'Allow')
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .filter((a): a is string => typeof a === 'string');
}

function roleGrantsOf(template: Template): Map<string, readonly string[] | undefined> {
  const grants = new Map<string, string[] | undefined>();
  for (const id of resourcesOfType(template, 'AWS::IAM::Role')) {
    const properties = record(template.resources[id]?.Properties) ?? {};
    let actions: string[] | undefined = (Array.isArray(properties.Policies) ? properties.Policies : []).flatMap((p) => actionsOf(template, record(p)?.PolicyDocument));
    for (const arn of Array.isArray(properties.ManagedPolicyArns) ? properties.ManagedPolicyArns : []) {
      const name = String(resolve(template, arn)).split('/').pop() ?? '';
      const known = managedPolicyActions[name];
      actions = known && actions ? [...actions, ...known] : undefined;
    }
    grants.set(id, actions);
  }
  for (const id of [...resourcesOfType(template, 'AWS::IAM::Policy'), ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy')]) {
    const properties = record(template.resources[id]?.Properties) ?? {};
    const actions = actionsOf(template, properties.PolicyDocument);
    for (const role of Array.isArray(properties.Roles) ? properties.Roles : []) {
      const roleId = referencedLogicalId(resolve(template, role));
      const current = roleId ? grants.get(roleId) : undefined;
      if (roleId && current) grants.set(roleId, [...current, ...actions]);
    }
  }
  return grants;
}

/** CloudFormation's target-group defaults (AWS::ElasticLoadBalancingV2::TargetGroup) where the template leaves them out. */
const targetGroupDefaults = { HealthCheckIntervalSeconds: 30, UnhealthyThresholdCount: 2, HealthyThresholdCount: 5 };

export function readTemplate(template: Template): TemplateContents {
  const { file } = template;
  const taskDefinitions = new Map<string, Located<TaskDefinition>>();
  for (const id of resourcesOfType(template, 'AWS::ECS::TaskDefinition')) {
    const { value, pointers } = normalized(template, id);
    const family = typeof value.family === 'string' ? value.family : id;
    taskDefinitions.set(id, {
      value: { ...value, family } as TaskDefinition,
      origin: { source: file, resource: { file, logicalId: id, taskFamily: family }, pointerOf: pointers.pointerOf },
    });
  }
  const services: TemplateContents['services'] = [];
  for (const id of resourcesOfType(template, 'AWS::ECS::Service')) {
    const { value, pointers } = normalized(template, id);
    const serviceName = typeof value.serviceName === 'string' ? value.serviceName : id;
    const targetGroups = (Array.isArray(value.loadBalancers) ? value.loadBalancers : [])
      .map((lb, i) => ({ id: referencedLogicalId(record(lb)?.targetGroupArn), i }))
      .filter((t): t is { id: string; i: number } => t.id !== undefined && template.resources[t.id]?.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup')
      .map(({ id: groupId }) => {
        const properties = record(resolve(template, template.resources[groupId]?.Properties)) ?? {};
        return {
          value: { ...targetGroupDefaults, ...properties, TargetGroupName: typeof properties.Name === 'string' ? properties.Name : groupId } as TargetGroup,
          origin: { source: file, resource: { file, logicalId: groupId }, pointerOf: (path: string) => join('', 'Resources', groupId, 'Properties') + path },
        };
      });
    services.push({
      service: {
        value: { ...value, serviceName } as Service,
        origin: { source: file, resource: { file, logicalId: id, service: serviceName }, pointerOf: pointers.pointerOf },
      },
      taskDefinitionId: referencedLogicalId(value.taskDefinition),
      targetGroups,
    });
  }
  const logGroups = new Set<string>();
  for (const id of resourcesOfType(template, 'AWS::Logs::LogGroup')) {
    logGroups.add(unresolvedToken(`Ref ${id}`));
    const name = resolve(template, record(template.resources[id]?.Properties)?.LogGroupName);
    if (typeof name === 'string') logGroups.add(name);
  }
  return { taskDefinitions, services, logGroups, roleGrants: roleGrantsOf(template) };
}
