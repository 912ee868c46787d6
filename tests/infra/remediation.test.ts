/**
 * The remediate function in the template: the only role that may change the
 * account, and only as far as the context lets it (aws-cdk-lib/assertions,
 * synthesized without bundling like tests/infra/stack.test.ts).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build';
import { ENV } from '../../shared/bot/config';
import { REMEDIATION_DEFAULTS } from '../../shared/remedy/config';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

function synth(remediation?: unknown, context: Record<string, unknown> = {}) {
  const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context, ...(remediation === undefined ? {} : { remediation }) } });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const idOf = (construct: { node: { defaultChild?: unknown } } | undefined) => (construct ? stack.getLogicalId(construct.node.defaultChild as never) : undefined);
  /** Every allowing statement, by the logical id of the role it is attached to. */
  const statementsByRole = new Map<string, Statement[]>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    for (const role of resource.Properties.Roles as { Ref: string }[]) {
      const statements = (resource.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) => s.Effect === 'Allow');
      statementsByRole.set(role.Ref, [...(statementsByRole.get(role.Ref) ?? []), ...statements]);
    }
  }
  return { stack, resources, idOf, statementsByRole, remediateRole: idOf(stack.remediate?.role as never) };
}

const actions = (s: Statement) => ([] as string[]).concat(s.Action);
const on = { modes: { 'grace-period': 'on', 'log-group': 'on' } };

/** An action that changes something in the account outside the bot's own resources (its table, queues, bus, topic, key and log groups). */
function changesTheAccount(action: string, statement: Statement, own: (resource: unknown) => boolean): boolean {
  const [service, operation = ''] = action.split(':');
  if (action === '*' || operation.includes('*')) return true;
  if (/^(Describe|List|Get|BatchGet|Query|Scan|Simulate)/.test(operation)) return false;
  // Writes to the bot's own resources: each statement names them (Ref/GetAtt of stack resources), never the account's.
  if (['dynamodb', 'sqs', 'sns', 'events', 'kms'].includes(service as string) || action === 'logs:CreateLogStream' || action === 'logs:PutLogEvents') {
    return !([] as unknown[]).concat(statement.Resource).every(own);
  }
  return true;
}

describe('remediation in the template', () => {
  it.each([
    ['default (dry-run)', undefined],
    ['every action on', on],
  ])('no role but remediate can change the account: %s', (_name, remediation) => {
    const { resources, statementsByRole, remediateRole } = synth(remediation);
    const stackResource = (value: unknown): boolean => {
      const text = JSON.stringify(value);
      // Ref X, GetAtt X.Arn, or an ARN joined from one (the default bus of the bot's account and Region).
      const named = [...text.matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"([A-Za-z0-9]+)"/g)].map((m) => m[1] as string);
      return (named.length > 0 && named.every((id) => id in resources || id.startsWith('AWS::'))) || /event-bus\/default/.test(text);
    };
    expect(statementsByRole.size).toBeGreaterThanOrEqual(4);
    const writers = new Map<string, string[]>();
    for (const [role, statements] of statementsByRole) {
      const writes = statements.flatMap((s) => actions(s).filter((a) => changesTheAccount(a, s, stackResource)));
      if (writes.length > 0) writers.set(role, writes);
    }
    if (remediation === undefined) expect([...writers.keys()]).toEqual([]);
    else expect(Object.fromEntries(writers)).toEqual({ [remediateRole as string]: ['ecs:UpdateService', 'logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'] });
  });

  it('grants UpdateService only on services tagged for it, and the log-group actions only under the allowed prefixes', () => {
    const { statementsByRole, remediateRole } = synth({ ...on, logGroupPrefixes: ['/ecs/', '/app/'] });
    const statements = statementsByRole.get(remediateRole as string) ?? [];
    const update = statements.find((s) => actions(s).includes('ecs:UpdateService'));
    expect(actions(update as Statement)).toEqual(['ecs:UpdateService']);
    expect(update?.Condition).toEqual({ StringLike: { 'aws:ResourceTag/ecs-medic:auto-fix': '*grace-period*' } });
    expect(JSON.stringify(update?.Resource)).toContain(':service/*');
    const logs = statements.find((s) => actions(s).includes('logs:CreateLogGroup'));
    expect(actions(logs as Statement)).toEqual(['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource']);
    const arns = JSON.stringify(logs?.Resource);
    expect(arns).toContain(':logs:*:');
    expect(arns).toContain(':log-group:/ecs/*');
    expect(arns).toContain(':log-group:/app/*');
    // Its table access is its ledger's keys only.
    const table = statements.find((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(actions(table as Statement)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(table?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['remedy#*'] } });
  });

  it('grants a write only to an action whose mode is on; the tag key follows the context', () => {
    const { statementsByRole, remediateRole } = synth({ modes: { 'grace-period': 'on', 'log-group': 'dry-run' }, tagKey: 'team:auto-fix' });
    const statements = statementsByRole.get(remediateRole as string) ?? [];
    expect(statements.flatMap(actions).filter((a) => a.startsWith('logs:') && a !== 'logs:CreateLogStream' && a !== 'logs:PutLogEvents' && a !== 'logs:DescribeLogGroups')).toEqual([]);
    expect(statements.find((s) => actions(s).includes('ecs:UpdateService'))?.Condition).toEqual({ StringLike: { 'aws:ResourceTag/team:auto-fix': '*grace-period*' } });
  });

  it('passes the configuration to the function as JSON, and triggers it only on opened incidents of the rules not off', () => {
    const { stack, resources, idOf } = synth({ modes: { 'grace-period': 'off', 'log-group': 'on' } });
    const fn = resources[idOf(stack.remediate as never) as string];
    if (!fn) throw new Error('no remediate function');
    const { Variables: variables } = fn.Properties.Environment as { Variables: Record<string, string> };
    expect(JSON.parse(variables[ENV.remediation] as string)).toEqual({ ...REMEDIATION_DEFAULTS, modes: { 'grace-period': 'off', 'log-group': 'on' } });
    const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.EventPattern ?? '').includes('opened'));
    expect(rule?.Properties.EventPattern).toEqual({ source: ['ecs-medic'], 'detail-type': ['ECS Medic Incident'], detail: { state: ['opened'], finding: { rule: ['log-group-missing'] } } });
  });

  it('reads and writes services of the watched and the audited clusters, the clusters whose incidents it receives', () => {
    const { statementsByRole, remediateRole } = synth(on, { clusters: 'production', auditClusters: 'staging' });
    const statements = statementsByRole.get(remediateRole as string) ?? [];
    for (const action of ['ecs:DescribeServices', 'ecs:UpdateService']) {
      const resources = JSON.stringify(statements.find((s) => actions(s).includes(action))?.Resource);
      expect(resources, action).toContain(':service/production/*');
      expect(resources, action).toContain(':service/staging/*');
    }
  });

  it('deploys no remediate function, rule or write when every action is off', () => {
    const { stack, statementsByRole } = synth({ modes: { 'grace-period': 'off', 'log-group': 'off' } });
    expect(stack.remediate).toBeUndefined();
    expect(stack.node.tryFindChild('RemedyIncidents')).toBeUndefined();
    expect([...statementsByRole.values()].flat().flatMap(actions)).not.toContain('ecs:UpdateService');
  });

  it('takes context remediation as JSON text (-c) and fails synthesis on a bad value, naming the key', () => {
    expect(synth(JSON.stringify(on)).stack.config.remediation.modes).toEqual({ 'grace-period': 'on', 'log-group': 'on' });
    expect(() => synth({ modes: { 'grace-period': 'always' } })).toThrow('context remediation.modes.grace-period must be off | dry-run | on');
    expect(() => synth('{not json')).toThrow('context remediation must be a JSON object');
  });
});
