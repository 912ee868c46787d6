import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadScenarios } from '../../cli/scenarios';
import { DEFAULTS, ENV } from '../../shared/bot/config';
import { type DiagnoseFlowDependencies, diagnoseFlow, type FlowLogger } from '../../shared/bot/diagnose-flow';
import { sqsDeadLetter } from '../../shared/bot/dead-letter';
import { eventBridgePublisher, sqsRecheckScheduler } from '../../shared/bot/outputs';
import { FINDING_MAX_BYTES, INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE, type IncidentDetail } from '../../shared/bot/incident-event';
import type { RecheckRequest } from '../../shared/bot/recheck';
import { dynamoIncidentStore, incidentDocumentClient } from '../../shared/incidents/store';
import type { SignalKind } from '../../shared/events/signals';
import type { AccountReader, ReaderOperation } from '../../shared/reader/port';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import { defineRule, type RuleMeta } from '../../shared/rules/rule';
import { awsSample, stoppedTaskEvent } from '../fixtures/events';
import { createIncidentTable, dynamoEnv, type LocalDynamo, startDynalite } from '../support/dynalite';
import { faultyDocuments } from '../support/faults';

// ---------------------------------------------------------------------------
// One restart loop: the health-check-grace-period scenario (verbatim stoppedReason
// "Task failed ELB health checks in (target-group …)", the account as SDK responses).
const scenario = loadScenarios().find((s) => s.id === 'health-check-grace-period');
if (!scenario) throw new Error('scenario health-check-grace-period is missing');
const loopTemplate = scenario.events[0] as { id: string; detail: { taskArn: string } };
const LOOP_FINGERPRINT = '111111111111|us-west-2|example-cluster|service/webserver|health-check-grace-period|elb-health-check';
const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111111111111:service/example-cluster/webserver';
const CLUSTER_ARN = 'arn:aws:ecs:us-west-2:111111111111:cluster/example-cluster';
const DLQ_URL = 'https://sqs.us-west-2.amazonaws.com/111111111111/ecs-medic-diagnose-dlq';
const RECHECK_URL = 'https://sqs.us-west-2.amazonaws.com/111111111111/ecs-medic-recheck';

/** When the scenario's loop events happened (their envelope `time`). */
const LOOP_TIME = new Date(String((scenario.events[0] as { time: string }).time)).toISOString();

/** Another task of the same loop: the same event with its own event id and task ARN (and, if given, time). */
function loopEvent(n: number, time?: string): Record<string, unknown> {
  const taskArn = `arn:aws:ecs:us-west-2:111111111111:task/example-cluster/${n.toString(16).padStart(32, '0')}`;
  const json = JSON.stringify(loopTemplate).replaceAll(loopTemplate.detail.taskArn, taskArn);
  return { ...(JSON.parse(json) as Record<string, unknown>), id: `0c3f1e2d-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, ...(time ? { time } : {}) };
}

/** The AWS sample Service Action / Deployment event, moved to the loop's service and to `time`. */
function serviceEvent(sample: string, id: string, time: string): Record<string, unknown> {
  const event = awsSample(sample);
  const detail = event.detail as Record<string, unknown>;
  if ('clusterArn' in detail) detail.clusterArn = CLUSTER_ARN;
  return { ...event, id, time, account: '111111111111', region: 'us-west-2', resources: [SERVICE_ARN] };
}

/** The loop's service, a task of it entering PENDING (the 2025 sample's shape). */
function pendingTaskEvent(id: string, service = 'webserver'): Record<string, unknown> {
  const event = loopEvent(9000 + Number.parseInt(id.slice(-4), 16)) as { detail: Record<string, unknown> } & Record<string, unknown>;
  const { stoppedReason: _r, stopCode: _c, stoppingAt: _s, stoppedAt: _t, executionStoppedAt: _e, ...detail } = event.detail;
  return { ...event, id, detail: { ...detail, lastStatus: 'PENDING', desiredStatus: 'RUNNING', group: `service:${service}`, containers: [] } };
}

/** Counts every read, and remembers how many DynamoDB requests preceded the first. */
function countingReader(inner: AccountReader, local: LocalDynamo) {
  const reads: string[] = [];
  let dynamoBeforeFirstRead: string[] | undefined;
  const reader: AccountReader = {
    read(operation, input) {
      dynamoBeforeFirstRead ??= [...local.requests];
      reads.push(operation);
      return inner.read(operation, input);
    },
  };
  return { reader, reads, dynamoBeforeFirstRead: () => dynamoBeforeFirstRead };
}

/** A rule for the flow's own cases, independent of the catalogue's rules. */
function testRuleMeta<K extends SignalKind>(id: string, signals: K[], needs: ReaderOperation[]): RuleMeta<K> {
  return { id, title: id, seed: null, severity: 'critical', signals, triggers: '', checks: [], needs, causes: [], autoFix: null };
}

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);

function published(): IncidentDetail[] {
  return eventBridge.commandCalls(PutEventsCommand).map((call) => {
    const entry = call.args[0].input.Entries?.[0];
    return JSON.parse(entry?.Detail ?? '{}') as IncidentDetail;
  });
}
const sentTo = (url: string) => sqs.commandCalls(SendMessageCommand).filter((call) => call.args[0].input.QueueUrl === url);

let local: LocalDynamo;
beforeAll(async () => {
  local = await startDynalite();
});
afterAll(async () => {
  await local.stop();
});
const putEventsAccepted = { FailedEntryCount: 0, Entries: [{ EventId: '11111111-2222-3333-4444-555555555555' }] };
const messageSent = { MessageId: 'f0e1d2c3-0000-4000-8000-000000000000' };
beforeEach(() => {
  eventBridge.reset();
  sqs.reset();
  eventBridge.on(PutEventsCommand).resolves(putEventsAccepted);
  sqs.on(SendMessageCommand).resolves(messageSent);
});

// ---------------------------------------------------------------------------
describe('diagnose flow', () => {
  let tableCount = 0;
  let now: Date;
  const invocation = () => ({ deadline: new Date(now.getTime() + 30_000) });
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() } satisfies FlowLogger;

  async function setup(options: { snapshot?: Snapshot; overrides?: Partial<DiagnoseFlowDependencies>; documents?: DynamoDBDocumentClient } = {}) {
    tableCount += 1;
    const tableName = `flow-${tableCount}`;
    await createIncidentTable(local.client, tableName);
    local.resetRequests();
    const counting = countingReader(snapshotReader(options.snapshot ?? scenario?.snapshot ?? {}), local);
    const store = dynamoIncidentStore({ client: options.documents ?? local.documents, tableName, windowSeconds: DEFAULTS.dedupWindowSeconds, clock: () => now });
    const flow = diagnoseFlow({
      store,
      reader: counting.reader,
      publish: eventBridgePublisher(new EventBridgeClient({ region: 'us-west-2' })),
      deadLetter: sqsDeadLetter(new SQSClient({ region: 'us-west-2' }), DLQ_URL),
      scheduleRecheck: sqsRecheckScheduler(new SQSClient({ region: 'us-west-2' }), RECHECK_URL, 300),
      recheckClaimSeconds: 300,
      clock: () => now,
      logger,
      ...options.overrides,
    });
    const incident = async (fingerprint = LOOP_FINGERPRINT) =>
      (await local.documents.send(new GetCommand({ TableName: tableName, Key: { pk: `incident#${fingerprint}` } }))).Item;
    return { flow, reads: counting.reads, dynamoBeforeFirstRead: counting.dynamoBeforeFirstRead, incident };
  }

  beforeEach(() => {
    now = new Date('2025-05-06T11:05:00.000Z');
    vi.clearAllMocks();
  });

  it('opens an incident: records it before any read, investigates, publishes one opened event', async () => {
    const { flow, reads, dynamoBeforeFirstRead, incident } = await setup();
    const outcome = await flow.handleEvent(loopEvent(1), invocation());

    expect(outcome).toEqual({ status: 'processed', opened: ['health-check-grace-period'], repeated: [], covered: [], resolved: [], rechecksScheduled: 0 });
    // One conditional write opens it and makes this delivery its announcer, before the account is read.
    expect(dynamoBeforeFirstRead()).toEqual(['UpdateItem']);
    // Then: record the announcement, and look for a steady state of the service that came first: 3 calls in all.
    expect(local.requests.slice(1)).toEqual(['UpdateItem', 'GetItem']);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.length).toBeLessThanOrEqual(8);

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries;
    expect(entry).toHaveLength(1);
    expect(entry?.[0]).toMatchObject({ Source: INCIDENT_SOURCE, DetailType: INCIDENT_DETAIL_TYPE });
    expect(entry?.[0]?.EventBusName).toBeUndefined();
    const [detail] = published();
    expect(detail).toMatchObject({
      schemaVersion: 1,
      state: 'opened',
      fingerprint: LOOP_FINGERPRINT,
      occurrences: 1,
      firstSeen: LOOP_TIME,
      lastSeen: LOOP_TIME,
      trigger: { id: loopEvent(1).id, detailType: 'ECS Task State Change' },
      finding: { rule: 'health-check-grace-period', cause: 'elb-health-check', resource: { cluster: 'example-cluster', service: 'webserver' } },
    });
    // The published finding is the investigated one: it carries what the account said.
    expect(detail?.finding.evidence.some((e) => e.source.startsWith('ecs:') || e.source.startsWith('elasticloadbalancing:'))).toBe(true);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
    expect(await incident()).toMatchObject({ state: 'open', occurrences: 1, announced: true, serviceKey: '111111111111|us-west-2|example-cluster|webserver' });
  });

  it('an exact duplicate (same event id) costs a refused write and a read: 0 account reads, 0 publishes', async () => {
    const { flow, reads } = await setup();
    await flow.handleEvent(loopEvent(1), invocation());
    const readsForOpen = reads.length;
    local.resetRequests();

    expect(await flow.handleEvent(loopEvent(1), invocation())).toMatchObject({ status: 'duplicate', opened: [], repeated: [] });
    expect(reads).toHaveLength(readsForOpen);
    expect(local.requests).toEqual(['UpdateItem', 'GetItem']);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('a repeat of the open incident increments its counter: 0 reads, 0 publishes', async () => {
    const { flow, reads, incident } = await setup();
    await flow.handleEvent(loopEvent(1), invocation());
    const readsForOpen = reads.length;
    local.resetRequests();

    expect(await flow.handleEvent(loopEvent(2), invocation())).toEqual({
      status: 'processed',
      opened: [],
      repeated: ['health-check-grace-period'],
      covered: [],
      resolved: [],
      rechecksScheduled: 0,
    });
    expect(reads).toHaveLength(readsForOpen);
    // One conditional write: it counts the repeat and is its duplicate guard.
    expect(local.requests).toEqual(['UpdateItem']);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(await incident()).toMatchObject({ state: 'open', occurrences: 2 });
  });

  it("SERVICE_TASK_START_IMPAIRED adds no second alert while the service's incident is open; with none open it alerts", async () => {
    const { flow } = await setup();
    await flow.handleEvent(loopEvent(1), invocation());
    local.resetRequests();
    const impaired = (id: string) => serviceEvent('service-action-service-task-start-impaired', `a0b1c2d3-0000-4000-8000-${id}`, now.toISOString());

    expect(await flow.handleEvent(impaired('0000000000a1'), invocation())).toMatchObject({ opened: [], repeated: [], covered: ['unrecognised-failure'] });
    // One query of the open-by-service index, nothing written.
    expect(local.requests).toEqual(['Query']);
    expect(published()).toHaveLength(1);

    await flow.handleEvent(serviceEvent('service-action-service-steady-state', 'a0b1c2d3-0000-4000-8000-0000000000a2', now.toISOString()), invocation());
    now = new Date(now.getTime() + 60_000);
    expect(await flow.handleEvent(impaired('0000000000a3'), invocation())).toMatchObject({ opened: ['unrecognised-failure'], covered: [] });
    expect(published().map((d) => [d.state, d.finding.rule])).toEqual([
      ['opened', 'health-check-grace-period'],
      ['resolved', 'health-check-grace-period'],
      ['opened', 'unrecognised-failure'],
    ]);
  });

  it('a failed deployment and its rollback are one incident: one alert naming the root cause, within the read budget', async () => {
    const deployment = loadScenarios().find((s) => s.id === 'deployment-circuit-breaker');
    if (!deployment) throw new Error('scenario deployment-circuit-breaker is missing');
    const { flow, reads } = await setup({ snapshot: deployment.snapshot });
    const [failed, rollback] = deployment.events;

    expect((await flow.handleEvent(failed, invocation())).opened).toEqual(['deployment-circuit-breaker']);
    expect(reads).toEqual(['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks']);
    expect((await flow.handleEvent(rollback, invocation())).repeated).toEqual(['deployment-circuit-breaker']);
    expect(reads).toHaveLength(3);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const [opened] = published();
    expect(opened?.fingerprint).toBe('111122223333|us-west-2|default|service/servicetest|deployment-circuit-breaker|tasks-failed-to-start');
    expect(opened?.finding.explanation).toContain('Root cause, from the stop reasons of 3 of 3 stopped tasks of that deployment: The container image could not be pulled (image-pull-failure, not-found).');
    expect(opened?.finding.fix).toContain('aws ecr describe-images --repository-name servicetest --image-ids imageTag=v7 --region us-west-2');
  });

  it.each([
    ['a steady state', 'service-action-service-steady-state', 'SERVICE_STEADY_STATE'],
    ['a completed deployment', 'deployment-service-deployment-completed', 'SERVICE_DEPLOYMENT_COMPLETED'],
  ])('%s of the service resolves its open incident with one resolved event', async (_name, sample, eventName) => {
    const { flow, reads, incident } = await setup();
    await flow.handleEvent(loopEvent(1), invocation());
    await flow.handleEvent(loopEvent(2), invocation());
    const readsBefore = reads.length;
    now = new Date('2025-05-06T11:20:00.000Z');

    const outcome = await flow.handleEvent(serviceEvent(sample, 'a0b1c2d3-0000-4000-8000-000000000001', now.toISOString()), invocation());
    expect(outcome).toMatchObject({ status: 'processed', resolved: ['health-check-grace-period'], opened: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    const [opened, resolved] = published();
    expect(resolved).toEqual({
      schemaVersion: 1,
      state: 'resolved',
      fingerprint: LOOP_FINGERPRINT,
      occurrences: 2,
      firstSeen: LOOP_TIME,
      lastSeen: LOOP_TIME,
      finding: opened?.finding,
      trigger: { id: 'a0b1c2d3-0000-4000-8000-000000000001', detailType: sample.startsWith('service') ? 'ECS Service Action' : 'ECS Deployment State Change', eventName },
    });
    expect(reads).toHaveLength(readsBefore);
    expect(await incident()).toMatchObject({ state: 'resolved' });

    // Steady state is re-reported: nothing more is announced. The next failure opens a new incident.
    await flow.handleEvent(serviceEvent(sample, 'a0b1c2d3-0000-4000-8000-000000000002', now.toISOString()), invocation());
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect((await flow.handleEvent(loopEvent(3, '2025-05-06T11:21:00Z'), invocation())).opened).toEqual(['health-check-grace-period']);
  });

  it('a malformed event goes to the DLQ with its reason, is logged once and acknowledged', async () => {
    const { flow, reads } = await setup();
    const malformed = { ...loopEvent(1), detail: { ...(loopEvent(1).detail as object), lastStatus: 42 } };

    expect(await flow.handleEvent(malformed, invocation())).toMatchObject({ status: 'rejected' });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: DLQ_URL,
      MessageBody: JSON.stringify(malformed),
      MessageAttributes: { reason: { DataType: 'String', StringValue: 'invalid event: detail.lastStatus should be string, is number' } },
    });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith('event rejected: sent to the dead-letter queue', {
      reason: 'invalid event: detail.lastStatus should be string, is number',
      field: 'detail.lastStatus',
    });
    expect(local.requests).toEqual([]);
    expect(reads).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it.each([
    ['not an object', null, 'invalid event: (event) should be object, is null'],
    ['not from ECS', { ...loopEvent(1), source: 'aws.ec2' }, 'invalid event: source should be "aws.ecs", is "aws.ec2"'],
    ['an unsupported detail-type', { ...loopEvent(1), 'detail-type': 'ECS Something New' }, 'unsupported detail-type "ECS Something New"'],
  ])('%s is dead-lettered, not retried', async (_name, raw, reason) => {
    const { flow } = await setup();
    await expect(flow.handleEvent(raw, invocation())).resolves.toMatchObject({ status: 'rejected' });
    expect(sentTo(DLQ_URL)).toHaveLength(1);
    expect(sentTo(DLQ_URL)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe(reason);
  });

  // Issue 8, "Inputs that escape the dead-letter path": each ends dead-lettered once, with its reason, and is acknowledged.
  describe('hostile inputs', () => {
    const deep = (levels: number) => {
      const root: Record<string, unknown> = {};
      let node = root;
      for (let i = 0; i < levels; i++) {
        node.a = {};
        node = node.a as Record<string, unknown>;
      }
      return root;
    };
    const longName = 'c'.repeat(2100);
    const longCluster = () => {
      const event = loopEvent(1) as { detail: Record<string, unknown> } & Record<string, unknown>;
      const json = JSON.stringify(event).replaceAll('cluster/example-cluster', `cluster/${longName}`).replaceAll('task/example-cluster/', `task/${longName}/`);
      return JSON.parse(json) as Record<string, unknown>;
    };
    it.each([
      ...['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'].map((name) => [
        `detail-type "${name}"`,
        () => ({ ...loopEvent(1), 'detail-type': name }),
        `unsupported detail-type "${name}"`,
      ]),
      [
        'a field nested 5,000 deep',
        () => ({ ...loopEvent(1), detail: { ...(loopEvent(1).detail as object), stoppedReason: deep(5000) } }),
        'invalid event: detail.stoppedReason should be string, is object',
      ],
      [
        'an event id over 2,048 bytes',
        () => ({ ...loopEvent(1), id: 'e'.repeat(3000) }),
        'event too large for the incident store: event id is 3000 bytes, more than the 128 the incident store accepts',
      ],
      ['a cluster name over 2,100 characters', longCluster, 'event too large for the incident store: fingerprint is'],
      [
        'a steady state of a service whose key is too long',
        () => ({ ...serviceEvent('service-action-service-steady-state', 'a0b1c2d3-0000-4000-8000-0000000000ff', '2025-05-06T11:30:00Z'), resources: [`arn:aws:ecs:us-west-2:111111111111:service/example-cluster/${longName}`] }),
        'event too large for the incident store: service key is',
      ],
    ] as [string, () => unknown, string][])('%s', async (_name, build, reason) => {
      const { flow } = await setup();
      const raw = build();
      await expect(flow.handleEvent(raw, invocation())).resolves.toMatchObject({ status: 'rejected' });
      expect(sentTo(DLQ_URL)).toHaveLength(1);
      const message = sentTo(DLQ_URL)[0]?.args[0].input;
      expect(message?.MessageAttributes?.reason?.StringValue).toContain(reason);
      expect(Buffer.byteLength(message?.MessageBody ?? '')).toBeLessThan(256 * 1024);
      expect(local.requests).toEqual([]);
      expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('the dead letter of a 5,000-deep event keeps its shape down to a depth, then says it was cut', async () => {
      const { flow } = await setup();
      await flow.handleEvent({ ...loopEvent(1), detail: { ...(loopEvent(1).detail as object), stoppedReason: deep(5000) } }, invocation());
      const body = sentTo(DLQ_URL)[0]?.args[0].input.MessageBody ?? '';
      expect(JSON.parse(body)).toMatchObject({ id: loopEvent(1).id, 'detail-type': 'ECS Task State Change' });
      expect(body).toContain('(nested deeper than 64 levels: cut)');
    });
  });

  it('a rule failing on an event is permanent too: DLQ, acknowledged', async () => {
    const crashing = defineRule({
      meta: testRuleMeta('crashing', ['task-stopped'], []),
      detect: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'match')");
      },
    });
    const { flow } = await setup({ overrides: { rules: [crashing] } });
    await expect(flow.handleEvent(loopEvent(1), invocation())).resolves.toMatchObject({ status: 'rejected' });
    expect(sentTo(DLQ_URL)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe(
      "diagnosis failed on this event: TypeError: Cannot read properties of undefined (reading 'match')",
    );
  });

  it('DynamoDB throttling throws, so Lambda retries; nothing is published or dead-lettered', async () => {
    const documents = incidentDocumentClient(local.client);
    const throttled = mockClient(documents);
    throttled.on(UpdateCommand).rejects(Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' }));
    const { flow, reads } = await setup({ documents });
    await expect(flow.handleEvent(loopEvent(1), invocation())).rejects.toThrow('Rate of requests exceeds the allowed throughput.');
    expect(reads).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
    throttled.restore();
  });

  it('a failed PutEvents entry throws; the retry of the same delivery opens and alerts', async () => {
    const { flow, incident } = await setup();
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] })
      .resolves(putEventsAccepted);
    await expect(flow.handleEvent(loopEvent(1), invocation())).rejects.toThrow('PutEvents rejected the incident event: ThrottlingException: Rate exceeded');
    expect(await incident()).toMatchObject({ announced: false, opener: loopEvent(1).id });

    // Lambda's retry of the same delivery.
    expect((await flow.handleEvent(loopEvent(1), invocation())).opened).toEqual(['health-check-grace-period']);
    expect(published().map((d) => d.state)).toEqual(['opened', 'opened']);
    expect(await incident()).toMatchObject({ announced: true, occurrences: 1 });
  });

  // -------------------------------------------------------------------------
  // Issue 8, "Lifecycle defects found": each case failed before the protocol of incidents/store.ts.
  describe('under faults and races', () => {
    /** Lambda's timeout for diagnose (infra/stack.ts): its first async retry comes about a minute after a failure. */
    const lambdaInvocation = () => ({ deadline: new Date(now.getTime() + 60_000) });
    const retryLater = () => {
      now = new Date(now.getTime() + 60_000);
    };
    /** Fails the bot's DynamoDB calls while `failing` is set (a fault plan for faultyDocuments). */
    function switchable() {
      const state = { failing: false, failNext: new Set<string>(), thenEverything: false };
      const documents = faultyDocuments(local.documents, {
        fails: (command) => {
          if (state.failing) return true;
          if (!state.failNext.delete(command)) return false;
          state.failing = state.thenEverything;
          return true;
        },
      });
      return { state, documents };
    }
    /** Distinct incident alerts published: one per (fingerprint, firstSeen, state), what notify sends once. */
    const alerts = () => [...new Set(published().map((d) => `${d.state} ${d.fingerprint} ${d.firstSeen}`))];
    const opened = `opened ${LOOP_FINGERPRINT} ${LOOP_TIME}`;
    const resolvedAlert = `resolved ${LOOP_FINGERPRINT} ${LOOP_TIME}`;

    it('alert published, bookkeeping failed: the retry finishes it; no second "opened" later, and the steady state resolves it', async () => {
      const { state, documents } = switchable();
      const { flow, incident } = await setup({ documents });
      // The write recording the announcement fails after PutEvents accepted the alert.
      eventBridge.on(PutEventsCommand).callsFake(() => {
        state.failNext.add('UpdateCommand');
        return putEventsAccepted;
      });
      await expect(flow.handleEvent(loopEvent(1), lambdaInvocation())).rejects.toThrow('injected');
      eventBridge.on(PutEventsCommand).resolves(putEventsAccepted);
      retryLater();
      await flow.handleEvent(loopEvent(1), lambdaInvocation());
      expect(await incident()).toMatchObject({ announced: true });
      // A loop event long after any lease: a repeat, not a second opening.
      retryLater();
      expect((await flow.handleEvent(loopEvent(2), lambdaInvocation())).repeated).toEqual(['health-check-grace-period']);
      const steady = serviceEvent('service-action-service-steady-state', 'a0b1c2d3-0000-4000-8000-000000000010', '2025-05-06T11:30:00Z');
      expect((await flow.handleEvent(steady, lambdaInvocation())).resolved).toEqual(['health-check-grace-period']);
      expect(alerts()).toEqual([opened, resolvedAlert]);
    });

    it('two failures in a row: the opening write and whatever follows fail; the retry a minute later opens and alerts', async () => {
      const { state, documents } = switchable();
      const { flow } = await setup({ documents });
      // The first write of the delivery fails, and so does every call after it (before: the release of its claim).
      state.failNext.add('UpdateCommand');
      state.thenEverything = true;
      await expect(flow.handleEvent(loopEvent(1), lambdaInvocation())).rejects.toThrow('injected');
      state.failing = false;
      retryLater();
      expect((await flow.handleEvent(loopEvent(1), lambdaInvocation())).opened).toEqual(['health-check-grace-period']);
      expect(alerts()).toEqual([opened]);
    });

    it('two failures in a row on a resolution: its publish and what follows fail; the retry announces it', async () => {
      const { state, documents } = switchable();
      const { flow } = await setup({ documents });
      await flow.handleEvent(loopEvent(1), lambdaInvocation());
      const steady = serviceEvent('service-action-service-steady-state', 'a0b1c2d3-0000-4000-8000-000000000011', '2025-05-06T11:30:00Z');
      eventBridge.on(PutEventsCommand).callsFake(() => {
        state.failing = true;
        throw Object.assign(new Error('Service Unavailable'), { name: 'InternalException' });
      });
      await expect(flow.handleEvent(steady, lambdaInvocation())).rejects.toThrow('Service Unavailable');
      state.failing = false;
      eventBridge.on(PutEventsCommand).resolves(putEventsAccepted);
      retryLater();
      expect((await flow.handleEvent(steady, lambdaInvocation())).resolved).toEqual(['health-check-grace-period']);
      expect(alerts()).toEqual([opened, resolvedAlert]);
    });

    it('two failures in a row on a re-check: its send and what follows fail; the retry schedules it', async () => {
      const { state, documents } = switchable();
      const { flow } = await setup({ documents });
      sqs.on(SendMessageCommand).callsFake(() => {
        state.failing = true;
        throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' });
      });
      const event = pendingTaskEvent('b0000000-0000-4000-8000-000000000009');
      await expect(flow.handleEvent(event, lambdaInvocation())).rejects.toThrow('We encountered an internal error.');
      state.failing = false;
      sqs.on(SendMessageCommand).resolves(messageSent);
      retryLater();
      expect((await flow.handleEvent(event, lambdaInvocation())).rechecksScheduled).toBe(1);
      // The failed send, then the retry's.
      expect(sentTo(RECHECK_URL)).toHaveLength(2);
    });

    it('a steady state arriving while the opener reads the account resolves the incident once the opener has alerted', async () => {
      let release: () => void = () => undefined;
      let reading: () => void = () => undefined;
      const readStarted = new Promise<void>((resolve) => {
        reading = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const inner = snapshotReader(scenario?.snapshot ?? {});
      const slowReader: AccountReader = {
        async read(operation, input) {
          reading();
          await gate;
          return inner.read(operation, input);
        },
      };
      const { flow } = await setup({ overrides: { reader: slowReader } });
      const opening = flow.handleEvent(loopEvent(1), lambdaInvocation());
      await readStarted;
      const steady = serviceEvent('service-action-service-steady-state', 'a0b1c2d3-0000-4000-8000-000000000012', '2025-05-06T11:30:00Z');
      await flow.handleEvent(steady, lambdaInvocation());
      release();
      const outcome = await opening;
      expect(outcome).toMatchObject({ opened: ['health-check-grace-period'], resolved: ['health-check-grace-period'] });
      expect(alerts()).toEqual([opened, resolvedAlert]);
    });

    it('a steady state delivered before the failures that preceded it (event time) resolves the incident they open', async () => {
      const { flow } = await setup();
      const steady = serviceEvent('service-action-service-steady-state', 'a0b1c2d3-0000-4000-8000-000000000013', '2025-05-06T11:30:00Z');
      expect((await flow.handleEvent(steady, lambdaInvocation())).resolved).toEqual([]);
      const outcome = await flow.handleEvent(loopEvent(1), lambdaInvocation());
      expect(outcome).toMatchObject({ opened: ['health-check-grace-period'], resolved: ['health-check-grace-period'] });
      // More failures from before the steady state: the resolved incident's, silent.
      expect(await flow.handleEvent(loopEvent(2), lambdaInvocation())).toMatchObject({ opened: [], repeated: [], resolved: [] });
      // A failure after it is a new incident.
      expect((await flow.handleEvent(loopEvent(3, '2025-05-06T11:31:00Z'), lambdaInvocation())).opened).toEqual(['health-check-grace-period']);
      expect(alerts()).toEqual([opened, resolvedAlert, `opened ${LOOP_FINGERPRINT} 2025-05-06T11:31:00.000Z`]);
    });
  });

  // Issue 8, "Output grows faster than input": what is published and stored stays under its service's limit.
  it('an event with 3,000 OOM-killed containers publishes an incident event under 256 KB and stores an item under 400 KB', async () => {
    const { flow, incident } = await setup({ snapshot: {} });
    const reason = `OutOfMemoryError: Container killed due to memory usage ${'\u0001'.repeat(300)}`;
    const event = stoppedTaskEvent({ stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', group: 'service:webserver' });
    const detail = event.detail as { containers: Record<string, unknown>[] };
    const [template] = detail.containers;
    detail.containers = Array.from({ length: 3000 }, (_, i) => ({ ...template, name: `worker-${i}-${'w'.repeat(200)}`, exitCode: 137, reason }));
    event.id = 'b0000000-0000-4000-8000-0000000000a1';
    expect(Buffer.byteLength(JSON.stringify(event))).toBeGreaterThan(1_000_000);
    const outcome = await flow.handleEvent(event, invocation());
    expect(outcome.opened.length).toBeGreaterThan(0);
    for (const call of eventBridge.commandCalls(PutEventsCommand)) {
      const entry = call.args[0].input.Entries?.[0];
      // PutEvents counts Source, DetailType, Detail and Resources of an entry against 256 KB.
      const size = Buffer.byteLength(`${entry?.Source}${entry?.DetailType}${entry?.Detail}`);
      expect(size).toBeLessThan(FINDING_MAX_BYTES + 4096);
      expect(JSON.parse(entry?.Detail ?? '{}').finding.evidence.at(-1).observed).toMatch(/more evidence items not kept/);
    }
    const item = await incident((published()[0] as IncidentDetail).fingerprint);
    // DynamoDB sizes an item by its attribute names and values: its JSON is an upper bound.
    expect(Buffer.byteLength(JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)))).toBeLessThan(200 * 1024);
  });

  it('tasks entering PENDING schedule one re-check per service, not per task', async () => {
    const { flow } = await setup();
    const first = await flow.handleEvent(pendingTaskEvent('b0000000-0000-4000-8000-000000000001'), invocation());
    await flow.handleEvent(pendingTaskEvent('b0000000-0000-4000-8000-000000000002'), invocation());
    await flow.handleEvent(pendingTaskEvent('b0000000-0000-4000-8000-000000000003', 'api'), invocation());

    expect(first).toEqual({ status: 'processed', opened: [], repeated: [], covered: [], resolved: [], rechecksScheduled: 1 });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
    expect(sentTo(RECHECK_URL)).toHaveLength(2);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: RECHECK_URL,
      DelaySeconds: 300,
      MessageBody: JSON.stringify({
        kind: 'pending-recheck',
        account: '111111111111',
        region: 'us-west-2',
        clusterArn: CLUSTER_ARN,
        service: 'webserver',
        firstSeen: now.toISOString(),
      } satisfies RecheckRequest),
    });
    // Once the re-check has run (its delay is over), a new PENDING task plans the next one.
    now = new Date(now.getTime() + 301_000);
    await flow.handleEvent(pendingTaskEvent('b0000000-0000-4000-8000-000000000004'), invocation());
    expect(sentTo(RECHECK_URL)).toHaveLength(3);
  });

  it('a re-check that cannot be sent throws; its retry sends it', async () => {
    const { flow } = await setup();
    sqs.on(SendMessageCommand).rejectsOnce(Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' })).resolves(messageSent);
    const event = pendingTaskEvent('b0000000-0000-4000-8000-000000000005');
    await expect(flow.handleEvent(event, invocation())).rejects.toThrow('We encountered an internal error.');
    expect((await flow.handleEvent(event, invocation())).rechecksScheduled).toBe(1);
  });

  describe('re-check messages', () => {
    const request: RecheckRequest = {
      kind: 'pending-recheck',
      account: '111111111111',
      region: 'us-west-2',
      clusterArn: CLUSTER_ARN,
      service: 'webserver',
      firstSeen: '2025-05-06T11:00:00.000Z',
    };
    const taskArns = ['aa', 'bb', 'cc'].map((id) => `arn:aws:ecs:us-west-2:111111111111:task/example-cluster/${id}`);
    const recheckSnapshot = (statuses: string[]): Snapshot => ({
      'ecs:DescribeServices': [
        {
          input: { cluster: 'example-cluster', services: ['webserver'] },
          output: { services: [{ serviceName: 'webserver', clusterArn: CLUSTER_ARN, desiredCount: 3, runningCount: 1, pendingCount: 2 }], failures: [] },
        },
      ],
      'ecs:ListTasks': [{ input: { cluster: 'example-cluster', serviceName: 'webserver', desiredStatus: 'RUNNING' }, output: { taskArns } }],
      'ecs:DescribeTasks': [
        {
          input: { cluster: 'example-cluster', tasks: taskArns },
          output: {
            tasks: statuses.map((lastStatus, i) => ({ taskArn: taskArns[i], lastStatus, desiredStatus: 'RUNNING', createdAt: `2025-05-06T11:0${i}:00.000Z` })),
            failures: [],
          },
        },
      ],
    });
    // Stands in for capacity-pending: claims the signal and reads the service again (served from the cache).
    const stuckRule = defineRule({
      meta: testRuleMeta('stuck-test', ['pending-recheck'], ['ecs:DescribeServices']),
      detect: (signal) => ({
        cause: null,
        specificity: 'root-cause',
        explanation: `${signal.stuckTasks.length} tasks waited ${signal.waitedSeconds} s`,
        fix: '',
        evidence: [],
      }),
      async investigate(_detection, signal, context) {
        await context.read('ecs:DescribeServices', { cluster: signal.resource.cluster ?? '', services: [signal.resource.service ?? ''] }, 'the service');
        return undefined;
      },
    });

    it('tasks still PENDING: DescribeServices, ListTasks, ONE DescribeTasks, then the usual detect → record → publish', async () => {
      const { flow, reads } = await setup({ snapshot: recheckSnapshot(['RUNNING', 'PENDING', 'PROVISIONING']), overrides: { rules: [stuckRule] } });
      const outcome = await flow.handleRecheck(JSON.stringify(request), 'c0000000-0000-4000-8000-000000000001', invocation());
      expect(outcome.opened).toEqual(['stuck-test']);
      expect(reads).toEqual(['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks']);
      const [detail] = published();
      expect(detail).toMatchObject({
        state: 'opened',
        fingerprint: '111111111111|us-west-2|example-cluster|service/webserver|stuck-test|-',
        trigger: { id: 'c0000000-0000-4000-8000-000000000001', detailType: 'pending-recheck' },
        // The oldest stuck task was created at 11:01; now is 11:05.
        finding: { explanation: '2 tasks waited 240 s', resource: { cluster: 'example-cluster', service: 'webserver' } },
      });
      // The same message delivered again is a duplicate.
      expect((await flow.handleRecheck(JSON.stringify(request), 'c0000000-0000-4000-8000-000000000001', invocation())).status).toBe('duplicate');
    });

    it('with the catalogue, capacity-pending claims the signal; the service is read once', async () => {
      const { flow, reads } = await setup({ snapshot: recheckSnapshot(['RUNNING', 'PENDING', 'PENDING']) });
      const outcome = await flow.handleRecheck(JSON.stringify(request), 'c0000000-0000-4000-8000-000000000005', invocation());
      expect(outcome.opened).toContain('capacity-pending');
      expect(reads.slice(0, 3)).toEqual(['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks']);
      expect(reads.filter((operation) => operation === 'ecs:DescribeServices')).toHaveLength(1);
      expect(published()[0]).toMatchObject({ state: 'opened', finding: { rule: 'capacity-pending', resource: { service: 'webserver' } } });
    });

    it('nothing still waiting: nothing published', async () => {
      const { flow, reads } = await setup({ snapshot: recheckSnapshot(['RUNNING', 'RUNNING', 'RUNNING']), overrides: { rules: [stuckRule] } });
      expect(await flow.handleRecheck(JSON.stringify(request), 'c0000000-0000-4000-8000-000000000002', invocation())).toMatchObject({ status: 'processed', opened: [] });
      expect(reads).toEqual(['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks']);
      expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('the account refusing the reads is not the bot failing: logged, acknowledged', async () => {
      const refused: Snapshot = {
        'ecs:DescribeServices': [
          { input: { cluster: 'example-cluster', services: ['webserver'] }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeServices' } },
        ],
      };
      const { flow } = await setup({ snapshot: refused, overrides: { rules: [stuckRule] } });
      await expect(flow.handleRecheck(JSON.stringify(request), 'c0000000-0000-4000-8000-000000000003', invocation())).resolves.toMatchObject({ status: 'processed' });
      expect(logger.warn).toHaveBeenCalledWith('re-check could not read the service', expect.objectContaining({ reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeServices' }));
      expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it.each([
      ['not JSON', 'pending-recheck webserver', 're-check message is not JSON'],
      ['another kind', JSON.stringify({ ...request, kind: 'sweep' }), 're-check message kind should be "pending-recheck", is "sweep"'],
      ['no service', JSON.stringify({ ...request, service: '' }), 're-check message service should be a non-empty string'],
    ])('%s: dead-lettered as it came, acknowledged', async (_name, body, reason) => {
      const { flow } = await setup({ overrides: { rules: [stuckRule] } });
      await expect(flow.handleRecheck(body, 'c0000000-0000-4000-8000-000000000004', invocation())).resolves.toMatchObject({ status: 'rejected' });
      expect(sentTo(DLQ_URL)).toHaveLength(1);
      expect(sentTo(DLQ_URL)[0]?.args[0].input.MessageBody).toBe(body);
      expect(sentTo(DLQ_URL)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toContain(reason);
    });
  });
});

// ---------------------------------------------------------------------------
// The Lambda handler, wired as in the account: the reader stands in for the live one.
const liveReads = vi.hoisted(() => ({ calls: [] as string[] }));
vi.mock('../../shared/reader/live', async () => {
  const { loadScenarios: load } = await import('../../cli/scenarios');
  const { snapshotReader: replay } = await import('../../shared/reader/snapshot');
  const inner = replay(load().find((s) => s.id === 'health-check-grace-period')?.snapshot ?? {});
  const reader: AccountReader = {
    read(operation, input) {
      liveReads.calls.push(operation);
      return inner.read(operation, input);
    },
  };
  return { liveReader: () => reader };
});

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'ecs-medic-diagnose',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-west-2:111111111111:function:ecs-medic-diagnose',
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/ecs-medic-diagnose',
    logStreamName: '2025/05/06/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('diagnose handler', () => {
  const tableName = 'handler-incidents';
  let handler: (event: unknown, context: Context) => Promise<unknown>;

  beforeAll(async () => {
    await createIncidentTable(local.client, tableName);
    for (const [name, value] of Object.entries(dynamoEnv(local))) vi.stubEnv(name, value);
    vi.stubEnv(ENV.incidentTable, tableName);
    vi.stubEnv(ENV.deadLetterQueueUrl, DLQ_URL);
    vi.stubEnv(ENV.recheckQueueUrl, RECHECK_URL);
    ({ handler } = await import('../../functions/diagnose/handler'));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  beforeEach(() => {
    liveReads.calls.length = 0;
    local.resetRequests();
  });

  const incident = async () => (await local.documents.send(new GetCommand({ TableName: tableName, Key: { pk: `incident#${LOOP_FINGERPRINT}` } }))).Item;

  it('the storm: 200 task-stopped events of one loop, 200 concurrent invocations, exactly one alert', async () => {
    const storm = Array.from({ length: 200 }, (_, i) => loopEvent(10_000 + i));
    const answers = await Promise.all(storm.map((event) => handler(event, lambdaContext())));

    expect(answers.every((answer) => answer === undefined)).toBe(true);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(published()[0]).toMatchObject({ state: 'opened', fingerprint: LOOP_FINGERPRINT, occurrences: 1 });
    expect(await incident()).toMatchObject({ state: 'open', occurrences: 200, announced: true });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);

    // The account is read for the one incident only.
    const singleIncidentReads = liveReads.calls.length;
    expect(singleIncidentReads).toBeGreaterThan(0);
    expect(singleIncidentReads).toBeLessThanOrEqual(8);
    // Per event one conditional write (open, or repeat with its duplicate guard); the opener's announcement and steady-state look-up;
    // a repeat racing the opener before its item exists retries the write after a read.
    const counts = local.requestCounts();
    expect(counts.UpdateItem).toBeGreaterThanOrEqual(201);
    expect(local.requests.length).toBeLessThanOrEqual(200 * 1.5);
    console.info(`storm: ${local.requests.length} DynamoDB calls ${JSON.stringify(counts)}; ${singleIncidentReads} reader calls (${liveReads.calls.join(', ')}); 1 PutEvents`);

    // The same 200 deliveries again (EventBridge or Lambda duplicates): each a refused write and a read, nothing else.
    local.resetRequests();
    liveReads.calls.length = 0;
    await Promise.all(storm.map((event) => handler(event, lambdaContext())));
    expect(local.requestCounts()).toEqual({ UpdateItem: 200, GetItem: 200 });
    expect(liveReads.calls).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('an SQS batch: a bad re-check message is dead-lettered, a message that fails transiently is reported for redelivery', async () => {
    sqs.on(SendMessageCommand, { QueueUrl: DLQ_URL, MessageBody: 'second' }).rejects(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' }));
    const record = (messageId: string, body: string) => ({
      messageId,
      receiptHandle: 'AQEB',
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1746529500000', SenderId: 'AROA', ApproximateFirstReceiveTimestamp: '1746529500000' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-west-2:111111111111:ecs-medic-recheck',
      awsRegion: 'us-west-2',
    });
    const batch: SQSEvent = { Records: [record('d0000000-0000-4000-8000-000000000001', 'first'), record('d0000000-0000-4000-8000-000000000002', 'second')] };

    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'd0000000-0000-4000-8000-000000000002' }] });
    expect(sentTo(DLQ_URL).map((call) => call.args[0].input.MessageBody)).toEqual(['first', 'second']);
  });

  it.each([
    ['{"Records": []}', { Records: [] }, 'invalid event: id is missing'],
    ['{"Records": [null]}', { Records: [null] }, 'invalid event: id is missing'],
  ])('%s is not a re-check batch: dead-lettered once with its reason', async (_name, event, reason) => {
    await expect(handler(event, lambdaContext())).resolves.toBeUndefined();
    expect(sentTo(DLQ_URL)).toHaveLength(1);
    expect(sentTo(DLQ_URL)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe(reason);
  });

  it('a malformed EventBridge event never crashes the handler', async () => {
    await expect(handler({ hello: 'world' }, lambdaContext())).resolves.toBeUndefined();
    expect(sentTo(DLQ_URL)).toHaveLength(1);
  });
});
