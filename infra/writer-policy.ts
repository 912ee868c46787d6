/**
 * The remediate role's write access: one IAM action per writer operation
 * (shared/writer/port.ts names operations by their IAM action), granted only
 * for the actions whose mode is `on`, each on the narrowest resource with the
 * narrowest condition. The Record type makes the compiler demand a scope for
 * every new writer operation.
 */
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RemediationConfig } from '../shared/remedy/config';
import { remedies } from '../shared/rules/remedies';
import type { RemedyAction } from '../shared/rules/remedy';
import type { WriterOperation } from '../shared/writer/port';

interface Scope {
  resources: string[];
  conditions?: Record<string, Record<string, string>>;
}

type Scoper = (stack: Stack, clusters: readonly string[], config: RemediationConfig, action: RemedyAction) => Scope;

/** Services of the watched clusters whose opt-in tag lists the action: a service without it cannot be changed, whatever the code does. */
const taggedServices: Scoper = (stack, clusters, config, action) => ({
  resources: (clusters.length > 0 ? clusters.map((c) => `${c}/*`) : ['*']).map((name) => stack.formatArn({ service: 'ecs', resource: 'service', resourceName: name })),
  conditions: { StringLike: { [`aws:ResourceTag/${config.tagKey}`]: `*${action}*` } },
});

/** Log groups under the allowed prefixes, in any Region (a container's awslogs-region may be another). */
const allowedLogGroups: Scoper = (stack, _clusters, config) => ({
  resources: config.logGroupPrefixes.map((prefix) =>
    stack.formatArn({ service: 'logs', region: '*', resource: 'log-group', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  ),
});

const scopes: Record<WriterOperation, Scoper> = {
  'ecs:UpdateService': taggedServices,
  'logs:CreateLogGroup': allowedLogGroups,
  'logs:PutRetentionPolicy': allowedLogGroups,
  'logs:TagResource': allowedLogGroups,
};

/** The write statements of the actions in mode `on`; none in dry-run or off. */
export function writerStatements(stack: Stack, clusters: readonly string[], config: RemediationConfig): PolicyStatement[] {
  return (Object.keys(remedies) as RemedyAction[])
    .filter((action) => config.modes[action] === 'on')
    .flatMap((action) => {
      const byScope = new Map<string, { scope: Scope; actions: string[] }>();
      for (const operation of remedies[action].writes) {
        const scope = scopes[operation](stack, clusters, config, action);
        const key = JSON.stringify(stack.resolve(scope));
        const entry = byScope.get(key) ?? { scope, actions: [] };
        entry.actions.push(operation);
        byScope.set(key, entry);
      }
      return [...byScope.values()].map(({ scope, actions }) => new PolicyStatement({ actions, resources: scope.resources, ...(scope.conditions ? { conditions: scope.conditions } : {}) }));
    });
}
