/**
 * Property-based tests (fast-check): both Lambdas' handling, driven with
 * arbitrary values and with real events mutated at a random place. Whatever
 * arrives, nothing throws when the bot's own services work, and an event is
 * either processed, or dead-lettered exactly once with a reason, never both.
 * Bounded: few runs, small values (each run writes to dynalite).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadScenarios } from '../../cli/scenarios';
import { ENV } from '../../shared/bot/config';
import { sqsDeadLetter } from '../../shared/bot/dead-letter';
import { diagnoseFlow } from '../../shared/bot/diagnose-flow';
import { eventBridgePublisher, sqsRecheckScheduler } from '../../shared/bot/outputs';
import { dynamoIncidentStore } from '../../shared/incidents/store';
import { exampleIncident, incidentEvent } from '../../shared/notify/example';
import { snapshotReader } from '../../shared/reader/snapshot';
import { awsSample } from '../fixtures/events';
import { notifyContext, notifyTable } from '../support/notify-table';

Object.assign(process.env, {
  [ENV.topicArn]: 'arn:aws:sns:us-west-2:111111111111:ecs-medic-alerts',
  [ENV.deadLetterQueueUrl]: 'https://sqs.us-west-2.amazonaws.com/111111111111/ecs-medic-dlq',
  [ENV.slackSecretArn]: 'arn:aws:secretsmanager:us-west-2:111111111111:secret:ecs-medic/slack-AbCdEf',
});
const local = await notifyTable();
afterAll(() => local.stop());
const { handler: notify } = await import('../../functions/notify/handler');

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX' });
beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  vi.stubGlobal('fetch', async () => new Response('ok', { status: 200 }));
});

type Json = unknown;

/** Every path into a JSON value (object keys and array indexes), the root excluded. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** The event with one place replaced by `replacement`, or removed. */
function mutate(event: Json, pick: number, replacement: { value: Json } | 'delete'): Json {
  const copy = structuredClone(event) as Record<string | number, Json>;
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length] ?? [];
  let parent: Record<string | number, Json> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (replacement === 'delete') delete parent[last];
  else parent[last] = replacement.value;
  return copy;
}

/** Values a field might hold instead: other kinds, hostile strings, prototype names, long text. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '', 'x'.repeat(3000), '\u0000\uD800', null),
  fc.integer(),
);
const mutation = fc.record({ pick: fc.nat(), replacement: fc.oneof(hostileValue.map((value) => ({ value })), fc.constant('delete' as const)) });

const seedEvents: Json[] = [
  ...(loadScenarios().find((s) => s.id === 'health-check-grace-period')?.events.slice(0, 1) ?? []),
  awsSample('service-action-service-steady-state'),
  awsSample('deployment-service-deployment-failed'),
  awsSample('task-running-fargate-2025'),
];

describe('diagnose, with arbitrary and mutated events', () => {
  let tables = 0;
  async function freshFlow() {
    const tableName = `properties-${++tables}`;
    const { createIncidentTable } = await import('../support/dynalite');
    await createIncidentTable(local.client, tableName);
    return diagnoseFlow({
      store: dynamoIncidentStore({ client: local.documents, tableName, windowSeconds: 3600 }),
      reader: snapshotReader({}),
      publish: eventBridgePublisher(new EventBridgeClient({ region: 'us-west-2' })),
      deadLetter: sqsDeadLetter(new SQSClient({ region: 'us-west-2' }), 'https://sqs.us-west-2.amazonaws.com/111111111111/dlq'),
      scheduleRecheck: sqsRecheckScheduler(new SQSClient({ region: 'us-west-2' }), 'https://sqs.us-west-2.amazonaws.com/111111111111/recheck', 300),
      recheckClaimSeconds: 300,
      clock: () => new Date(),
      logger: { info() {}, warn() {}, error() {} },
    });
  }
  const deadLetters = () => sqs.commandCalls(SendMessageCommand).filter((c) => c.args[0].input.QueueUrl?.endsWith('/dlq'));

  it('never throws; a rejected event is dead-lettered exactly once with a reason, a processed one never', async () => {
    const flow = await freshFlow();
    const input = fc.oneof(
      { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...seedEvents), mutation).map(([event, m]) => mutate(event, m.pick, m.replacement)) },
    );
    await fc.assert(
      fc.asyncProperty(input, fc.uuid(), async (raw, id) => {
        sqs.resetHistory();
        // A fresh id, so every run is a first delivery (unless the mutation replaced it).
        const event = typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'id' in raw && typeof raw.id === 'string' ? { ...raw, id } : raw;
        const outcome = await flow.handleEvent(event, { deadline: new Date(Date.now() + 60_000) });
        if (outcome.status === 'rejected') {
          expect(deadLetters()).toHaveLength(1);
          expect(deadLetters()[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toMatch(/\S/);
        } else expect(deadLetters()).toHaveLength(0);
      }),
      { numRuns: 60, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);
});

describe('notify, with arbitrary and mutated incident events', () => {
  it('never throws when its channels work; malformed events are dead-lettered exactly once, valid ones sent', async () => {
    const base = incidentEvent(await exampleIncident('health-check-grace-period'));
    const input = fc.oneof(
      { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
      { weight: 4, arbitrary: mutation.map((m) => mutate(base, m.pick, m.replacement)) },
    );
    await fc.assert(
      fc.asyncProperty(input, fc.uuid(), async (raw, firstSeen) => {
        sqs.resetHistory();
        sns.resetHistory();
        // Each run its own alert, so none is skipped as already sent.
        const detail = (raw as { detail?: { fingerprint?: unknown } } | null)?.detail;
        const event =
          typeof detail?.fingerprint === 'string' ? { ...(raw as object), detail: { ...detail, fingerprint: `${detail.fingerprint}-${firstSeen}` } } : raw;
        const result = (await notify(event, notifyContext())) as { status: string };
        if (result.status === 'malformed') {
          expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
          expect(sns).not.toHaveReceivedAnyCommand();
        } else {
          expect(result.status).toBe('notified');
          expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
          expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
        }
      }),
      { numRuns: 60, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);
});
