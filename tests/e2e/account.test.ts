/**
 * ecs-medic deployed into an emulated AWS account (moto) with the real CDK CLI,
 * and driven end to end through it: ECS events on the default bus, the
 * deployed functions' bundles under their deployed roles, alerts on the SNS
 * topic (an SQS subscription) and on a loopback Slack webhook.
 */
import { DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { diagnosePatterns, incidentPattern, remedyIncidentPattern } from '../../infra/patterns';
import { ENV } from '../../shared/bot/config';
import { incidentTableSchema } from '../../shared/incidents/store';
import { drainQueue, type Envelope, type EventSourceBatch, type Invocation } from './support/bot';
import type { Finding } from '../../shared/findings';
import type { DeployedFunctionName, DeployedRule } from './support/account';
import { AUDIT_CLUSTER } from './support/audit';
import { allows, resourcesOf } from './support/iam';
import { withEnvironment } from './support/lambda';
import { ACCOUNT, INSTALL_HINT, motoServerAvailable, type RecordedCall, REGION } from './support/moto';
import { removeScratch, scratchDir } from './support/scratch';
import { builtInScenario, e2eScenarios, type SeededScenario } from './support/scenarios';
import { ALERT_EMAIL, CLUSTERS, RECHECK_DELAY_MINUTES, SLACK_SECRET, type SnsAlert, setUp, type World } from './support/world';

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
      const { diagnose, notify, audit } = stack.functions;
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
      expect(new Set([diagnose.roleArn, notify.roleArn, audit.roleArn]).size).toBe(3);
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

  /** moto enforced the actions; the resources it does not enforce are checked here against the role's statements as deployed (support/iam.ts). */
  function expectResourcesAllowed(role: DeployedFunctionName, calls: RecordedCall[]): void {
    const secretArns = { [world.slackSecretArn.replace(/-[A-Za-z0-9]{6}$/, '')]: world.slackSecretArn };
    for (const call of calls) {
      for (const resource of resourcesOf(call, ACCOUNT, REGION, secretArns)) {
        expect(allows(world.stack.functions[role].statements, `${call.service}:${call.operation}`, resource), `${role} ${call.service}:${call.operation} on ${resource}`).toBe(true);
      }
    }
  }

  describe.each(e2eScenarios)('scenario $id', (scenario) => {
    let seeded: SeededScenario;
    let openingIndex: number;
    let opening: Envelope;
    const measured: Record<string, unknown> = {};

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
      const alerts = await snsAlerts();
      const posts = slackPosts();
      expect(alerts).toHaveLength(1);
      expect(posts).toHaveLength(1);
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
      console.info(`e2e ${scenario.id}: ${JSON.stringify(measured)}`);
      expect(firstAttempts.length).toBeLessThanOrEqual(READ_BUDGET);
      expectResourcesAllowed('diagnose', diagnoseCalls.all);
      expectResourcesAllowed('notify', notifyCalls.all);
    });

    it('keeps the incident in the deployed table', async () => {
      const incident = (await incidentItems()).find((item) => item.pk.includes(`|${scenario.expect.rule}|`));
      expect(incident).toMatchObject({ state: 'open' });
    });

    it('sends nothing for a duplicate delivery or a repeat of the failure', async () => {
      const delivered = world.bot.seen.find((envelope) => envelope.detail === opening.detail || JSON.stringify(envelope.detail) === JSON.stringify(opening.detail));
      expect(delivered).toBeDefined();
      expect(failures(await world.bot.redeliver(delivered as Envelope))).toEqual([]);
      expect(failures(await world.bot.send(opening))).toEqual([]);
      expect(await snsAlerts()).toEqual([]);
      expect(slackPosts()).toEqual([]);
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

  describe('the scheduled audit, fired by its schedule rule', () => {
    /** The target the issue sets for the audit: at most 5 % more calls than the fewest the APIs allow. */
    const CALL_RATIO_TARGET = 1.05;

    async function fireAudit(): Promise<{ alerts: SnsAlert[]; posts: unknown[]; summary: unknown }> {
      const schedule = world.stack.rules.find((rule) => rule.logicalId.startsWith('AuditSchedule'));
      expect(schedule).toMatchObject({ schedule: 'rate(1 day)', state: 'ENABLED', functionTargets: [world.stack.functions.audit.arn] });
      const invocations = await world.bot.fireSchedule(schedule as DeployedRule, new Date());
      expect(failures(invocations)).toEqual([]);
      return { alerts: await snsAlerts(), posts: slackPosts(), summary: invocations[0]?.result };
    }

    it('alerts once per finding on each channel, naming its rule and resource, in at most 1.05× the fewest calls the account allows', async () => {
      await world.moto.resetCalls();
      const { alerts, posts, summary } = await fireAudit();
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
      // Every read counted, retries included: the audit's role signs them, moto records them.
      const { reads, all } = callsBy('audit');
      const made = Object.fromEntries(Object.keys(world.audit.minimumCalls).map((operation) => [operation, 0]));
      for (const call of reads) made[`${call.service}:${call.operation}`] = (made[`${call.service}:${call.operation}`] ?? 0) + 1;
      const minimum = Object.values(world.audit.minimumCalls).reduce((a, b) => a + (b ?? 0), 0);
      const ratio = reads.length / minimum;
      console.info(`e2e audit: ${JSON.stringify({ reads: reads.length, minimum, ratio: Number(ratio.toFixed(3)), made, own: all.length - reads.length, summary })}`);
      expect(ratio).toBeLessThanOrEqual(CALL_RATIO_TARGET);
      expectResourcesAllowed('audit', all);
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
