/**
 * cdk-nag v3 (AwsSolutions) on the whole app, and every finding the stack
 * accepts, acknowledged where it arises with the reason. Granular IAM5
 * findings are acknowledged one resource at a time, computed from the same
 * statements the diagnose role receives, so a new wildcard is a new finding.
 */
import { type App, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { AUDIT_OPERATIONS } from '../shared/audit/account';
import type { ReaderOperation } from '../shared/reader/port';
import { readerStatements } from './reader-policy';
import type { EcsMedicStack } from './stack';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/** CloudFormation intrinsics rendered the way cdk-nag names them in finding ids: Ref X → <X>, GetAtt X.Y → <X.Y>. */
function nagText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string') return `<${object.Ref}>`;
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = object['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(nagText).join(join[0]);
  }
  throw new Error(`cannot render ${JSON.stringify(value)} as a cdk-nag finding id`);
}

/** Why the diagnose role reads every resource of a kind: it diagnoses whatever fails, anywhere it is allowed to look. */
function wildcardReason(resource: string, actions: string[]): string {
  const read = actions.join(', ');
  if (resource === '*') {
    return `${read}: these actions have no resource-level permissions (Service Authorization Reference), or, for ecs:ListTasks, authorize against container-instance ARNs that Fargate tasks lack; all are read-only Describe/List calls.`;
  }
  return `${read}: read-only, on any resource of this kind in the account (or in the watched clusters), because the resource to diagnose is only known from the failing event.`;
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Each wildcard resource of a role's reader statements, acknowledged on that role with its reason. */
function acknowledgeReaderWildcards(stack: EcsMedicStack, role: IConstruct, clusterNames: readonly string[], only?: readonly ReaderOperation[]): void {
  for (const statement of readerStatements(stack as Stack, clusterNames, only)) {
    const json = stack.resolve(statement.toStatementJson()) as { Action: string | string[]; Resource: unknown };
    const actions = ([] as string[]).concat(json.Action);
    for (const resource of ([] as unknown[]).concat(json.Resource).map(nagText)) {
      if (resource.includes('*')) acknowledge(role, `AwsSolutions-IAM5[Resource::${resource}]`, wildcardReason(resource, actions));
    }
  }
}

export function acknowledgeNagFindings(stack: EcsMedicStack): void {
  for (const fn of [stack.diagnose, stack.notify, ...(stack.audit ? [stack.audit] : [])]) {
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'nodejs22.x is the runtime the bot is built and tested for (esbuild target node22, Powertools and middy 6 support); the move to nodejs24.x is a deliberate upgrade, not a synth-time default.',
    );
  }
  for (const queue of [stack.deadLetterQueues.diagnose, stack.deadLetterQueues.notify, ...(stack.deadLetterQueues.audit ? [stack.deadLetterQueues.audit] : [])]) {
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      'This queue is a dead-letter queue: the EventBridge target DLQ and Lambda on-failure destination of its function. cdk-nag only recognizes a DLQ attached as another queue\'s redrive policy.',
    );
  }
  const diagnoseRole = stack.diagnose.role;
  if (!diagnoseRole) throw new Error('the diagnose function has no role');
  acknowledgeReaderWildcards(stack, diagnoseRole, stack.clusterNames);
  if (stack.audit) {
    const auditRole = stack.audit.role;
    if (!auditRole) throw new Error('the audit function has no role');
    acknowledgeReaderWildcards(stack, auditRole, stack.auditClusterNames, AUDIT_OPERATIONS);
  }
}
