/**
 * IAM policies of the deployed roles, as moto can and cannot enforce them.
 *
 * moto gap worked around here: moto authorizes a request against the resource
 * "*" for every service except SQS, IAM, STS and S3 (it does not derive the
 * resource ARN from the request), so a statement scoped to a table, topic,
 * bus, key or secret never matches and every such call is denied. For moto,
 * the roles' statements on those services are widened to "*" in the account
 * (the actions stay exactly as deployed, so a missing action still fails);
 * the deployed resources are checked instead by `allows` against the calls
 * the functions made (recorded by moto), with the statements as deployed.
 */
import { GetRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Clients, PolicyStatement } from './account';
import type { RecordedCall } from './moto';

/** Services whose requests moto authorizes against their real resource ARN. */
const RESOURCE_AWARE = new Set(['sqs', 'iam', 'sts', 's3']);

const list = (value: string | string[]) => [value].flat();

/** IAM's wildcard match: case-insensitive for actions, case-sensitive for resources and condition values. */
function glob(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** The values of the condition keys a request is evaluated with, e.g. `aws:ResourceTag/<key>` (a key absent: the request has none). */
export type RequestContext = Record<string, string[]>;

/**
 * IAM's evaluation of a statement's Condition for the operators the roles use (String{Like,Equals}, with or without
 * ForAllValues/ForAnyValue). moto gap: moto evaluates no condition key but sts:ExternalId, so a condition such as
 * remediate's opt-in tag on UpdateService is checked here, with the request's context.
 */
function conditionHolds(condition: PolicyStatement['Condition'], context: RequestContext): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) => {
    const [qualifier, test] = operator.includes(':') ? operator.split(':') : [undefined, operator];
    if (test !== 'StringLike' && test !== 'StringEquals') throw new Error(`support/iam.ts cannot evaluate the condition operator ${operator}`);
    return Object.entries(keys).every(([key, patterns]) => {
      const values = context[key] ?? [];
      const matches = (value: string) => list(patterns).some((pattern) => (test === 'StringLike' ? glob(pattern, value) : pattern === value));
      if (qualifier === 'ForAllValues') return values.every(matches);
      if (qualifier === 'ForAnyValue') return values.some(matches);
      // A single-valued key the request lacks matches nothing.
      return values.some(matches);
    });
  });
}

/** Whether an Allow statement (no Deny is deployed) grants `action` on `resource` in `context`, as IAM matches them. */
export function allows(statements: PolicyStatement[], action: string, resource: string, context: RequestContext = {}): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((a) => glob(a, action, true)) &&
      list(s.Resource).some((r) => glob(r, resource)) &&
      conditionHolds(s.Condition, context),
  );
}

export function widenedForMoto(statements: PolicyStatement[]): PolicyStatement[] {
  return statements.map((statement) => {
    const services = new Set(list(statement.Action).map((action) => action.split(':')[0] ?? ''));
    return [...services].every((service) => RESOURCE_AWARE.has(service)) ? statement : { ...statement, Resource: '*' };
  });
}

/** Replaces each inline policy of the role with its moto-enforceable form. */
export async function applyMotoView(aws: Clients, roleArn: string): Promise<void> {
  const RoleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  const { PolicyNames = [] } = await aws.iam.send(new ListRolePoliciesCommand({ RoleName }));
  for (const PolicyName of PolicyNames) {
    const { PolicyDocument } = await aws.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
    const document = JSON.parse(decodeURIComponent(PolicyDocument ?? '{}')) as { Statement: PolicyStatement | PolicyStatement[] };
    const Statement = widenedForMoto([document.Statement].flat());
    await aws.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: JSON.stringify({ ...document, Statement }) }));
  }
}

/** ECS names a resource by name, id or ARN; IAM authorizes against the ARN (`<type>/<cluster>/<id>` inside a cluster). */
function ecsArn(account: string, region: string, type: string, name: string, cluster?: string): string {
  if (name.startsWith('arn:')) return name;
  return `arn:aws:ecs:${region}:${account}:${type}/${cluster ? `${cluster}/` : ''}${name}`;
}

/** The resources an ECS call scoped to a cluster is authorized against (Service Authorization Reference); none for the others. */
function ecsResources(call: RecordedCall, account: string, region: string): string[] {
  const body = JSON.parse(call.body) as { cluster?: string; clusters?: string[]; service?: string; services?: string[]; tasks?: string[]; containerInstances?: string[] };
  // Without a cluster, ECS means the one named "default".
  const clusterArn = ecsArn(account, region, 'cluster', body.cluster ?? 'default');
  const cluster = clusterArn.slice(clusterArn.lastIndexOf('/') + 1);
  switch (call.operation) {
    case 'DescribeClusters':
      return (body.clusters ?? ['default']).map((c) => ecsArn(account, region, 'cluster', c));
    case 'ListServices':
    case 'ListContainerInstances':
      return [clusterArn];
    case 'DescribeServices':
      return (body.services ?? []).map((s) => ecsArn(account, region, 'service', s, cluster));
    case 'UpdateService':
      return [ecsArn(account, region, 'service', body.service ?? '', cluster)];
    case 'DescribeTasks':
      return (body.tasks ?? []).map((t) => ecsArn(account, region, 'task', t, cluster));
    case 'DescribeContainerInstances':
      return (body.containerInstances ?? []).map((c) => ecsArn(account, region, 'container-instance', c, cluster));
    default:
      return [];
  }
}

/** The log group a CloudWatch Logs write is authorized against (`arn:aws:logs:<region>:<account>:log-group:<name>`); none for the reads. */
function logGroupResources(call: RecordedCall, account: string, region: string): string[] {
  const body = JSON.parse(call.body) as { logGroupName?: string; resourceArn?: string };
  switch (call.operation) {
    case 'CreateLogGroup':
    case 'PutRetentionPolicy':
      return [`arn:aws:logs:${region}:${account}:log-group:${body.logGroupName}`];
    case 'TagResource':
      return [body.resourceArn ?? ''];
    default:
      return [];
  }
}

/**
 * The resources IAM authorizes a recorded call of the bot against, for the
 * services whose statements are widened for moto; none for the others.
 * `secretArns` maps a secret id as called (an ARN without its suffix) to the
 * secret's full ARN, which IAM evaluates.
 */
export function resourcesOf(call: RecordedCall, account: string, region: string, secretArns: Record<string, string>): string[] {
  const json = () => JSON.parse(call.body) as Record<string, unknown>;
  switch (call.service) {
    case 'dynamodb': {
      const { TableName, IndexName } = json() as { TableName?: string; IndexName?: string };
      return [`arn:aws:dynamodb:${region}:${account}:table/${TableName}${IndexName ? `/index/${IndexName}` : ''}`];
    }
    case 'events': {
      const entries = (json() as { Entries?: { EventBusName?: string }[] }).Entries ?? [];
      const bus = entries[0]?.EventBusName ?? 'default';
      return [bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${account}:event-bus/${bus}`];
    }
    case 'sns': {
      const topic = new URLSearchParams(call.body).get('TopicArn');
      return topic ? [topic] : [];
    }
    case 'secretsmanager': {
      const { SecretId = '' } = json() as { SecretId?: string };
      return [secretArns[SecretId] ?? SecretId];
    }
    case 'ecs':
      return ecsResources(call, account, region);
    case 'logs':
      return logGroupResources(call, account, region);
    default:
      return [];
  }
}
