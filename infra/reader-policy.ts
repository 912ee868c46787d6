/**
 * The diagnose role's read-only access: one IAM action per reader operation
 * (shared/reader/port.ts names operations by their IAM action), each scoped to
 * the narrowest resource the action supports (Service Authorization Reference).
 * The Record type makes the compiler demand a scope for every new operation.
 */
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ReaderOperation } from '../shared/reader/port';

/** The resource ARNs of one action; ['*'] where the action has no resource-level permissions. */
type Scope = (arns: Arns) => string[];

interface Arns {
  ecs(resource: string, name: string): string;
  any: string[];
  stack: Stack;
  /** The watched clusters' names; empty for every cluster. */
  clusters: readonly string[];
}

const everything: Scope = ({ any }) => any;
/** ECS ARNs of the form <resource>/<cluster>/<id>, narrowed to the watched clusters. */
const inClusters =
  (resource: string): Scope =>
  ({ ecs, clusters }) =>
    clusters.length > 0 ? clusters.map((c) => ecs(resource, `${c}/*`)) : [ecs(resource, '*')];
const clusterArns: Scope = ({ ecs, clusters }) => (clusters.length > 0 ? clusters.map((c) => ecs('cluster', c)) : [ecs('cluster', '*')]);

/**
 * Actions without resource-level permissions (the reference lists no resource type for them), so their
 * Resource must be "*". ecs:ListTasks is the exception in kind: the reference authorizes it against
 * container-instance ARNs, which Fargate tasks do not have, so a narrower Resource would deny Fargate listings.
 */
export const actionsOnAnyResource = [
  'ecs:DescribeTaskDefinition',
  'ecs:ListClusters',
  'ecs:ListTasks',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeSecurityGroups',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'logs:DescribeLogGroups',
  'ssm:DescribeParameters',
  'autoscaling:DescribeAutoScalingGroups',
  'application-autoscaling:DescribeScalableTargets',
  'application-autoscaling:DescribeScalingActivities',
] as const satisfies readonly ReaderOperation[];

type ScopedOperation = Exclude<ReaderOperation, (typeof actionsOnAnyResource)[number]>;

const scoped: Record<ScopedOperation, Scope> = {
  'ecs:DescribeServices': inClusters('service'),
  'ecs:DescribeTasks': inClusters('task'),
  'ecs:DescribeContainerInstances': inClusters('container-instance'),
  'ecs:DescribeClusters': clusterArns,
  'ecs:ListContainerInstances': clusterArns,
  'ecs:ListServices': clusterArns,
  'ecs:DescribeCapacityProviders': ({ ecs }) => [ecs('capacity-provider', '*')],
  // Task execution roles, simulated against the secrets they must read.
  'iam:SimulatePrincipalPolicy': ({ stack }) => [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' })],
  // Keys and secrets in any Region of the account: a secret in another Region than the task is a finding.
  'kms:DescribeKey': ({ stack }) => [stack.formatArn({ service: 'kms', region: '*', resource: 'key', resourceName: '*' })],
  'kms:GetKeyPolicy': ({ stack }) => [stack.formatArn({ service: 'kms', region: '*', resource: 'key', resourceName: '*' })],
  'secretsmanager:DescribeSecret': ({ stack }) => [
    stack.formatArn({ service: 'secretsmanager', region: '*', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  ],
};

/** One statement per distinct resource list, every action named explicitly; `only` narrows it to some operations (the audit's). */
export function readerStatements(stack: Stack, clusterNames: readonly string[], only?: readonly ReaderOperation[]): PolicyStatement[] {
  const arns: Arns = {
    ecs: (resource, name) => stack.formatArn({ service: 'ecs', resource, resourceName: name }),
    any: ['*'],
    stack,
    clusters: clusterNames,
  };
  const byResources = new Map<string, { resources: string[]; actions: string[] }>();
  const add = (action: string, resources: string[]) => {
    const key = JSON.stringify(stack.resolve(resources));
    const entry = byResources.get(key) ?? { resources, actions: [] };
    entry.actions.push(action);
    byResources.set(key, entry);
  };
  const wanted = (action: string) => only === undefined || (only as readonly string[]).includes(action);
  for (const action of actionsOnAnyResource) if (wanted(action)) add(action, everything(arns));
  for (const [action, scope] of Object.entries(scoped)) if (wanted(action)) add(action, scope(arns));
  return [...byResources.values()].map(({ resources, actions }) => new PolicyStatement({ actions, resources }));
}
