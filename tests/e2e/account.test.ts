/**
 * ecs-medic deployed into an emulated AWS account (moto) with the real CDK CLI,
 * and driven end to end through it: ECS events on the default bus, the
 * deployed functions' bundles under their deployed roles, alerts on the SNS
 * topic (an SQS subscription) and on a loopback Slack webhook.
 */
import { DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteLogGroupCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ListTagsForResourceCommand as ListServiceTagsCommand, TagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { diagnosePatterns, incidentPattern, remedyIncidentPattern } from '../../infra/patterns';
import { ENV } from '../../shared/bot/config';
import { INCIDENT_DETAIL_TYPE } from '../../shared/bot/incident-event';
import { REMEDY_DETAIL_TYPE, type RemedyDetail } from '../../shared/remedy/outcome';
import type { RemedyAction, ValueChange } from '../../shared/rules/remedy';
import { writerOperations } from '../../shared/writer/live';
import { incidentTableSchema } from '../../shared/incidents/store';
import { drainQueue, type Envelope, type EventSourceBatch, type Invocation } from './support/bot';
import type { Finding } from '../../shared/findings';
import type { DeployedFunctionName, DeployedRule } from './support/account';
import { AUDIT_CLUSTER } from './support/audit';
import { allows, type RequestContext, resourcesOf } from './support/iam';
import { withEnvironment } from './support/lambda';
import { ACCOUNT, INSTALL_HINT, motoServerAvailable, type RecordedCall, REGION } from './support/moto';
import { removeScratch, scratchDir } from './support/scratch';
import { autoFixTag, builtInScenario, e2eScenarios, type SeededScenario } from './support/scenarios';
import { ALERT_EMAIL, CLUSTERS, RECHECK_DELAY_MINUTES, REMEDIATION, SLACK_SECRET, type SnsAlert, setUp, type World } from './support/world';

const available = motoServerAvailable();
const inCi = process.env.CI === 'true';
if (!available && !inCi) console.warn(`skipped: ${INSTALL_HINT}`);

/** The project's budget of AWS reads per new incident (README, "Performance"). */
const READ_BUDGET = 8;

function failures(invocations: Invocation[]): unknown[] {
  return invocations.filter((i) => i.error !== undefined).map((i) => `${i.function} via ${i.rule}: ${String(i.error)}`);
}

describe.skipIf(!available && !inCi)('ecs-medic in an emulated AWS account (moto)', () => {
  let world: World;

  beforeAll(async () => {
    if (!available) throw new Error(`CI=true and python3 -m moto.server is unavailable: ${INSTALL_HINT}`);
    world = await setUp();
  }, 600_000);

  afterAll(async () => {
    await world?.slack.close();
    await world?.moto.stop();
    removeScratch();
  });

  async function snsAlerts(): Promise<SnsAlert[]> {
    const messages = await drainQueue(world.aws, world.alertQueueUrl);
    return messages.map(({ body }) => {
      const envelope = JSON.parse(body) as { Subject: string; Message: string; MessageAttributes?: Record<string, { Value: string }> };
      return {
        subject: envelope.Subject,
        message: envelope.Message,
        attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
      };
    });
  }

  function slackPosts(): unknown[] {
    return world.slack.posts.splice(0);
  }

  describe('the deployed stack', () => {
    it('has one rule per pattern, read back as synthesized, each targeting its function with a DLQ and retries', () => {
      const { stack } = world;
      const expected = { ...diagnosePatterns({ clusters: CLUSTERS }) };
      const diagnoseDlq = stack.physicalId('DiagnoseDeadLetters');
      for (const [id, pattern] of Object.entries(expected)) {
        const rule = stack.rules.find((r) => r.logicalId.startsWith(id));
        expect(rule, id).toBeDefined();
        expect(rule?.pattern).toEqual(pattern);
        expect(rule?.state).toBe('ENABLED');
        expect(rule?.functionTargets).toEqual([stack.functions.diagnose.arn]);
        expect(rule?.targets[0]?.deadLetterArn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:${diagnoseDlq.split('/').pop()}`);
        expect(rule?.targets[0]?.maximumRetryAttempts).toBe(10);
      }
      const incidents = stack.rules.find((r) => r.logicalId.startsWith('IncidentEvents'));
      expect(incidents?.pattern).toEqual(incidentPattern);
      expect(incidents?.functionTargets).toEqual([stack.functions.notify.arn]);
      const remedies = stack.rules.find((r) => r.logicalId.startsWith('RemedyIncidents'));
      expect(remedies?.pattern).toEqual(remedyIncidentPattern(['health-check-grace-period', 'log-group-missing']));
      expect(remedies?.functionTargets).toEqual([stack.functions.remediate.arn]);
      // The incident rule, the remedy rule, and the audit's schedule.
      expect(stack.rules).toHaveLength(Object.keys(expected).length + 3);
    });

    it('has the incident table with the store\'s key schema, index and TTL', async () => {
      const TableName = world.stack.physicalId('IncidentTable');
      const { Table } = await world.aws.dynamodb.send(new DescribeTableCommand({ TableName }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: incidentTableSchema.partitionKey.name, KeyType: 'HASH' }]);
      const [index] = incidentTableSchema.indexes;
      expect(Table?.GlobalSecondaryIndexes?.map((g) => ({ name: g.IndexName, keys: g.KeySchema, projection: g.Projection?.ProjectionType }))).toEqual([
        { name: index.name, keys: [{ AttributeName: index.partitionKey.name, KeyType: 'HASH' }], projection: index.projection },
      ]);
      // moto gap: its CloudFormation ignores TimeToLiveSpecification (DescribeTimeToLive answers DISABLED), so the TTL is read from the template CloudFormation holds.
      const table = Object.values(world.stack.template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table');
      expect(table?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: incidentTableSchema.ttlAttribute, Enabled: true });
    });

    it('has the re-check delay queue redriving to its DLQ, feeding the diagnose function in batches with partial failures', async () => {
      const { stack, aws } = world;
      const { Attributes } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.physicalId('Recheck9'), AttributeNames: ['All'] }));
      expect(Attributes?.DelaySeconds).toBe(String(RECHECK_DELAY_MINUTES * 60));
      expect(stack.eventSources).toEqual([
        { uuid: expect.any(String), queueArn: Attributes?.QueueArn, functionArn: stack.functions.diagnose.arn, batchSize: 10, functionResponseTypes: ['ReportBatchItemFailures'] },
      ]);
      const recheckDlq = stack.physicalId('RecheckDeadLetters').split('/').pop();
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${recheckDlq}`, maxReceiveCount: 3 });
    });

    it('subscribes the alert email to the topic', async () => {
      // moto gap: its CloudFormation does not create AWS::SNS::Subscription resources, so the subscription is read from the template CloudFormation holds.
      const subscriptions = Object.values(world.stack.template.Resources).filter((r) => r.Type === 'AWS::SNS::Subscription');
      expect(subscriptions.map((r) => [r.Properties?.Protocol, r.Properties?.Endpoint])).toEqual([['email', ALERT_EMAIL]]);
    });

    it('configures each function with the names its code reads and a role of its own', () => {
      const { stack } = world;
      const { diagnose, notify, audit, remediate } = stack.functions;
      expect(diagnose.environment).toMatchObject({
        [ENV.incidentTable]: stack.physicalId('IncidentTable'),
        [ENV.eventBus]: 'default',
        [ENV.deadLetterQueueUrl]: stack.physicalId('DiagnoseDeadLetters'),
        [ENV.recheckQueueUrl]: stack.physicalId('Recheck9'),
        [ENV.dedupWindowSeconds]: '3600',
        [ENV.recheckDelaySeconds]: String(RECHECK_DELAY_MINUTES * 60),
      });
      expect(notify.environment).toMatchObject({
        [ENV.topicArn]: stack.physicalId('Alerts'),
        [ENV.deadLetterQueueUrl]: stack.physicalId('NotifyDeadLetters'),
        [ENV.slackSecretArn]: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SLACK_SECRET}`,
      });
      expect(audit.environment).toMatchObject({ [ENV.incidentTable]: stack.physicalId('IncidentTable'), [ENV.eventBus]: 'default', [ENV.auditClusters]: AUDIT_CLUSTER });
      expect(new Set([diagnose.roleArn, notify.roleArn, audit.roleArn, remediate.roleArn]).size).toBe(4);
      expect(JSON.parse(remediate.environment[ENV.remediation] ?? '{}')).toMatchObject(REMEDIATION);
      // With both modes on, remediate holds the writes, on tagged services and /ecs/ log groups only; no other role does.
      const service = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/example-cluster/hc-webserver`;
      const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/webserver`;
      const optIn = (value: string) => ({ 'aws:ResourceTag/ecs-medic:auto-fix': [value] });
      expect(allows(remediate.statements, 'ecs:UpdateService', service, optIn('grace-period'))).toBe(true);
      // The opt-in tag is the policy's condition too: without it, or listing another action, the role cannot change the service.
      expect(allows(remediate.statements, 'ecs:UpdateService', service)).toBe(false);
      expect(allows(remediate.statements, 'ecs:UpdateService', service, optIn('log-group'))).toBe(false);
      expect(allows(remediate.statements, 'logs:CreateLogGroup', group)).toBe(true);
      expect(allows(remediate.statements, 'logs:CreateLogGroup', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/x`)).toBe(false);
      for (const other of [diagnose, notify, audit]) {
        expect(allows(other.statements, 'ecs:UpdateService', service, optIn('grace-period'))).toBe(false);
        expect(allows(other.statements, 'logs:CreateLogGroup', group)).toBe(false);
      }
      // Only notify may publish alerts and read the Slack secret.
      expect(allows(diagnose.statements, 'sns:Publish', stack.physicalId('Alerts'))).toBe(false);
      expect(allows(diagnose.statements, 'secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SLACK_SECRET}-AbCdEf`)).toBe(false);
    });
  });

  async function incidentItems(): Promise<{ pk: string; state: string | undefined; serviceKey: string | undefined; expiresAt: string | undefined }[]> {
    const { Items = [] } = await world.aws.dynamodb.send(
      new ScanCommand({ TableName: world.stack.physicalId('IncidentTable'), FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: 'incident#' } } }),
    );
    return Items.map((item) => ({ pk: item.pk?.S ?? '', state: item.state?.S, serviceKey: item.serviceKey?.S, expiresAt: item.expiresAt?.N }));
  }

  /** Calls signed by a function's role since the recorder was reset; for diagnose and audit, split into reads of the account and writes to the bot's own resources. */
  function callsBy(role: DeployedFunctionName): { reads: RecordedCall[]; own: RecordedCall[]; all: RecordedCall[] } {
    const all = world.moto.calls().filter((call) => call.accessKeyId === world.roleKeys[role]);
    const own = all.filter((call) => role === 'notify' || ['dynamodb', 'events', 'sqs'].includes(call.service));
    return { all, own, reads: all.filter((call) => !own.includes(call)) };
  }

  /** The condition keys the roles' conditions use, as IAM would evaluate a call with them: the tags of the ECS service a call changes. */
  async function requestContext(call: RecordedCall, resource: string): Promise<RequestContext> {
    if (call.service !== 'ecs' || call.operation !== 'UpdateService') return {};
    const { tags = [] } = await world.aws.ecs.send(new ListServiceTagsCommand({ resourceArn: resource }));
    return Object.fromEntries(tags.map((tag) => [`aws:ResourceTag/${tag.key}`, [tag.value ?? '']]));
  }

  /** moto enforced the actions; the resources and conditions it does not enforce are checked here against the role's statements as deployed (support/iam.ts). */
  async function expectResourcesAllowed(role: DeployedFunctionName, calls: RecordedCall[]): Promise<void> {
    const secretArns = { [world.slackSecretArn.replace(/-[A-Za-z0-9]{6}$/, '')]: world.slackSecretArn };
    for (const call of calls) {
      for (const resource of resourcesOf(call, ACCOUNT, REGION, secretArns)) {
        const context = await requestContext(call, resource);
        expect(allows(world.stack.functions[role].statements, `${call.service}:${call.operation}`, resource, context), `${role} ${call.service}:${call.operation} on ${resource} ${JSON.stringify(context)}`).toBe(true);
      }
    }
  }

  /** Remedy outcomes, apart from incident alerts: on SNS the attribute `remedy` (the status), on Slack the heading "AUTO-FIX …". */
  const isOutcome = (alert: SnsAlert) => alert.attributes.remedy !== undefined;
  const isOutcomePost = (post: unknown) => /^AUTO-FIX /.test((post as { text?: string }).text ?? '');

  /** The changes among calls (the writer port's operations, named as IAM names them). */
  function writesIn(calls: RecordedCall[]): string[] {
    return calls.map((call) => `${call.service}:${call.operation}`).filter((operation) => (writerOperations as string[]).includes(operation));
  }

  /** The remedy outcomes the bus carried for a service, as the remediate function published them. */
  function outcomeEvents(service: string): RemedyDetail[] {
    return world.bot.seen
      .filter((envelope) => envelope['detail-type'] === REMEDY_DETAIL_TYPE)
      .map((envelope) => envelope.detail as unknown as RemedyDetail)
      .filter((detail) => detail.outcome.resource.service === service);
  }

  /** The opened-incident event of a rule (for a service) the bus carried: what the RemedyIncidents rule hands the remediate function. */
  function openedIncident(rule: string, service?: string): Envelope {
    const found = world.bot.seen.find((envelope) => {
      const detail = envelope.detail as { state?: string; finding?: { rule?: string; resource?: { service?: string } } };
      return envelope['detail-type'] === INCIDENT_DETAIL_TYPE && detail.state === 'opened' && detail.finding?.rule === rule && (service === undefined || detail.finding.resource?.service === service);
    });
    if (!found) throw new Error(`no opened incident of ${rule} ${service ?? ''} on the bus`);
    return found;
  }

  async function gracePeriod(cluster: string, service: string): Promise<number | undefined> {
    const { services = [] } = await world.aws.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    return services[0]?.healthCheckGracePeriodSeconds;
  }

  async function logGroup(name: string): Promise<{ retentionInDays: number | undefined; tags: Record<string, string> } | undefined> {
    const { logGroups = [] } = await world.aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
    const group = logGroups.find((g) => g.logGroupName === name);
    if (!group) return undefined;
    const { tags = {} } = await world.aws.logs.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}` }));
    return { retentionInDays: group.retentionInDays, tags };
  }

  /** What an auto-fix changes on the scenario's service, read back from the account. */
  function autoFixed(action: RemedyAction, seeded: SeededScenario): Promise<unknown> {
    return action === 'grace-period' ? gracePeriod(seeded.service.cluster, seeded.service.name) : logGroup(seeded.missingLogGroup ?? '');
  }

  const remediateInvocations = (invocations: Invocation[]) => invocations.filter((i) => i.function === world.stack.functions.remediate.logicalId);

  describe.each(e2eScenarios)('scenario $id', (scenario) => {
    let seeded: SeededScenario;
    let openingIndex: number;
    let opening: Envelope;
    const measured: Record<string, unknown> = {};
    /** The auto-fix's outcome messages, apart from the alert. */
    let outcomes: { sns: SnsAlert[]; slack: unknown[] } = { sns: [], slack: [] };

    beforeAll(() => {
      seeded = world.seeded.get(scenario.id) as SeededScenario;
      openingIndex = seeded.openingIndex ?? 0;
      opening = seeded.events[openingIndex] as Envelope;
    });

    it('alerts once on each channel, naming the rule, the cause and a fix from the account, within the call budget', async () => {
      await world.moto.resetCalls();
      // The events before the opening one (tasks entering PROVISIONING) open nothing; the incident's reads count them too.
      for (const earlier of seeded.events.slice(0, openingIndex)) {
        expect(failures(await world.bot.send(earlier))).toEqual([]);
        expect(await snsAlerts()).toEqual([]);
      }
      const invocations = await world.bot.send(opening);
      expect(failures(invocations)).toEqual([]);
      const diagnoseCalls = callsBy('diagnose');
      const recheckQueueUrl = world.stack.physicalId('Recheck9');
      const recheckQueue = `/${ACCOUNT}/${recheckQueueUrl.slice(recheckQueueUrl.lastIndexOf('/') + 1)}"`;
      const rechecks = diagnoseCalls.own.filter((call) => call.operation === 'SendMessage' && call.body.includes(recheckQueue));
      // One re-check per service, however many of its tasks entered PROVISIONING.
      expect(rechecks).toHaveLength(seeded.schedulesRecheck ? 1 : 0);
      const notifyCalls = callsBy('notify');
      const remediateCalls = callsBy('remediate');
      const messages = await snsAlerts();
      const allPosts = slackPosts();
      // An auto-fix's outcome is a message of its own, after the alert (asserted in the next tests).
      const alerts = messages.filter((m) => !isOutcome(m));
      const posts = allPosts.filter((p) => !isOutcomePost(p));
      outcomes = { sns: messages.filter(isOutcome), slack: allPosts.filter(isOutcomePost) };
      expect(alerts).toHaveLength(1);
      expect(posts).toHaveLength(1);
      expect(outcomes.sns).toHaveLength(scenario.autoFix ? 1 : 0);
      expect(outcomes.slack).toHaveLength(scenario.autoFix ? 1 : 0);
      const [alert] = alerts as [SnsAlert];
      expect(alert.attributes).toMatchObject({ rule: scenario.expect.rule, state: 'opened' });
      for (const value of seeded.fixIncludes) {
        expect(alert.message).toContain(value);
        expect(JSON.stringify(posts[0])).toContain(value);
      }
      const firstAttempts = diagnoseCalls.reads.filter((call) => call.attempt === 1);
      measured.reads = firstAttempts.map((call) => `${call.service}:${call.operation}`);
      measured.retries = diagnoseCalls.reads.length - firstAttempts.length;
      measured.diagnoseOwn = diagnoseCalls.own.map((call) => `${call.service}:${call.operation}`);
      measured.notify = notifyCalls.all.map((call) => `${call.service}:${call.operation}`);
      if (scenario.autoFix) measured.remediate = remediateCalls.all.map((call) => `${call.service}:${call.operation}${call.attempt > 1 ? ` (attempt ${call.attempt})` : ''}`);
      console.info(`e2e ${scenario.id}: ${JSON.stringify(measured)}`);
      expect(firstAttempts.length).toBeLessThanOrEqual(READ_BUDGET);
      await expectResourcesAllowed('diagnose', diagnoseCalls.all);
      await expectResourcesAllowed('notify', notifyCalls.all);
      await expectResourcesAllowed('remediate', remediateCalls.all);
    });

    it('keeps the incident in the deployed table', async () => {
      const incident = (await incidentItems()).find((item) => item.pk.includes(`|${scenario.expect.rule}|`));
      expect(incident).toMatchObject({ state: 'open' });
    });

    if (scenario.autoFix) it(
      'makes the auto-fix its service opted in to, under the remediate role: read back from the account, one applied outcome per channel with before, after and the undo command, the change in the ledger',
      async () => {
        const { cluster, name } = seeded.service;
        const published = outcomeEvents(name);
        expect(published).toHaveLength(1);
        const [{ outcome, fingerprint, firstSeen }] = published as [RemedyDetail];
        // A refused write is a `failed` outcome: its reason says which.
        expect(outcome, outcome.reason).toMatchObject({ action: scenario.autoFix, rule: scenario.expect.rule, status: 'applied' });
        const [sns] = outcomes.sns as [SnsAlert];
        expect(sns.attributes).toMatchObject({ rule: scenario.expect.rule, remedy: 'applied', cluster, service: name });
        for (const text of [outcome.summary, ...outcome.values.map((v) => `${v.before} → ${v.after}`), ...outcome.undo]) {
          expect(sns.message).toContain(text);
          expect(JSON.stringify(outcomes.slack[0])).toContain(text);
        }
        if (scenario.autoFix === 'grace-period') {
          const [value] = outcome.values as [ValueChange];
          const { ceilingSeconds } = JSON.parse(world.stack.functions.remediate.environment[ENV.remediation] ?? '{}') as { ceilingSeconds: number };
          // The finding's recommendation (support/scenarios.ts: 60 s from the settings), from the seeded 0 s.
          expect(value).toMatchObject({ before: '0', after: '60' });
          expect(await gracePeriod(cluster, name)).toBe(Number(value.after));
          expect(Number(value.after)).toBeGreaterThanOrEqual(Number(value.before));
          expect(Number(value.after)).toBeLessThanOrEqual(ceilingSeconds);
          expect(outcome.undo).toEqual([`aws ecs update-service --cluster ${cluster} --service ${name} --health-check-grace-period-seconds 0 --region ${REGION}`]);
        } else {
          const group = seeded.missingLogGroup ?? '';
          expect(await logGroup(group)).toEqual({ retentionInDays: 30, tags: { 'created-by': 'ecs-medic', why: expect.stringMatching(/^rule log-group-missing incident .+ opened /) } });
          expect(outcome.undo).toEqual([`aws logs delete-log-group --log-group-name ${group} --region ${REGION}`]);
        }
        const { Items = [] } = await world.aws.dynamodb.send(
          new ScanCommand({ TableName: world.stack.physicalId('IncidentTable'), FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: 'remedy#change#' } } }),
        );
        const ledger = Items.filter((item) => item.pk?.S?.includes(name) && item.pk.S.endsWith(`#${scenario.autoFix}`));
        expect(ledger).toHaveLength(1);
        expect(ledger[0]?.holder?.S).toBe(`${fingerprint}|${firstSeen}`);
        expect(ledger[0]?.outcome?.M?.status?.S).toBe('applied');
        if (scenario.autoFix === 'grace-period') expect(ledger[0]?.lastChange?.M).toMatchObject({ before: { S: '0' }, after: { S: '60' } });
      },
    );

    it('sends nothing for a duplicate delivery or a repeat of the failure, and changes nothing more for a duplicate delivery of its incident event', async () => {
      const before = scenario.autoFix ? await autoFixed(scenario.autoFix, seeded) : undefined;
      await world.moto.resetCalls();
      const delivered = world.bot.seen.find((envelope) => envelope.detail === opening.detail || JSON.stringify(envelope.detail) === JSON.stringify(opening.detail));
      expect(delivered).toBeDefined();
      expect(failures(await world.bot.redeliver(delivered as Envelope))).toEqual([]);
      expect(failures(await world.bot.send(opening))).toEqual([]);
      // EventBridge delivers at least once: the incident event again, to notify and (for a rule with a remedy) remediate.
      expect(failures(await world.bot.redeliver(openedIncident(scenario.expect.rule)))).toEqual([]);
      expect(await snsAlerts()).toEqual([]);
      expect(slackPosts()).toEqual([]);
      const remediateCalls = callsBy('remediate').all;
      if (scenario.autoFix) console.info(`e2e ${scenario.id} duplicate: ${JSON.stringify({ remediate: remediateCalls.map((call) => `${call.service}:${call.operation}`) })}`);
      expect(writesIn(remediateCalls)).toEqual([]);
      if (scenario.autoFix) expect(await autoFixed(scenario.autoFix, seeded)).toEqual(before);
    });

    // The later tests (the steady state, the live diagnosis) see the account as the scenario seeded it.
    if (scenario.autoFix) it("is put back by the outcome's undo command", async () => {
      const { cluster, name } = seeded.service;
      const [{ outcome }] = outcomeEvents(name) as [RemedyDetail];
      // What the undo command (asserted above) does, sent with the SDK: there is no AWS CLI here.
      if (scenario.autoFix === 'grace-period') {
        await world.aws.ecs.send(new UpdateServiceCommand({ cluster, service: name, healthCheckGracePeriodSeconds: Number(outcome.values[0]?.before) }));
        expect(await gracePeriod(cluster, name)).toBe(0);
      } else {
        await world.aws.logs.send(new DeleteLogGroupCommand({ logGroupName: seeded.missingLogGroup }));
        expect(await logGroup(seeded.missingLogGroup ?? '')).toBeUndefined();
      }
    });

    it('resolves with one message per channel on the service\'s steady state, or keeps an incident no steady state names', async () => {
      const { cluster, name, resolvesIncident } = seeded.service;
      const steady: Envelope = {
        id: 'steady',
        'detail-type': 'ECS Service Action',
        source: 'aws.ecs',
        account: ACCOUNT,
        time: new Date().toISOString(),
        region: REGION,
        resources: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`],
        detail: { eventType: 'INFO', eventName: 'SERVICE_STEADY_STATE', clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`, createdAt: new Date().toISOString() },
      };
      expect(failures(await world.bot.send(steady))).toEqual([]);
      const alerts = await snsAlerts();
      if (resolvesIncident) {
        expect(alerts.map((a) => a.attributes.state)).toEqual(['resolved']);
        expect(slackPosts()).toHaveLength(1);
        return;
      }
      // Keyed by its task or task family, the incident stays open; the dedup window (its expiresAt, the table's TTL) ends it.
      expect(alerts).toEqual([]);
      expect(slackPosts()).toEqual([]);
      const incident = (await incidentItems()).find((item) => item.pk.includes(`|${scenario.expect.rule}|`));
      expect(incident).toMatchObject({ state: 'open', serviceKey: undefined });
      const windowSeconds = Number(world.stack.functions.diagnose.environment[ENV.dedupWindowSeconds]);
      expect(Number(incident?.expiresAt) - Date.now() / 1000).toBeGreaterThan(windowSeconds - 120);
      expect(Number(incident?.expiresAt) - Date.now() / 1000).toBeLessThanOrEqual(windowSeconds);
    });

    it('gives, through ecs-medic diagnose --event with the live reader, what the snapshot run of the built-in scenario gives', async () => {
      const dir = scratchDir(scenario.id);
      const builtIn = builtInScenario(scenario.id);
      writeFileSync(join(dir, 'live-event.json'), JSON.stringify(opening));
      writeFileSync(join(dir, 'scenario-event.json'), JSON.stringify(builtIn.events[openingIndex]));
      writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(builtIn.snapshot));
      const diagnose = async (argv: string[]) => {
        const out: string[] = [];
        const code = await main(['diagnose', ...argv, '--json'], { out: (line) => out.push(line), err: () => undefined, stdin: async () => '' });
        expect(code).toBe(0);
        return out.flatMap((line) => (JSON.parse(line) as { findings: Finding[] }).findings);
      };
      const { accessKeyId, secretAccessKey } = world.operator;
      const live = await withEnvironment(
        { AWS_ENDPOINT_URL: world.moto.endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: REGION },
        () => diagnose(['--event', join(dir, 'live-event.json')]),
      );
      const snapshot = await diagnose(['--event', join(dir, 'scenario-event.json'), '--snapshot', join(dir, 'snapshot.json')]);
      const summary = (findings: Finding[]) => findings.map(({ rule, cause, severity }) => ({ rule, cause, severity }));
      expect(summary(live)[0]).toEqual({ ...scenario.expect, severity: expect.any(String) });
      expect(summary(live)).toEqual(summary(snapshot));
      // What moto cannot answer is listed as not checked, with the failure, and the diagnosis still completes.
      expect(live[0]?.unchecked.map((u) => u.check)).toEqual(expect.arrayContaining(seeded.unchecked ?? []));
    });
  });

  describe('the remediation guardrails, on a looping service behind an ALB in remedy-cluster', () => {
    it('leaves a service that has not opted in as it is: the alert, and no change and no outcome', async () => {
      const { events, service } = world.guarded;
      await world.moto.resetCalls();
      const invocations = await world.bot.send(events[0] as Envelope);
      expect(failures(invocations)).toEqual([]);
      expect(remediateInvocations(invocations).map((i) => i.result)).toEqual([
        { status: 'quiet', outcome: undefined, why: `service ${service.name} is not opted in (tag ecs-medic:auto-fix does not list grace-period)` },
      ]);
      const alerts = await snsAlerts();
      expect(alerts.map((a) => a.attributes)).toEqual([expect.objectContaining({ rule: 'health-check-grace-period', state: 'opened', service: service.name })]);
      expect(slackPosts()).toHaveLength(1);
      const remediateCalls = callsBy('remediate').all;
      expect(remediateCalls.map((call) => `${call.service}:${call.operation}`)).toEqual(['ecs:DescribeServices']);
      await expectResourcesAllowed('remediate', remediateCalls);
      expect(await gracePeriod(service.cluster, service.name)).toBe(0);
    });

    it('in dry-run, once the service opted in, publishes exactly what it would do, once per channel, and changes nothing', async () => {
      const { service } = world.guarded;
      await world.aws.ecs.send(
        new TagResourceCommand({ resourceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${service.cluster}/${service.name}`, tags: autoFixTag('grace-period') }),
      );
      await world.moto.resetCalls();
      const invocations = await world.bot.deliverTo(world.dryRunRemediate, openedIncident('health-check-grace-period', service.name));
      expect(failures(invocations)).toEqual([]);
      const summary = `would raise the grace period of service ${service.name} from 0 s to 60 s`;
      expect(invocations[0]?.result).toMatchObject({ status: 'published', outcome: { status: 'dry-run', summary } });
      const alerts = await snsAlerts();
      expect(alerts.map((a) => a.attributes)).toEqual([expect.objectContaining({ remedy: 'dry-run', service: service.name })]);
      expect(alerts[0]?.message).toContain(summary);
      const posts = slackPosts();
      expect(posts).toHaveLength(1);
      expect(JSON.stringify(posts[0])).toContain(summary);
      const remediateCalls = callsBy('remediate').all;
      console.info(`e2e dry-run: ${JSON.stringify({ remediate: remediateCalls.map((call) => `${call.service}:${call.operation}`) })}`);
      expect(writesIn(remediateCalls)).toEqual([]);
      await expectResourcesAllowed('remediate', remediateCalls);
      expect(await gracePeriod(service.cluster, service.name)).toBe(0);
    });
  });

  describe('the scheduled audit, fired by its schedule rule', () => {
    /** The target the issue sets for the audit: at most 5 % more calls than the fewest the APIs allow. */
    const CALL_RATIO_TARGET = 1.05;

    async function fireAudit(): Promise<{ alerts: SnsAlert[]; posts: unknown[]; summary: unknown; invocations: Invocation[] }> {
      const schedule = world.stack.rules.find((rule) => rule.logicalId.startsWith('AuditSchedule'));
      expect(schedule).toMatchObject({ schedule: 'rate(1 day)', state: 'ENABLED', functionTargets: [world.stack.functions.audit.arn] });
      const invocations = await world.bot.fireSchedule(schedule as DeployedRule, new Date());
      expect(failures(invocations)).toEqual([]);
      return { alerts: await snsAlerts(), posts: slackPosts(), summary: invocations[0]?.result, invocations };
    }

    it('alerts once per finding on each channel, naming its rule and resource, in at most 1.05× the fewest calls the account allows', async () => {
      await world.moto.resetCalls();
      const { alerts, posts, summary, invocations } = await fireAudit();
      const expected = world.audit.services.flatMap(({ name, finding }) => (finding ? [{ name, ...finding }] : []));
      // A read the role does not allow is refused by moto and recorded as not checked: none may be.
      expect(summary).toMatchObject({ services: world.audit.services.length, failedReads: 0, unchecked: 0, opened: expected.length });
      expect(alerts).toHaveLength(expected.length);
      expect(posts).toHaveLength(expected.length);
      for (const { name, rule } of expected) {
        const about = alerts.filter((alert) => alert.message.includes(name));
        expect(about.map((alert) => alert.attributes), name).toEqual([expect.objectContaining({ rule, state: 'opened' })]);
        expect(posts.filter((post) => JSON.stringify(post).includes(name)).map((post) => JSON.stringify(post).includes(rule)), name).toEqual([true]);
      }
      expect(alerts.some((alert) => alert.message.includes('audit-clean'))).toBe(false);
      // Two of the findings have a remedy, so their incidents reach the remediate function: the grace period's service
      // did not opt in; the missing log group is a task definition's finding (the audit names no service), and opt-in is per service.
      expect(remediateInvocations(invocations).map((i) => i.result)).toEqual(
        expect.arrayContaining([
          { status: 'quiet', outcome: undefined, why: 'service audit-no-grace is not opted in (tag ecs-medic:auto-fix does not list grace-period)' },
          { status: 'ignored', why: 'the incident names no service (opt-in is per service)' },
        ]),
      );
      expect(remediateInvocations(invocations)).toHaveLength(2);
      expect(writesIn(callsBy('remediate').all)).toEqual([]);
      expect(await gracePeriod(AUDIT_CLUSTER, 'audit-no-grace')).toBe(0);
      expect(await logGroup('/ecs/audit-log-group')).toBeUndefined();
      // Every read counted, retries included: the audit's role signs them, moto records them.
      const { reads, all } = callsBy('audit');
      const made = Object.fromEntries(Object.keys(world.audit.minimumCalls).map((operation) => [operation, 0]));
      for (const call of reads) made[`${call.service}:${call.operation}`] = (made[`${call.service}:${call.operation}`] ?? 0) + 1;
      const minimum = Object.values(world.audit.minimumCalls).reduce((a, b) => a + (b ?? 0), 0);
      const ratio = reads.length / minimum;
      console.info(`e2e audit: ${JSON.stringify({ reads: reads.length, minimum, ratio: Number(ratio.toFixed(3)), made, own: all.length - reads.length, summary })}`);
      expect(ratio).toBeLessThanOrEqual(CALL_RATIO_TARGET);
      await expectResourcesAllowed('audit', all);
    });

    it('sends nothing on the next run: every finding is still there, each counted as a repeat', async () => {
      const { alerts, posts, summary } = await fireAudit();
      expect(alerts).toEqual([]);
      expect(posts).toEqual([]);
      const findings = world.audit.services.filter((s) => s.finding).length;
      expect(summary).toMatchObject({ opened: 0, repeated: findings, resolved: 0 });
    });

    it('resolves, with one message per channel, the finding its team fixed with UpdateService', async () => {
      await world.audit.fix();
      const { alerts, posts } = await fireAudit();
      const { name, finding } = world.audit.fixed;
      expect(alerts.map((alert) => alert.attributes)).toEqual([expect.objectContaining({ rule: finding?.rule, state: 'resolved', cluster: AUDIT_CLUSTER, service: name })]);
      expect(posts).toHaveLength(1);
      expect(JSON.stringify(posts[0])).toContain(name);
    });
  });

  describe('the PENDING re-check, delivered by the re-check queue as its event source mapping delivers it', () => {
    it('re-reads the service after the delay within the budget, and, every task now RUNNING in moto, alerts nothing', async () => {
      const pending = world.seeded.get('pending-pileup') as SeededScenario;
      await world.moto.resetCalls();
      // The message was sent when the pileup's first task entered PROVISIONING; the other scenarios ran meanwhile.
      const batches = await world.bot.pollEventSources(RECHECK_DELAY_MINUTES * 60 + 30);
      expect(batches.map((b) => b.source.functionArn)).toEqual([world.stack.functions.diagnose.arn]);
      const [batch] = batches as [EventSourceBatch];
      expect(batch.error).toBeUndefined();
      expect(batch.response).toEqual({ batchItemFailures: [] });
      expect(batch.event.Records.map((record) => JSON.parse(record.body))).toEqual([
        {
          kind: 'pending-recheck',
          account: ACCOUNT,
          region: REGION,
          clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${pending.service.cluster}`,
          service: pending.service.name,
          firstSeen: expect.any(String),
        },
      ]);
      const reads = callsBy('diagnose').reads.filter((call) => call.attempt === 1).map((call) => `${call.service}:${call.operation}`);
      console.info(`e2e pending-recheck: ${JSON.stringify({ reads })}`);
      expect(reads).toEqual(['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks']);
      expect(reads.length).toBeLessThanOrEqual(READ_BUDGET);
      // moto gap: its tasks are never PROVISIONING or PENDING, so the re-check finds the service's tasks all RUNNING:
      // nothing is stuck, nothing is published, and the message is acknowledged (deleted from the queue).
      expect(batch.invocations).toEqual([]);
      expect(await snsAlerts()).toEqual([]);
      expect(slackPosts()).toEqual([]);
      expect(await world.bot.pollEventSources(0)).toEqual([]);
    });
  });
});
