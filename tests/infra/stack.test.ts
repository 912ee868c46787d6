/**
 * The stack's template, synthesized without bundling (context
 * `aws:cdk:bundling-stacks: []`; tests/infra/bundle.test.ts bundles for real).
 * The app carries the cdk-nag plugin, so every synthesis here is also a nag gate.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDIT_OPERATIONS } from '../../shared/audit/account';
import { ENV } from '../../shared/bot/config';
import { readerOperations } from '../../shared/reader/port';
import { buildApp } from '../../infra/build';
import { diagnosePatterns, EVENT_PATTERN_LIMIT, incidentPattern, remedyIncidentPattern } from '../../infra/patterns';
import { actionsOnAnyResource } from '../../infra/reader-policy';
import { FUNCTION_NAMES, MEMORY_MB } from '../../infra/sizes';
import { INCIDENT_TABLE_ACTIONS, NOTIFY_TABLE_ACTIONS } from '../../infra/stack';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown };

function synth(context: Record<string, unknown> = {}) {
  const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  const properties = (construct: { node: { defaultChild?: unknown } }) => {
    const found = resources[logicalId(construct)];
    if (!found) throw new Error(`no resource for ${logicalId(construct)}`);
    return found.Properties;
  };
  const variables = (construct: { node: { defaultChild?: unknown } }) => (properties(construct).Environment as { Variables: Record<string, unknown> }).Variables;
  return { stack, template, resources, logicalId, properties, variables };
}

const base = synth();
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every action in a role's policies (inline DefaultPolicy attached by the CDK). */
function roleActions(resources: Record<string, Resource>, roleId: string): Set<string> {
  const actions = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = resource.Properties.Roles as { Ref: string }[];
    if (!roles.some((r) => r.Ref === roleId)) continue;
    const document = resource.Properties.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement) for (const action of list(statement.Action)) actions.add(action);
  }
  return actions;
}

function roleStatements(resources: Record<string, Resource>, roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const diagnoseRoleId = base.logicalId(base.stack.diagnose.role as never);
const arnOf = (construct: { node: { defaultChild?: unknown } }) => ({ 'Fn::GetAtt': [base.logicalId(construct), 'Arn'] });

describe('the functions', () => {
  it('deploys one Lambda per function of infra/sizes.ts (the list the bench reports), each a functions/<name>/handler.ts sized from it', () => {
    const functionsDir = join(dirname(fileURLToPath(import.meta.url)), '../../functions');
    const handlers = readdirSync(functionsDir).filter((name) => existsSync(join(functionsDir, name, 'handler.ts')));
    expect([...FUNCTION_NAMES].sort()).toEqual(handlers.sort());
    const deployed = Object.values(base.resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => [(r.Properties.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_SERVICE_NAME, r.Properties.MemorySize]);
    expect(Object.fromEntries(deployed)).toEqual(Object.fromEntries(FUNCTION_NAMES.map((name) => [`ecs-medic-${name}`, MEMORY_MB[name]])));
  });
});

describe('EventBridge rules', () => {
  it('deploys the very pattern objects the fixture tests match, on the default bus', () => {
    const patterns = diagnosePatterns({ clusters: [] });
    for (const [ruleId, pattern] of Object.entries(patterns)) {
      const rule = base.stack.node.findChild(ruleId);
      const properties = base.resources[base.logicalId(rule)]?.Properties;
      expect(properties?.EventPattern, ruleId).toEqual(pattern);
      expect(properties?.EventBusName, ruleId).toBeUndefined();
    }
    const incidents = base.resources[base.logicalId(base.stack.incidentRule)]?.Properties;
    expect(incidents?.EventPattern).toEqual(incidentPattern);
    const remedies = base.resources[base.logicalId(base.stack.node.findChild('RemedyIncidents') as never)]?.Properties;
    expect(remedies?.EventPattern).toEqual(remedyIncidentPattern(['health-check-grace-period', 'log-group-missing']));
    // The diagnose rules, the incident rule, the remedy rule and the audit schedule.
    base.template.resourceCountIs('AWS::Events::Rule', Object.keys(patterns).length + 3);
  });

  it('gives every target a DLQ (its function\'s) and a retry policy', () => {
    const expected = new Map([
      [base.logicalId(base.stack.diagnose), base.logicalId(base.stack.deadLetterQueues.diagnose)],
      [base.logicalId(base.stack.notify), base.logicalId(base.stack.deadLetterQueues.notify)],
      [base.logicalId(base.stack.audit as never), base.logicalId(base.stack.deadLetterQueues.audit as never)],
      [base.logicalId(base.stack.remediate as never), base.logicalId(base.stack.deadLetterQueues.remediate as never)],
    ]);
    const rules = Object.values(base.resources).filter((r) => r.Type === 'AWS::Events::Rule');
    for (const rule of rules) {
      const targets = rule.Properties.Targets as { Arn: { 'Fn::GetAtt': string[] }; DeadLetterConfig: unknown; RetryPolicy: unknown }[];
      expect(targets).toHaveLength(1);
      for (const target of targets) {
        const fn = target.Arn['Fn::GetAtt'][0] as string;
        expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expected.get(fn), 'Arn'] } });
        expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 });
      }
    }
  });

  it('lets EventBridge write to the target DLQs (queue policies for events.amazonaws.com)', () => {
    for (const queue of [base.stack.deadLetterQueues.diagnose, base.stack.deadLetterQueues.notify]) {
      base.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: base.logicalId(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: 'sqs:SendMessage', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }),
          ]),
        },
      });
    }
  });
});

describe('Lambda functions', () => {
  it('are ESM bundles on nodejs22.x arm64 with their own log group', () => {
    for (const fn of [base.stack.diagnose, base.stack.notify]) {
      const properties = base.resources[base.logicalId(fn)]?.Properties;
      expect(properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(properties?.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
    }
    base.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('send async failures to their own DLQ after two retries', () => {
    for (const [fn, queue] of [
      [base.stack.diagnose, base.stack.deadLetterQueues.diagnose],
      [base.stack.notify, base.stack.deadLetterQueues.notify],
    ] as const) {
      base.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: base.logicalId(fn) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(queue) } },
      });
    }
  });

  it('configure diagnose through the ENV names of shared/bot/config.ts', () => {
    expect(base.variables(base.stack.diagnose)).toMatchObject({
      [ENV.incidentTable]: { Ref: base.logicalId(base.stack.table) },
      [ENV.eventBus]: 'default',
      [ENV.dedupWindowSeconds]: '3600',
      [ENV.deadLetterQueueUrl]: { Ref: base.logicalId(base.stack.deadLetterQueues.diagnose) },
      [ENV.recheckQueueUrl]: { Ref: base.logicalId(base.stack.recheckQueue) },
      [ENV.recheckDelaySeconds]: '300',
    });
    const notify = base.variables(base.stack.notify);
    expect(notify[ENV.topicArn]).toEqual({ Ref: base.logicalId(base.stack.topic) });
    expect(notify).not.toHaveProperty(ENV.slackSecretArn);
  });

  it('caps diagnose concurrency only when asked (context diagnoseReservedConcurrency): a new account quota of 10 rejects any reservation', () => {
    expect(base.resources[base.logicalId(base.stack.diagnose)]?.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
    const capped = synth({ diagnoseReservedConcurrency: 20 });
    expect(capped.resources[capped.logicalId(capped.stack.diagnose)]?.Properties.ReservedConcurrentExecutions).toBe(20);
  });

  it('consume the re-check queue with partial batch failures; the queue delays, redrives and is encrypted', () => {
    base.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(base.stack.recheckQueue),
      FunctionName: { Ref: base.logicalId(base.stack.diagnose) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(base.resources[base.logicalId(base.stack.recheckQueue)]?.Properties).toMatchObject({
      DelaySeconds: 300,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: arnOf(base.stack.deadLetterQueues.recheck), maxReceiveCount: 3 },
    });
  });
});

describe('IAM', () => {
  it('diagnose: exactly the reader operations plus its writes, and no managed policy', () => {
    const writes = [
      'events:PutEvents',
      ...INCIDENT_TABLE_ACTIONS,
      // Its DLQ and the re-check queue (explicitly, and the CDK's grant for the on-failure destination).
      'sqs:SendMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      // The re-check queue's event source mapping.
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ];
    expect([...roleActions(base.resources, diagnoseRoleId)].sort()).toEqual([...new Set([...readerOperations, ...writes])].sort());
    expect(base.resources[diagnoseRoleId]?.Properties).not.toHaveProperty('ManagedPolicyArns');
  });

  it('diagnose: Resource "*" only for the actions without resource-level permissions', () => {
    const starred = roleStatements(base.resources, diagnoseRoleId)
      .filter((s) => list(s.Resource).includes('*'))
      .flatMap((s) => list(s.Action));
    expect(starred.sort()).toEqual([...actionsOnAnyResource].sort());
  });

  it('diagnose: writes only its table, the default bus and its own queues', () => {
    const statements = roleStatements(base.resources, diagnoseRoleId);
    const resourcesOf = (action: string) => statements.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(s.Resource));
    expect(resourcesOf('events:PutEvents')).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
    ]);
    expect(resourcesOf('dynamodb:PutItem')).toEqual([
      arnOf(base.stack.table),
      { 'Fn::Join': ['', [arnOf(base.stack.table), '/index/open-by-service']] },
    ]);
    expect(resourcesOf('sqs:SendMessage')).toEqual(
      expect.arrayContaining([arnOf(base.stack.deadLetterQueues.diagnose), arnOf(base.stack.recheckQueue)]),
    );
    expect(new Set(resourcesOf('sqs:SendMessage').map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify(arnOf(base.stack.deadLetterQueues.diagnose)), JSON.stringify(arnOf(base.stack.recheckQueue))]),
    );
  });

  it('notify: publish, the topic key, the Slack secret, its delivery records, its DLQ and logs; nothing of the account', () => {
    const withSlack = synth({ slackSecretName: 'ecs-medic/slack-webhook' });
    const roleId = withSlack.logicalId(withSlack.stack.notify.role as never);
    expect([...roleActions(withSlack.resources, roleId)].sort()).toEqual(
      [
        ...NOTIFY_TABLE_ACTIONS,
        'sns:Publish',
        'kms:GenerateDataKey',
        'kms:Decrypt',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
    const secret = roleStatements(withSlack.resources, roleId).find((s) => list(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secret?.Resource)).toContain(':secret:ecs-medic/slack-webhook-??????');
    expect(JSON.stringify(withSlack.variables(withSlack.stack.notify)[ENV.slackSecretArn])).toContain(':secret:ecs-medic/slack-webhook"');
    expect(withSlack.resources[roleId]?.Properties).not.toHaveProperty('ManagedPolicyArns');
    // Only its own records in the incident table: the incidents stay diagnose's.
    const records = roleStatements(withSlack.resources, roleId).find((s) => list(s.Action).includes('dynamodb:PutItem'));
    expect(records?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['notify#*'] } });
    expect(withSlack.variables(withSlack.stack.notify)[ENV.incidentTable]).toEqual({ Ref: withSlack.logicalId(withSlack.stack.table) });
  });

  it('only notify may sns:Publish to the topic or read the Slack secret', () => {
    const withSlack = synth({ slackSecretName: 'ecs-medic/slack-webhook' });
    const notifyRole = withSlack.logicalId(withSlack.stack.notify.role as never);
    const grants = (action: string) =>
      Object.values(withSlack.resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy')
        .filter((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some((s) => list(s.Action).some((a) => a === action || a === '*' || a === `${action.split(':')[0]}:*`)))
        .flatMap((r) => (r.Properties.Roles as { Ref: string }[]).map((role) => role.Ref));
    expect(grants('sns:Publish')).toEqual([notifyRole]);
    expect(grants('secretsmanager:GetSecretValue')).toEqual([notifyRole]);
    // The topic policy admits only this account's CloudWatch alarms besides IAM principals, and denies plain HTTP.
    const topicPolicies = Object.values(withSlack.resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy');
    expect(topicPolicies).toHaveLength(1);
    const allows = topicPolicies.flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement).filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Principal)).toEqual([{ Service: 'cloudwatch.amazonaws.com' }]);
  });

  it('scopes the ECS reads to the watched clusters when context clusters is set', () => {
    const narrowed = synth({ clusters: 'prod,arn:aws:ecs:us-east-1:123456789012:cluster/batch' });
    const roleId = narrowed.logicalId(narrowed.stack.diagnose.role as never);
    const services = roleStatements(narrowed.resources, roleId).find((s) => list(s.Action).includes('ecs:DescribeServices'));
    const text = JSON.stringify(services?.Resource);
    expect(text).toContain(':service/prod/*');
    expect(text).toContain(':service/batch/*');
    expect(text).not.toContain(':service/*"');
  });
});

describe('encryption and transport', () => {
  it('encrypts every queue and denies non-TLS access to it', () => {
    base.template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const queues = Object.entries(base.resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue').map(([id]) => id);
    expect(queues).toHaveLength(6);
    for (const id of queues) {
      base.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('encrypts the topic with a rotated customer key that CloudWatch alarms may use', () => {
    base.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(base.stack.topic.masterKey as never) });
    base.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
    base.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('keeps the incident table to the store\'s schema, with TTL and point-in-time recovery', () => {
    base.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        { IndexName: 'open-by-service', KeySchema: [{ AttributeName: 'serviceKey', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
    });
  });
});

describe('alarms and dashboard', () => {
  const topicRef = { Ref: base.logicalId(base.stack.topic) };

  it('alarms on every DLQ holding a message, to the topic', () => {
    for (const queue of Object.values(base.stack.deadLetterQueues)) {
      base.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [base.logicalId(queue), 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [topicRef],
      });
    }
  });

  it('alarms on each function\'s errors, to the topic', () => {
    for (const fn of [base.stack.diagnose, base.stack.notify, base.stack.audit as never, base.stack.remediate as never]) {
      base.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: base.logicalId(fn) } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [topicRef],
      });
    }
    base.template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  it('graphs incidents by rule with a SEARCH over the EcsMedic metrics', () => {
    const dashboard = Object.values(base.resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(base.stack.resolve(dashboard?.Properties.DashboardBody));
    for (const metric of ['IncidentOpened', 'IncidentRepeated', 'IncidentResolved']) {
      expect(body).toContain(`SEARCH('{EcsMedic,rule} MetricName=\\\\\\"${metric}\\\\\\"', 'Sum', 3600)`);
    }
  });
});

describe('context', () => {
  it('subscribes each alert email to the topic', () => {
    const { template } = synth({ alertEmails: ['ops@example.com', 'dev@example.com'] });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('narrows every ECS rule to the watched clusters', () => {
    const { resources, stack, logicalId } = synth({ clusters: ['prod'] });
    // RegisterTaskDefinition names no cluster.
    for (const ruleId of Object.keys(diagnosePatterns({ clusters: [] })).filter((id) => id !== 'TaskDefinitionCalls')) {
      const pattern = JSON.stringify(resources[logicalId(stack.node.findChild(ruleId) as never)]?.Properties.EventPattern);
      expect(pattern, ruleId).toMatch(/cluster\/prod|service\/prod\//);
    }
  });

  it('deploys 50 watched clusters as rules whose every pattern fits EventBridge\'s limit', () => {
    const clusters = Array.from({ length: 50 }, (_, i) => `arn:aws:ecs:us-east-1:123456789012:cluster/team-${i}-payments-production`);
    const { resources } = synth({ clusters });
    const patterns = Object.values(resources)
      // The audit's schedule rule has no pattern.
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern)
      .map((r) => JSON.stringify(r.Properties.EventPattern));
    // Plus the incident rule and the remedy rule.
    expect(patterns.length).toBe(Object.keys(diagnosePatterns({ clusters })).length + 2);
    for (const pattern of patterns) expect(pattern.length).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT);
    // Every cluster is watched by some rule of each kind.
    for (const cluster of clusters) expect(patterns.filter((p) => p.includes(`"${cluster}"`)).length, cluster).toBeGreaterThanOrEqual(5);
  });

  it('fails synthesis on a bad value, naming the key', () => {
    expect(() => synth({ recheckDelayMinutes: 20 })).toThrow(/recheckDelayMinutes/);
    expect(() => synth({ alertEmails: 'not-an-address' })).toThrow(/alertEmails/);
    expect(() => synth({ clusters: ['prod cluster'] })).toThrow(/clusters/);
  });
});

describe('the scheduled audit', () => {
  const auditRoleId = base.logicalId(base.stack.audit?.role as never);

  it('runs daily by default, on a schedule rule targeting the audit Lambda', () => {
    base.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: arnOf(base.stack.audit as never) })],
    });
    expect(base.properties(base.stack.audit as never)).toMatchObject({ Timeout: 900, MemorySize: 1024 });
    expect(base.variables(base.stack.audit as never)).toMatchObject({ [ENV.auditWindowSeconds]: String(2 * 86400 + 3600) });
  });

  it('reads only what the audit reads, and writes only incidents and incident events', () => {
    const actions = roleActions(base.resources, auditRoleId);
    expect([...actions].sort()).toEqual(
      [
        ...AUDIT_OPERATIONS,
        'events:PutEvents',
        ...INCIDENT_TABLE_ACTIONS,
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        // Its own DLQ, as the Lambda on-failure destination.
        'sqs:SendMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ].sort(),
    );
  });

  it('takes its schedule from context auditSchedule, and "none" removes it', () => {
    const weekly = synth({ auditSchedule: 'cron(0 6 ? * MON *)' });
    weekly.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 ? * MON *)' });
    const none = synth({ auditSchedule: 'none' });
    expect(none.stack.audit).toBeUndefined();
    expect(Object.values(none.resources).some((r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression)).toBe(false);
    expect(() => synth({ auditSchedule: 'every day' })).toThrow(/context auditSchedule/);
  });

  it('audits the watched clusters, or the clusters context auditClusters names, its reads scoped to them', () => {
    const describeServicesScope = (synthesized: ReturnType<typeof synth>) => {
      const roleId = synthesized.logicalId(synthesized.stack.audit?.role as never);
      return JSON.stringify(roleStatements(synthesized.resources, roleId).find((s) => list(s.Action).includes('ecs:DescribeServices'))?.Resource);
    };
    const watched = synth({ clusters: 'prod,staging' });
    expect(watched.variables(watched.stack.audit as never)[ENV.auditClusters]).toBe('prod,staging');
    const audited = synth({ clusters: 'prod,staging', auditClusters: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod' });
    expect(audited.variables(audited.stack.audit as never)[ENV.auditClusters]).toBe('prod');
    expect(describeServicesScope(audited)).toContain(':service/prod/*');
    expect(describeServicesScope(audited)).not.toContain('staging');
    // The diagnose role still reads every watched cluster.
    const diagnoseRoleId = audited.logicalId(audited.stack.diagnose.role as never);
    expect(JSON.stringify(roleStatements(audited.resources, diagnoseRoleId).find((s) => list(s.Action).includes('ecs:DescribeServices'))?.Resource)).toContain(':service/staging/*');
    expect(base.variables(base.stack.audit as never)[ENV.auditClusters]).toBeUndefined();
    expect(() => synth({ auditClusters: ['prod cluster'] })).toThrow(/context auditClusters/);
  });
});
