import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IncidentDetail } from '../bot/incident-event';
import type { Finding } from '../findings';

/**
 * The incident table: one DynamoDB table, keyed by `pk`.
 *
 * | pk                       | what it is                                                                   |
 * |--------------------------|------------------------------------------------------------------------------|
 * | `incident#<fingerprint>` | an incident: its state, counter, who announces it and whether it was, the events already counted |
 * | `steady#<serviceKey>`    | the latest steady state (by event time) of a service, with its trigger        |
 * | `recheck#<serviceKey>`   | a PENDING re-check of a service: who claimed it, and whether it was sent      |
 * | `notify#…`               | the notify Lambda's per-channel delivery records (Powertools idempotency)     |
 *
 * Every item carries `expiresAt` (epoch seconds), the table's TTL attribute.
 * TTL deletes late (up to days), so every condition also compares `expiresAt`
 * with the clock: an expired item behaves as if it were gone.
 *
 * There are no delivery leases. Work a delivery has to do is recorded as a
 * claim with a state (`announced`, `resolutionAnnounced`, `sent`: false while
 * unfinished, true once done) and the id of the delivery that holds it; the
 * retry of that delivery always finds its own unfinished claim and finishes
 * it. Every publish is idempotent downstream (notify keys on fingerprint,
 * firstSeen and state), so finishing twice alerts once.
 *
 * The sparse index `open-by-service` (partition key `serviceKey`, keys only)
 * holds the incidents of services that are open or whose resolution is not
 * announced yet: a steady state or a completed deployment finds them there.
 */
export const incidentTableSchema = {
  partitionKey: { name: 'pk', type: 'S' },
  ttlAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST',
  indexes: [{ name: 'open-by-service', partitionKey: { name: 'serviceKey', type: 'S' }, projection: 'KEYS_ONLY' }],
} as const;

const OPEN_BY_SERVICE = incidentTableSchema.indexes[0].name;

/**
 * DynamoDB's limit on a partition key is 2,048 bytes. Keys stay well under it:
 * the flow rejects (dead-letters) an event whose keys would not
 * (`MAX_KEY_BYTES`), and delivery ids are bounded because every incident
 * remembers up to 2 × `SEEN_PER_GENERATION` of them (≤ 128 KB).
 */
export const MAX_KEY_BYTES = 1024;
export const MAX_DELIVERY_ID_BYTES = 128;
/**
 * The duplicate guard: an incident remembers the ids of the events it counted,
 * by arrival in generations of a sixth of the window (at least a minute), the
 * current one and the one before. A generation holds at most this many; past
 * that, repeats in it are counted without their id (a duplicate of one of
 * those would count twice: the counter, never an alert, is what can be off).
 */
export const SEEN_PER_GENERATION = 500;

export type Trigger = IncidentDetail['trigger'];

/** What the store knows of an incident, as a caller needs it to announce. */
export interface IncidentRecord {
  fingerprint: string;
  state: 'open' | 'resolved';
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
  /** The delivery holding the opened announcement. */
  opener: string;
  announced: boolean;
  /** The finding the incident was announced with (once announced). */
  finding?: Finding;
  /** Event time (ms) of the steady state that resolved it, and that event. */
  resolvedAt?: number;
  resolvedBy?: Trigger;
  resolutionAnnounced?: boolean;
}

export type RecordResult =
  /** This delivery holds the opened announcement: investigate and announce (new, re-opened, taken over, or its own unfinished one). */
  | { status: 'opened'; incident: IncidentRecord }
  /** The incident is open: the counter went up; no enrichment, no alert. */
  | { status: 'repeated'; occurrences: number }
  /** This event was already counted, and what it had to announce is announced. */
  | { status: 'duplicate' }
  /** The finding predates the steady state that resolved the incident (event time): nothing to do. */
  | { status: 'stale' }
  /** The incident's resolution is recorded but not announced: announce it (`announceResolved`), then record again. */
  | { status: 'resolution-pending'; incident: IncidentRecord };

export interface RecordRequest {
  fingerprint: string;
  /** account|region|cluster|service (fingerprint.ts `serviceKeyOf`); absent for incidents without a service. */
  serviceKey: string | undefined;
  /** The event (or re-check message) id: the duplicate guard, and who holds the announcement. */
  deliveryId: string;
  /** Event time in ms: what orders findings and steady states. */
  eventTime: number;
  /** Epoch seconds until which others leave an unannounced open to this delivery (its invocation's deadline). */
  leaseUntil: number;
}

/** An incident's opener is still at work (its lease holds): transient, the delivery is retried. */
export class IncidentBusyError extends Error {
  override name = 'IncidentBusyError';
}

/**
 * Where incidents live. Every method is one or a few conditional writes, so
 * concurrent invocations agree without locks. Errors (throttling, 5xx) propagate.
 */
export interface IncidentStore {
  /** Counts a finding: one conditional write for a repeat (also its duplicate guard) and for a new incident. */
  recordFinding(request: RecordRequest): Promise<RecordResult>;
  /** The opened alert went out: stores its finding. Returns the incident, whose resolution may be pending. */
  announceOpened(fingerprint: string, deliveryId: string, finding: Finding): Promise<IncidentRecord | undefined>;
  /** The latest steady state of a service (event time, ms) and its event. */
  steadyState(serviceKey: string): Promise<{ at: number; trigger: Trigger } | undefined>;
  /**
   * A steady state at `eventTime` resolves every incident of the service opened before it.
   * Returns those whose resolution this caller announces now (their opened alert is out);
   * an unannounced one is announced resolved by its opener.
   */
  resolveService(serviceKey: string, eventTime: number, trigger: Trigger): Promise<IncidentRecord[]>;
  /** Resolves one incident at `eventTime` (a steady state its opener found recorded). */
  resolveIncident(fingerprint: string, eventTime: number, trigger: Trigger): Promise<IncidentRecord | undefined>;
  /** The resolved alert went out. */
  announceResolved(fingerprint: string): Promise<void>;
  /** The fingerprints filed under a key in the sparse index (open, or resolution not announced): the scheduled audit lists its own this way. */
  openFingerprints(serviceKey: string): Promise<string[]>;
  /** Claims the service's PENDING re-check for `seconds` for this delivery; its own unsent claim is its again. */
  claimRecheck(serviceKey: string, seconds: number, deliveryId: string): Promise<boolean>;
  /** The re-check message is on the queue. */
  markRecheckSent(serviceKey: string, deliveryId: string): Promise<void>;
}

/** The document client the store expects: optional fields of a finding that are undefined are left out, not rejected. */
export function incidentDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export interface DynamoIncidentStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Seconds a repeat counts toward an open incident, measured from its last occurrence. */
  windowSeconds: number;
  clock?: () => Date;
  /** Event ids remembered per generation (SEEN_PER_GENERATION). */
  seenPerGeneration?: number;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write; undefined when its condition did not hold. */
export async function conditionally<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

const incidentKey = (fingerprint: string) => ({ pk: `incident#${fingerprint}` });
const steadyKey = (serviceKey: string) => ({ pk: `steady#${serviceKey}` });
const recheckKey = (serviceKey: string) => ({ pk: `recheck#${serviceKey}` });

/** An incident changing under a recording this often in a row is contention: transient, the delivery is retried. */
const RECORD_ATTEMPTS = 5;

type Item = Record<string, unknown>;

function recordOf(item: Item): IncidentRecord {
  return {
    fingerprint: String(item.fingerprint),
    state: item.state === 'resolved' ? 'resolved' : 'open',
    occurrences: Number(item.occurrences),
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    opener: String(item.opener),
    announced: item.announced === true,
    ...(item.finding ? { finding: item.finding as Finding } : {}),
    ...(typeof item.resolvedAt === 'number' ? { resolvedAt: item.resolvedAt } : {}),
    ...(item.resolvedBy ? { resolvedBy: item.resolvedBy as Trigger } : {}),
    ...(item.resolutionAnnounced !== undefined ? { resolutionAnnounced: item.resolutionAnnounced === true } : {}),
  };
}

const generationName = (n: number) => `seen${n}`;
/** The ids an incident remembers of generation `n`. */
function idsOf(item: Item, n: number): Set<string> {
  const ids = item[generationName(n)];
  return ids instanceof Set ? (ids as Set<string>) : new Set();
}
/** Every write that adds an id drops the generations before the previous one (a gap in the events may leave several). */
const OLD_GENERATIONS = [2, 3, 4, 5, 6, 7];
const REMOVE_OLD_GENERATIONS = `REMOVE ${OLD_GENERATIONS.map((age) => `#old${age}`).join(', ')}`;

export function dynamoIncidentStore({
  client,
  tableName,
  windowSeconds,
  clock = () => new Date(),
  seenPerGeneration = SEEN_PER_GENERATION,
}: DynamoIncidentStoreOptions): IncidentStore {
  const TableName = tableName;
  const epoch = () => Math.floor(clock().getTime() / 1000);
  // Six generations span the window: an incident idle for longer has expired, so older ones are never left behind.
  const generationSeconds = Math.max(60, Math.floor(windowSeconds / 6));
  const generation = (now: number) => Math.floor(now / generationSeconds);
  const generationNames = (now: number, withPrevious = true): Record<string, string> => {
    const g = generation(now);
    return {
      '#cur': generationName(g),
      ...(withPrevious ? { '#prev': generationName(g - 1) } : {}),
      ...Object.fromEntries(OLD_GENERATIONS.map((age) => [`#old${age}`, generationName(g - age)])),
    };
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  /**
   * The one write of the common cases: opens a new incident, or counts a repeat
   * of an open one whose event id it has not counted yet (and whose opener
   * still holds, or has finished, its announcement).
   */
  function openOrRepeat(request: RecordRequest, now: number) {
    const seen = iso(request.eventTime);
    return conditionally(
      client.send(
        new UpdateCommand({
          TableName,
          Key: incidentKey(request.fingerprint),
          UpdateExpression: [
            'ADD occurrences :one, #cur :ids',
            'SET lastSeen = :seen, expiresAt = :expires, fingerprint = if_not_exists(fingerprint, :fp), #state = if_not_exists(#state, :open),',
            'firstSeen = if_not_exists(firstSeen, :seen), openedAt = if_not_exists(openedAt, :at), opener = if_not_exists(opener, :me),',
            `announced = if_not_exists(announced, :false), announceUntil = if_not_exists(announceUntil, :lease)${request.serviceKey ? ', serviceKey = :service' : ''}`,
            REMOVE_OLD_GENERATIONS,
          ].join(' '),
          ConditionExpression: [
            'attribute_not_exists(pk) OR (#state = :open AND expiresAt > :now AND opener <> :me',
            'AND NOT contains(#cur, :me) AND NOT contains(#prev, :me) AND (attribute_not_exists(#cur) OR size(#cur) < :max)',
            'AND (announced = :true OR announceUntil > :now))',
          ].join(' '),
          ExpressionAttributeNames: { '#state': 'state', ...generationNames(now) },
          ExpressionAttributeValues: {
            ':one': 1,
            ':ids': new Set([request.deliveryId]),
            ':seen': seen,
            ':expires': now + windowSeconds,
            ':fp': request.fingerprint,
            ':open': 'open',
            ':at': request.eventTime,
            ':me': request.deliveryId,
            ':false': false,
            ':true': true,
            ':lease': request.leaseUntil,
            ':now': now,
            ':max': seenPerGeneration,
            ...(request.serviceKey ? { ':service': request.serviceKey } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
  }

  /** A new generation of the incident, replacing an expired one or one whose resolution is announced. */
  async function reopen(request: RecordRequest, now: number, condition: string, values: Item): Promise<IncidentRecord | undefined> {
    const seen = iso(request.eventTime);
    const written = await conditionally(
      client.send(
        new PutCommand({
          ...(condition.includes('#state') ? { ExpressionAttributeNames: { '#state': 'state' } } : {}),
          TableName,
          Item: {
            ...incidentKey(request.fingerprint),
            fingerprint: request.fingerprint,
            state: 'open',
            occurrences: 1,
            firstSeen: seen,
            lastSeen: seen,
            openedAt: request.eventTime,
            opener: request.deliveryId,
            announced: false,
            announceUntil: request.leaseUntil,
            [generationName(generation(now))]: new Set([request.deliveryId]),
            expiresAt: now + windowSeconds,
            ...(request.serviceKey ? { serviceKey: request.serviceKey } : {}),
          },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (!written) return undefined;
    return { fingerprint: request.fingerprint, state: 'open', occurrences: 1, firstSeen: seen, lastSeen: seen, opener: request.deliveryId, announced: false };
  }

  /** Counts this event without its id (its generation is full), or takes an abandoned announcement over. */
  function countInto(request: RecordRequest, now: number, item: Item, takeOver: boolean) {
    return conditionally(
      client.send(
        new UpdateCommand({
          TableName,
          Key: incidentKey(request.fingerprint),
          UpdateExpression: takeOver
            ? `ADD occurrences :one, #cur :ids SET opener = :me, announceUntil = :lease, lastSeen = :seen, expiresAt = :expires ${REMOVE_OLD_GENERATIONS}`
            : 'ADD occurrences :one SET lastSeen = :seen, expiresAt = :expires',
          ConditionExpression: takeOver
            ? 'announced = :false AND opener = :previous AND occurrences = :count'
            : '#state = :open AND expiresAt > :now AND opener <> :me AND size(#cur) >= :max',
          ExpressionAttributeNames: takeOver ? generationNames(now, false) : { '#state': 'state', '#cur': generationName(generation(now)) },
          ExpressionAttributeValues: {
            ':one': 1,
            ':seen': iso(request.eventTime),
            ':expires': now + windowSeconds,
            ':me': request.deliveryId,
            ...(takeOver
              ? { ':ids': new Set([request.deliveryId]), ':lease': request.leaseUntil, ':false': false, ':previous': item.opener, ':count': item.occurrences }
              : { ':open': 'open', ':now': now, ':max': seenPerGeneration }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
  }

  /** The first write did not hold: read the incident and decide what this finding is. */
  async function classify(request: RecordRequest, now: number): Promise<RecordResult | undefined> {
    const item = await readIncident(request.fingerprint);
    if (!item) return undefined;
    const me = request.deliveryId;
    if (Number(item.expiresAt) <= now) {
      const opened = await reopen(request, now, 'expiresAt <= :now', { ':now': now });
      return opened && { status: 'opened', incident: opened };
    }
    const unannounced = item.announced !== true;
    const abandoned = unannounced && item.opener !== me && Number(item.announceUntil) <= now;
    if (abandoned) {
      const taken = await countInto(request, now, item, true);
      return taken && { status: 'opened', incident: recordOf(taken.Attributes ?? {}) };
    }
    if (unannounced && item.opener === me) return { status: 'opened', incident: recordOf(item) };
    if (item.state === 'open') {
      const g = generation(now);
      if ([g, g - 1].some((n) => idsOf(item, n).has(me))) return { status: 'duplicate' };
      if (idsOf(item, g).size < seenPerGeneration) return undefined;
      const counted = await countInto(request, now, item, false);
      return counted && { status: 'repeated', occurrences: Number(counted.Attributes?.occurrences) };
    }
    // Resolved: event time decides. A finding from before the steady state belongs to the resolved incident.
    if (request.eventTime <= Number(item.resolvedAt)) return { status: 'stale' };
    if (unannounced) throw new IncidentBusyError(`incident ${request.fingerprint} is being announced by ${String(item.opener)}`);
    if (item.resolutionAnnounced !== true) return { status: 'resolution-pending', incident: recordOf(item) };
    const opened = await reopen(request, now, '#state = :resolved AND resolvedAt = :resolvedAt', { ':resolved': 'resolved', ':resolvedAt': item.resolvedAt });
    return opened && { status: 'opened', incident: opened };
  }

  async function readIncident(fingerprint: string): Promise<Item | undefined> {
    return (await client.send(new GetCommand({ TableName, Key: incidentKey(fingerprint), ConsistentRead: true }))).Item;
  }

  /** The fingerprints a service key files in the sparse index (open, or resolution not announced). */
  async function indexedFingerprints(serviceKey: string): Promise<string[]> {
    const fingerprints: string[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName,
          IndexName: OPEN_BY_SERVICE,
          KeyConditionExpression: 'serviceKey = :service',
          ExpressionAttributeValues: { ':service': serviceKey },
          ExclusiveStartKey,
        }),
      );
      for (const key of page.Items ?? []) fingerprints.push(String(key.pk).slice('incident#'.length));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return fingerprints;
  }

  /** One conditional update: whoever flips an incident opened before the steady state gets it. */
  async function resolveOne(key: Item, eventTime: number, trigger: Trigger): Promise<IncidentRecord | undefined> {
    const now = epoch();
    const answer = await conditionally(
      client.send(
        new UpdateCommand({
          TableName,
          Key: key,
          UpdateExpression: 'SET #state = :resolved, resolvedAt = :at, resolvedBy = :trigger, resolutionAnnounced = :false, expiresAt = :expires',
          ConditionExpression: '#state = :open AND expiresAt > :now AND openedAt <= :at',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':resolved': 'resolved',
            ':open': 'open',
            ':now': now,
            ':at': eventTime,
            ':trigger': trigger,
            ':false': false,
            ':expires': now + windowSeconds,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return answer?.Attributes ? recordOf(answer.Attributes) : undefined;
  }

  return {
    async recordFinding(request) {
      for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
        const now = epoch();
        const written = await openOrRepeat(request, now);
        if (written?.Attributes) {
          const incident = recordOf(written.Attributes);
          if (incident.opener === request.deliveryId && !incident.announced) return { status: 'opened', incident };
          return { status: 'repeated', occurrences: incident.occurrences };
        }
        const result = await classify(request, now);
        if (result) return result;
        // The incident changed between the read and the write: decide again.
      }
      throw new Error(`incident ${request.fingerprint} changed state during ${RECORD_ATTEMPTS} attempts to record it`);
    },

    async announceOpened(fingerprint, deliveryId, finding) {
      const answer = await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: incidentKey(fingerprint),
            UpdateExpression: 'SET announced = :true, finding = :finding REMOVE announceUntil',
            ConditionExpression: 'opener = :me AND announced = :false',
            ExpressionAttributeValues: { ':true': true, ':false': false, ':finding': finding, ':me': deliveryId },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return answer?.Attributes ? recordOf(answer.Attributes) : undefined;
    },

    openFingerprints: indexedFingerprints,

    async steadyState(serviceKey) {
      const { Item: item } = await client.send(new GetCommand({ TableName, Key: steadyKey(serviceKey), ConsistentRead: true }));
      if (!item || Number(item.expiresAt) <= epoch()) return undefined;
      return { at: Number(item.steadyAt), trigger: item.trigger as Trigger };
    },

    async resolveService(serviceKey, eventTime, trigger) {
      const now = epoch();
      // Remembered for findings of this service that arrive later but happened before it.
      await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: steadyKey(serviceKey),
            UpdateExpression: 'SET steadyAt = :at, #trigger = :trigger, expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(steadyAt) OR steadyAt < :at OR expiresAt <= :now',
            ExpressionAttributeNames: { '#trigger': 'trigger' },
            ExpressionAttributeValues: { ':at': eventTime, ':trigger': trigger, ':expires': now + windowSeconds, ':now': now },
          }),
        ),
      );
      const resolved: IncidentRecord[] = [];
      for (const fingerprint of await indexedFingerprints(serviceKey)) {
        const incident = await resolveOne(incidentKey(fingerprint), eventTime, trigger);
        if (incident?.announced) resolved.push(incident);
        else if (!incident) {
          // Resolved earlier but not announced (its resolver failed): finish it.
          const pending = await readIncident(fingerprint);
          if (pending?.state === 'resolved' && pending.announced === true && pending.resolutionAnnounced === false) resolved.push(recordOf(pending));
        }
      }
      return resolved;
    },

    resolveIncident(fingerprint, eventTime, trigger) {
      return resolveOne(incidentKey(fingerprint), eventTime, trigger);
    },

    async announceResolved(fingerprint) {
      await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: incidentKey(fingerprint),
            UpdateExpression: 'SET resolutionAnnounced = :true REMOVE serviceKey',
            ConditionExpression: '#state = :resolved',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':true': true, ':resolved': 'resolved' },
          }),
        ),
      );
    },

    async claimRecheck(serviceKey, seconds, deliveryId) {
      const now = epoch();
      const claimed = await conditionally(
        client.send(
          new PutCommand({
            TableName,
            Item: { ...recheckKey(serviceKey), claimant: deliveryId, sent: false, expiresAt: now + seconds },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR (claimant = :me AND sent = :false)',
            ExpressionAttributeValues: { ':now': now, ':me': deliveryId, ':false': false },
          }),
        ),
      );
      return claimed !== undefined;
    },

    async markRecheckSent(serviceKey, deliveryId) {
      await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: recheckKey(serviceKey),
            UpdateExpression: 'SET sent = :true',
            ConditionExpression: 'claimant = :me',
            ExpressionAttributeValues: { ':true': true, ':me': deliveryId },
          }),
        ),
      );
    },
  };
}
