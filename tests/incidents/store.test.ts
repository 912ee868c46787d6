import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings';
import { dynamoIncidentStore, type IncidentStore, incidentDocumentClient, type RecordRequest } from '../../shared/incidents/store';
import { type LocalDynamo, startDynalite } from '../support/dynalite';

const WINDOW = 3600;
let local: LocalDynamo;
let now: Date;
let store: IncidentStore;
let sequence = 0;

beforeAll(async () => {
  local = await startDynalite();
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => {
  now = new Date('2025-05-06T11:00:00.000Z');
  store = dynamoIncidentStore({ client: local.documents, tableName: local.tableName, windowSeconds: WINDOW, clock: () => now });
  local.resetRequests();
});

const advance = (seconds: number) => {
  now = new Date(now.getTime() + seconds * 1000);
};
const epoch = () => Math.floor(now.getTime() / 1000);

/** A fresh fingerprint per test: every test shares one table. */
function incident(serviceKey?: string): Omit<RecordRequest, 'deliveryId' | 'leaseUntil' | 'eventTime'> {
  sequence += 1;
  return { fingerprint: `111111111111|us-west-2|example-cluster|service/web|rule-${sequence}|-`, serviceKey };
}
const record = (base: Omit<RecordRequest, 'deliveryId' | 'leaseUntil' | 'eventTime'>, deliveryId: string, options: { lease?: number; at?: number } = {}) =>
  store.recordFinding({ ...base, deliveryId, eventTime: options.at ?? now.getTime(), leaseUntil: epoch() + (options.lease ?? 60) });
const trigger = { id: 'steady-1', detailType: 'ECS Service Action', eventName: 'SERVICE_STEADY_STATE' };

const finding: Finding = {
  rule: 'health-check-grace-period',
  cause: 'elb-health-check',
  severity: 'critical',
  title: 'Tasks are killed by health checks',
  explanation: 'why',
  fix: 'aws ecs update-service …',
  resource: { account: '111111111111', region: 'us-west-2', cluster: 'example-cluster', service: 'web' },
  evidence: [{ source: 'detail.stoppedReason', observed: 'Task failed ELB health checks' }],
  unchecked: [],
};

describe('recording findings', () => {
  it('a new incident is one conditional write; a repeat is one conditional write; its duplicate costs one more read', async () => {
    const base = incident();
    local.resetRequests();
    expect(await record(base, 'a')).toMatchObject({ status: 'opened', incident: { firstSeen: now.toISOString(), opener: 'a', announced: false } });
    expect(local.requestCounts()).toEqual({ UpdateItem: 1 });
    expect(await store.announceOpened(base.fingerprint, 'a', finding)).toMatchObject({ state: 'open', announced: true });
    local.resetRequests();
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    expect(local.requestCounts()).toEqual({ UpdateItem: 1 });
    expect(await record(base, 'b')).toEqual({ status: 'duplicate' });
    expect(await record(base, 'a')).toEqual({ status: 'duplicate' });
    expect(await record(base, 'c')).toEqual({ status: 'repeated', occurrences: 3 });
  });

  it('of 30 concurrent findings exactly one opens, and the counter ends at 30', async () => {
    const base = incident();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => record(base, `d${i}`)));
    expect(results.filter((r) => r.status === 'opened')).toHaveLength(1);
    const counts = results.flatMap((r) => (r.status === 'repeated' ? [r.occurrences] : [])).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
  });

  it('remembers the ids it counted in two generations of arrival time, a bounded number per generation', async () => {
    store = dynamoIncidentStore({ client: local.documents, tableName: local.tableName, windowSeconds: WINDOW, clock: () => now, seenPerGeneration: 4 });
    const base = incident();
    await record(base, 'first');
    await store.announceOpened(base.fingerprint, 'first', finding);
    for (let i = 0; i < 5; i++) await record(base, `r${i}`);
    expect(await record(base, 'r0')).toEqual({ status: 'duplicate' });
    // The generation holds 4 ids (first, r0, r1, r2): r3 and r4 were counted without theirs, so a duplicate of them counts again.
    expect(await record(base, 'r4')).toEqual({ status: 'repeated', occurrences: 7 });
    // A generation is a sixth of the window: the previous one is still remembered…
    advance(WINDOW / 6);
    expect(await record(base, 'r1')).toEqual({ status: 'duplicate' });
    expect(await record(base, 'r5')).toEqual({ status: 'repeated', occurrences: 8 });
    // …the one before it no longer.
    advance(WINDOW / 6);
    expect(await record(base, 'r1')).toEqual({ status: 'repeated', occurrences: 9 });
    expect(await record(base, 'r5')).toEqual({ status: 'duplicate' });
  });

  it('re-opens after the window without a repeat (the incident expired)', async () => {
    const base = incident();
    await record(base, 'a');
    await store.announceOpened(base.fingerprint, 'a', finding);
    advance(WINDOW - 1);
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    // The window slides from the last occurrence: an ongoing loop stays one incident.
    advance(WINDOW - 1);
    expect(await record(base, 'c')).toEqual({ status: 'repeated', occurrences: 3 });
    advance(WINDOW);
    expect(await record(base, 'd')).toMatchObject({ status: 'opened', incident: { opener: 'd' } });
  });

  it('the opener retrying its unfinished announcement gets it back; others count while its lease holds, then take it over', async () => {
    const base = incident();
    expect(await record(base, 'a', { lease: 30 })).toMatchObject({ status: 'opened' });
    // Its own retry, inside the lease: the work is not swallowed as a duplicate.
    expect(await record(base, 'a')).toMatchObject({ status: 'opened', incident: { opener: 'a' } });
    advance(10);
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    advance(25);
    expect(await record(base, 'c')).toMatchObject({ status: 'opened', incident: { opener: 'c', occurrences: 3 } });
    // The first opener, back from the dead, no longer holds it.
    expect(await store.announceOpened(base.fingerprint, 'a', finding)).toBeUndefined();
    expect(await store.announceOpened(base.fingerprint, 'c', finding)).toMatchObject({ announced: true });
    expect(await record(base, 'c')).toEqual({ status: 'duplicate' });
  });

  it('propagates DynamoDB throttling (the caller throws, Lambda retries)', async () => {
    const throttled = incidentDocumentClient(local.client);
    const mock = mockClient(throttled);
    mock.on(UpdateCommand).rejects(Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' }));
    const throttledStore = dynamoIncidentStore({ client: throttled, tableName: local.tableName, windowSeconds: WINDOW, clock: () => now });
    await expect(throttledStore.recordFinding({ ...incident(), deliveryId: 'x', eventTime: now.getTime(), leaseUntil: epoch() + 60 })).rejects.toThrow('Rate of requests exceeds');
    mock.restore();
  });
});

describe('resolving a service', () => {
  const service = '111111111111|us-west-2|example-cluster|web';
  let services = 0;
  const freshService = () => `${service}-${++services}`;

  it('resolves each open incident of the service opened before the steady state, once; it announces only those announced', async () => {
    const key = freshService();
    const [first, second, unannounced] = [incident(key), incident(key), incident(key)];
    const other = incident('111111111111|us-west-2|example-cluster|api');
    for (const base of [first, second, other]) {
      await record(base, 'a');
      await store.announceOpened(base.fingerprint, 'a', finding);
    }
    await record(first, 'b');
    await record(unannounced, 'a');
    advance(60);

    const resolved = await store.resolveService(key, now.getTime(), trigger);
    expect(resolved.map((r) => r.fingerprint).sort()).toEqual([first.fingerprint, second.fingerprint].sort());
    expect(resolved.find((r) => r.fingerprint === first.fingerprint)).toMatchObject({
      state: 'resolved',
      occurrences: 2,
      finding,
      resolvedBy: trigger,
      resolutionAnnounced: false,
    });
    // The unannounced one is resolved too: its opener announces both when it records its alert.
    expect(await store.announceOpened(unannounced.fingerprint, 'a', finding)).toMatchObject({ state: 'resolved', resolutionAnnounced: false });
    for (const r of resolved) await store.announceResolved(r.fingerprint);
    await store.announceResolved(unannounced.fingerprint);
    expect(await store.resolveService(key, now.getTime(), trigger)).toEqual([]);
    // A finding from before the steady state belongs to the resolved incident; one after it opens the next.
    expect(await record(first, 'late', { at: now.getTime() - 30_000 })).toEqual({ status: 'stale' });
    expect(await record(first, 'c', { at: now.getTime() + 1000 })).toMatchObject({ status: 'opened' });
    expect(await record(other, 'c')).toEqual({ status: 'repeated', occurrences: 2 });
  });

  it('a resolution whose announcement failed is offered again to the next resolver', async () => {
    const key = freshService();
    const base = incident(key);
    await record(base, 'a');
    await store.announceOpened(base.fingerprint, 'a', finding);
    expect(await store.resolveService(key, now.getTime(), trigger)).toHaveLength(1);
    // Not announced: the retry of the steady state (or the next one) gets it again.
    expect((await store.resolveService(key, now.getTime(), trigger)).map((r) => r.fingerprint)).toEqual([base.fingerprint]);
    // A new failure meanwhile is told to finish it first.
    expect(await record(base, 'b', { at: now.getTime() + 1000 })).toMatchObject({ status: 'resolution-pending' });
    await store.announceResolved(base.fingerprint);
    expect(await store.resolveService(key, now.getTime(), trigger)).toEqual([]);
  });

  it('a steady state arriving before the failures that preceded it is remembered for them (event time, not arrival)', async () => {
    const key = freshService();
    const steadyAt = now.getTime();
    expect(await store.resolveService(key, steadyAt, trigger)).toEqual([]);
    expect(await store.steadyState(key)).toEqual({ at: steadyAt, trigger });
    // An older steady state delivered later does not move it back.
    await store.resolveService(key, steadyAt - 60_000, { ...trigger, id: 'older' });
    expect(await store.steadyState(key)).toEqual({ at: steadyAt, trigger });
    const base = incident(key);
    await record(base, 'a', { at: steadyAt - 10_000 });
    await store.announceOpened(base.fingerprint, 'a', finding);
    expect(await store.resolveIncident(base.fingerprint, steadyAt, trigger)).toMatchObject({ state: 'resolved', resolvedAt: steadyAt });
  });

  it('concurrent resolvers claim each incident exactly once', async () => {
    const key = freshService();
    const bases = [incident(key), incident(key), incident(key)];
    for (const base of bases) {
      await record(base, 'a');
      await store.announceOpened(base.fingerprint, 'a', finding);
    }
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => store.resolveService(key, now.getTime() + i, trigger)));
    const claimed = new Set(answers.flat().map((r) => r.fingerprint));
    expect([...claimed].sort()).toEqual(bases.map((b) => b.fingerprint).sort());
  });

  it('does not resolve an incident that already expired, nor one opened after the steady state', async () => {
    const key = freshService();
    const base = incident(key);
    await record(base, 'a');
    await store.announceOpened(base.fingerprint, 'a', finding);
    expect(await store.resolveService(key, now.getTime() - 1000, trigger)).toEqual([]);
    advance(WINDOW + 1);
    expect(await store.resolveService(key, now.getTime(), trigger)).toEqual([]);
  });

  it('incidents without a service are never resolved; they expire after the window', async () => {
    const base = incident(undefined);
    await record(base, 'a');
    await store.announceOpened(base.fingerprint, 'a', finding);
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    advance(WINDOW + 1);
    expect(await record(base, 'c')).toMatchObject({ status: 'opened' });
  });
});

describe('re-check claims', () => {
  it('one per service per span; the claimant retrying an unsent claim gets it back; expired ones are free again', async () => {
    const key = '111111111111|us-west-2|example-cluster|pending';
    expect(await store.claimRecheck(key, 300, 'e1')).toBe(true);
    expect(await store.claimRecheck(key, 300, 'e2')).toBe(false);
    // e1's send failed (and nothing was released): its retry sends it.
    expect(await store.claimRecheck(key, 300, 'e1')).toBe(true);
    await store.markRecheckSent(key, 'e1');
    expect(await store.claimRecheck(key, 300, 'e1')).toBe(false);
    expect(await store.claimRecheck(`${key}-other`, 300, 'e3')).toBe(true);
    advance(301);
    expect(await store.claimRecheck(key, 300, 'e4')).toBe(true);
  });
});
