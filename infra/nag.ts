/**
 * cdk-nag v3 (AwsSolutions) on the whole app, and every finding the stack
 * accepts, acknowledged where it arises with the reason. Granular IAM5
 * findings are acknowledged one resource at a time, computed from the same
 * statements the diagnose role receives, so a new wildcard is a new finding.
 */
import { type App, type Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { AUDIT_OPERATIONS } from '../shared/audit/account';
import type { ReaderOperation } from '../shared/reader/port';
import { REMEDY_ACTIONS } from '../shared/remedy/config';
import { remediationReads } from '../shared/remedy/flow';
import { readerStatements } from './reader-policy';
import type { EcsMedicStack } from './stack';
import { writerStatements } from './writer-policy';

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

/** Each wildcard resource of statements a role receives, acknowledged on that role with its reason. */
function acknowledgeWildcards(stack: EcsMedicStack, role: IConstruct, statements: readonly PolicyStatement[], reason: (resource: string, actions: string[]) => string): void {
  for (const statement of statements) {
    const json = stack.resolve(statement.toStatementJson()) as { Action: string | string[]; Resource: unknown };
    const actions = ([] as string[]).concat(json.Action);
    for (const resource of ([] as unknown[]).concat(json.Resource).map(nagText)) {
      if (resource.includes('*')) acknowledge(role, `AwsSolutions-IAM5[Resource::${resource}]`, reason(resource, actions));
    }
  }
}

function acknowledgeReaderWildcards(stack: EcsMedicStack, role: IConstruct, clusterNames: readonly string[], only?: readonly ReaderOperation[]): void {
  acknowledgeWildcards(stack, role, readerStatements(stack as Stack, clusterNames, only), wildcardReason);
}

/** Why the remediate role may change any of these: which one is known from the incident only, and each is bounded by a condition or a prefix. */
function writerReason(_resource: string, actions: string[]): string {
  return actions.includes('ecs:UpdateService')
    ? `${actions.join(', ')}: any service of the watched clusters, but only one whose opt-in tag (aws:ResourceTag condition) lists the action; the service to repair is known from the incident only.`
    : `${actions.join(', ')}: log groups under an allowed name prefix (context remediation.logGroupPrefixes), in any Region because a container's awslogs-region may differ from the bot's.`;
}

export function acknowledgeNagFindings(stack: EcsMedicStack): void {
  for (const fn of [stack.diagnose, stack.notify, ...(stack.audit ? [stack.audit] : []), ...(stack.remediate ? [stack.remediate] : [])]) {
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'nodejs22.x is the runtime the bot is built and tested for (esbuild target node22, Powertools and middy 6 support); the move to nodejs24.x is a deliberate upgrade, not a synth-time default.',
    );
  }
  const { diagnose, notify, audit, remediate } = stack.deadLetterQueues;
  for (const queue of [diagnose, notify, ...(audit ? [audit] : []), ...(remediate ? [remediate] : [])]) {
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
  if (stack.remediate) {
    const remediateRole = stack.remediate.role;
    if (!remediateRole) throw new Error('the remediate function has no role');
    const { remediation } = stack.config;
    acknowledgeReaderWildcards(stack, remediateRole, stack.remediateClusterNames, remediationReads(REMEDY_ACTIONS.filter((action) => remediation.modes[action] !== 'off')));
    acknowledgeWildcards(stack, remediateRole, writerStatements(stack as Stack, stack.remediateClusterNames, remediation), writerReason);
  }
}
