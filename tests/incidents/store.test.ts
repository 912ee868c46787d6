import { PutCommand } from '@aws-sdk/lib-dynamodb';
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
function incident(serviceKey?: string): Omit<RecordRequest, 'deliveryId' | 'leaseUntil'> {
  sequence += 1;
  return { fingerprint: `111111111111|us-west-2|example-cluster|service/web|rule-${sequence}|-`, serviceKey };
}
const record = (base: Omit<RecordRequest, 'deliveryId' | 'leaseUntil'>, deliveryId: string, lease = 60) =>
  store.recordFinding({ ...base, deliveryId, leaseUntil: epoch() + lease });

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

describe('delivery claims', () => {
  it('processes an exact duplicate once', async () => {
    expect(await store.claimDelivery('evt-1', epoch() + 60)).toBe(true);
    expect(await store.claimDelivery('evt-1', epoch() + 60)).toBe(false);
    await store.completeDelivery('evt-1');
    advance(3600);
    expect(await store.claimDelivery('evt-1', epoch() + 60)).toBe(false);
  });

  it('a released claim lets the retry through; a completed one cannot be released', async () => {
    expect(await store.claimDelivery('evt-2', epoch() + 60)).toBe(true);
    await store.releaseDelivery('evt-2');
    expect(await store.claimDelivery('evt-2', epoch() + 60)).toBe(true);
    await store.completeDelivery('evt-2');
    await store.releaseDelivery('evt-2');
    expect(await store.claimDelivery('evt-2', epoch() + 60)).toBe(false);
  });

  it('a claim whose processor died (lease over, never completed) is taken again', async () => {
    expect(await store.claimDelivery('evt-3', epoch() + 60)).toBe(true);
    advance(30);
    expect(await store.claimDelivery('evt-3', epoch() + 60)).toBe(false);
    advance(31);
    expect(await store.claimDelivery('evt-3', epoch() + 60)).toBe(true);
  });

  it('of 50 concurrent claims of one delivery exactly one wins', async () => {
    const wins = await Promise.all(Array.from({ length: 50 }, () => store.claimDelivery('evt-4', epoch() + 60)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });
});

describe('recording findings', () => {
  it('the first opens with one conditional write; repeats count', async () => {
    const base = incident();
    local.resetRequests();
    expect(await record(base, 'a')).toEqual({ status: 'opened', firstSeen: now.toISOString() });
    // The repeat is tried first (it fails on a new incident), then the open: one PutItem.
    expect(local.requestCounts()).toEqual({ UpdateItem: 1, PutItem: 1 });
    expect(await store.markAnnounced(base.fingerprint, 'a', finding)).toBe(true);
    local.resetRequests();
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    expect(local.requestCounts()).toEqual({ UpdateItem: 1 });
    expect(await record(base, 'c')).toEqual({ status: 'repeated', occurrences: 3 });
  });

  it('of 30 concurrent findings exactly one opens, and the counter ends at 30', async () => {
    const base = incident();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => record(base, `d${i}`)));
    expect(results.filter((r) => r.status === 'opened')).toHaveLength(1);
    const counts = results.flatMap((r) => (r.status === 'repeated' ? [r.occurrences] : [])).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
  });

  it('re-opens after the window without a repeat (the incident expired)', async () => {
    const base = incident();
    await record(base, 'a');
    await store.markAnnounced(base.fingerprint, 'a', finding);
    advance(WINDOW - 1);
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    // The window slides from the last occurrence: an ongoing loop stays one incident.
    advance(WINDOW - 1);
    expect(await record(base, 'c')).toEqual({ status: 'repeated', occurrences: 3 });
    advance(WINDOW);
    expect(await record(base, 'd')).toMatchObject({ status: 'opened' });
  });

  it('an open whose opener died before alerting is taken over once its lease ends', async () => {
    const base = incident();
    expect(await record(base, 'a', 30)).toMatchObject({ status: 'opened' });
    advance(10);
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    advance(25);
    expect(await record(base, 'c')).toMatchObject({ status: 'opened' });
    // The first opener, back from the dead, no longer owns it.
    expect(await store.markAnnounced(base.fingerprint, 'a', finding)).toBe(false);
    expect(await store.markAnnounced(base.fingerprint, 'c', finding)).toBe(true);
  });

  it('an abandoned open is opened again by the retry', async () => {
    const base = incident();
    await record(base, 'a');
    await store.abandonOpen(base.fingerprint, 'a');
    expect(await record(base, 'a')).toMatchObject({ status: 'opened' });
    await store.markAnnounced(base.fingerprint, 'a', finding);
    // Announced incidents are never abandoned.
    await store.abandonOpen(base.fingerprint, 'a');
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
  });

  it('propagates DynamoDB throttling (the caller throws, Lambda retries)', async () => {
    const throttled = incidentDocumentClient(local.client);
    const mock = mockClient(throttled);
    mock.on(PutCommand).rejects(Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' }));
    const throttledStore = dynamoIncidentStore({ client: throttled, tableName: local.tableName, windowSeconds: WINDOW, clock: () => now });
    await expect(throttledStore.claimDelivery('evt-throttled', epoch() + 60)).rejects.toThrow('Rate of requests exceeds');
    mock.restore();
  });
});

describe('resolving a service', () => {
  const service = '111111111111|us-west-2|example-cluster|web';

  it('resolves each open, announced incident of the service once, and only those', async () => {
    const first = incident(service);
    const second = incident(service);
    const other = incident('111111111111|us-west-2|example-cluster|api');
    const unannounced = incident(service);
    for (const base of [first, second, other]) {
      await record(base, 'a');
      await store.markAnnounced(base.fingerprint, 'a', finding);
    }
    await record(first, 'b');
    await record(unannounced, 'a');

    const resolved = await store.resolveService(service);
    expect(resolved.map((r) => r.fingerprint).sort()).toEqual([first.fingerprint, second.fingerprint].sort());
    expect(resolved.find((r) => r.fingerprint === first.fingerprint)).toEqual({
      fingerprint: first.fingerprint,
      occurrences: 2,
      firstSeen: now.toISOString(),
      lastSeen: now.toISOString(),
      finding,
    });
    expect(await store.resolveService(service)).toEqual([]);
    // A resolution that could not be announced is undone, and the next resolver gets it.
    await store.restoreOpen(second.fingerprint, service);
    expect((await store.resolveService(service)).map((r) => r.fingerprint)).toEqual([second.fingerprint]);
    // A resolved incident is opened again by its next finding.
    expect(await record(first, 'c')).toMatchObject({ status: 'opened' });
    expect(await record(other, 'c')).toEqual({ status: 'repeated', occurrences: 2 });
  });

  it('concurrent resolvers announce each incident exactly once', async () => {
    const key = '111111111111|us-west-2|example-cluster|concurrent';
    const bases = [incident(key), incident(key), incident(key)];
    for (const base of bases) {
      await record(base, 'a');
      await store.markAnnounced(base.fingerprint, 'a', finding);
    }
    const answers = await Promise.all(Array.from({ length: 10 }, () => store.resolveService(key)));
    expect(answers.flat().map((r) => r.fingerprint).sort()).toEqual(bases.map((b) => b.fingerprint).sort());
  });

  it('does not resolve an incident that already expired', async () => {
    const key = '111111111111|us-west-2|example-cluster|expired';
    const base = incident(key);
    await record(base, 'a');
    await store.markAnnounced(base.fingerprint, 'a', finding);
    advance(WINDOW + 1);
    expect(await store.resolveService(key)).toEqual([]);
  });

  it('incidents without a service are never resolved; they expire after the window', async () => {
    const base = incident(undefined);
    await record(base, 'a');
    await store.markAnnounced(base.fingerprint, 'a', finding);
    expect(await record(base, 'b')).toEqual({ status: 'repeated', occurrences: 2 });
    advance(WINDOW + 1);
    expect(await record(base, 'c')).toMatchObject({ status: 'opened' });
  });
});

describe('re-check claims', () => {
  it('one per service per span; released claims and expired ones are free again', async () => {
    const key = '111111111111|us-west-2|example-cluster|pending';
    expect(await store.claimRecheck(key, 300)).toBe(true);
    expect(await store.claimRecheck(key, 300)).toBe(false);
    expect(await store.claimRecheck(`${key}-other`, 300)).toBe(true);
    advance(301);
    expect(await store.claimRecheck(key, 300)).toBe(true);
    await store.releaseRecheck(key);
    expect(await store.claimRecheck(key, 300)).toBe(true);
  });
});
