import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../findings';

/**
 * The incident table: one DynamoDB table, three kinds of item, all keyed by `pk`.
 *
 * | pk                         | what it is                                                                  |
 * |----------------------------|-----------------------------------------------------------------------------|
 * | `delivery#<event or message id>` | a claimed delivery: `leaseUntil` while it is processed, removed once done |
 * | `incident#<fingerprint>`   | an incident: `state`, `occurrences`, `firstSeen`, `lastSeen`, `openedBy`, `announced`, `openLeaseUntil`, `finding`, and `serviceKey` while open |
 * | `recheck#<serviceKey>`     | a PENDING re-check already scheduled for this service                        |
 *
 * Every item carries `expiresAt` (epoch seconds), the table's TTL attribute.
 * TTL deletes late (up to days), so every condition also compares `expiresAt`
 * with the clock: an expired item behaves as if it were gone.
 *
 * The sparse index `open-by-service` (partition key `serviceKey`, keys only)
 * holds the open incidents of services: a steady state or a completed
 * deployment finds them there. Incidents of standalone tasks and API calls have
 * no `serviceKey` and simply expire.
 */
export const incidentTableSchema = {
  partitionKey: { name: 'pk', type: 'S' },
  ttlAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST',
  indexes: [{ name: 'open-by-service', partitionKey: { name: 'serviceKey', type: 'S' }, projection: 'KEYS_ONLY' }],
} as const;

const OPEN_BY_SERVICE = incidentTableSchema.indexes[0].name;

/** How long a completed delivery is remembered: EventBridge retries a delivery for up to 24 h. */
export const DELIVERY_RETENTION_SECONDS = 24 * 3600;

export type RecordResult =
  /** This delivery opened the incident (or re-opened an expired or resolved one): investigate and alert. */
  | { status: 'opened'; firstSeen: string }
  /** The incident is open: the counter went up; no enrichment, no alert. */
  | { status: 'repeated'; occurrences: number };

export interface IncidentSummary {
  fingerprint: string;
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
  /** The finding the incident was announced with. */
  finding: Finding;
}

export interface RecordRequest {
  fingerprint: string;
  /** account|region|cluster|service (fingerprint.ts `serviceKeyOf`); absent for incidents without a service. */
  serviceKey: string | undefined;
  /** The delivery recording it: only that delivery may announce or abandon an incident it opened. */
  deliveryId: string;
  /** Epoch seconds until which an unannounced open is held for this delivery (the invocation's deadline). */
  leaseUntil: number;
}

/**
 * Where incidents live. Every method is one or a few conditional writes, so
 * concurrent invocations agree without locks. Errors (throttling, 5xx) propagate.
 */
export interface IncidentStore {
  /** Claims a delivery until `leaseUntil` (epoch s). False when it is being, or has been, processed. */
  claimDelivery(id: string, leaseUntil: number): Promise<boolean>;
  /** Marks a claimed delivery done: duplicates arriving later are skipped. */
  completeDelivery(id: string): Promise<void>;
  /** Gives up an unfinished claim, so the retry of the same delivery is processed. */
  releaseDelivery(id: string): Promise<void>;
  /** The first finding opens the incident (one conditional write); repeats within the window count. */
  recordFinding(request: RecordRequest): Promise<RecordResult>;
  /** After the alert went out: stores the finding and lets repeats count. False when another delivery took the incident over. */
  markAnnounced(fingerprint: string, deliveryId: string, finding: Finding): Promise<boolean>;
  /** Undoes an open that was never announced (the delivery failed), so its retry opens it again. */
  abandonOpen(fingerprint: string, deliveryId: string): Promise<void>;
  /** Resolves every open incident of a service; each is returned to exactly one caller. */
  resolveService(serviceKey: string): Promise<IncidentSummary[]>;
  /** Undoes a resolution that could not be announced, so the retry resolves (and announces) it again. */
  restoreOpen(fingerprint: string, serviceKey: string): Promise<void>;
  /** Claims the service's PENDING re-check for `seconds`; false when one is already scheduled. */
  claimRecheck(serviceKey: string, seconds: number): Promise<boolean>;
  /** Gives a re-check claim back (scheduling it failed). */
  releaseRecheck(serviceKey: string): Promise<void>;
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
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write; false when its condition did not hold. */
async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const incidentKey = (fingerprint: string) => ({ pk: `incident#${fingerprint}` });
const deliveryKey = (id: string) => ({ pk: `delivery#${id}` });
const recheckKey = (serviceKey: string) => ({ pk: `recheck#${serviceKey}` });

/** A repeat, and an open, race at most this often before the store gives up (transient: the delivery is retried). */
const RECORD_ATTEMPTS = 4;

export function dynamoIncidentStore({ client, tableName, windowSeconds, clock = () => new Date() }: DynamoIncidentStoreOptions): IncidentStore {
  const TableName = tableName;
  const epoch = () => Math.floor(clock().getTime() / 1000);

  // The two conditions below are exact complements for an existing item, so
  // exactly one of "count it" and "open it" holds at any moment.
  // An open the opener has not announced counts repeats only while its lease
  // holds: if the opener died, the next finding takes the incident over and alerts.
  const countsRepeats = '#state = :open AND expiresAt > :now AND (announced = :true OR openLeaseUntil > :now)';
  const mayOpen =
    'attribute_not_exists(pk) OR #state <> :open OR expiresAt <= :now OR (announced = :false AND openLeaseUntil <= :now)';

  async function repeat(fingerprint: string, now: number): Promise<number | undefined> {
    try {
      const answer = await client.send(
        new UpdateCommand({
          TableName,
          Key: incidentKey(fingerprint),
          UpdateExpression: 'ADD occurrences :one SET lastSeen = :seen, expiresAt = :expires',
          ConditionExpression: countsRepeats,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':seen': new Date(now * 1000).toISOString(),
            ':expires': now + windowSeconds,
            ':open': 'open',
            ':now': now,
            ':true': true,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(answer.Attributes?.occurrences);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async function open(request: RecordRequest, now: number): Promise<string | undefined> {
    const seen = new Date(now * 1000).toISOString();
    const opened = await conditionally(
      client.send(
        new PutCommand({
          TableName,
          Item: {
            ...incidentKey(request.fingerprint),
            fingerprint: request.fingerprint,
            state: 'open',
            occurrences: 1,
            firstSeen: seen,
            lastSeen: seen,
            openedBy: request.deliveryId,
            announced: false,
            openLeaseUntil: request.leaseUntil,
            expiresAt: now + windowSeconds,
            ...(request.serviceKey ? { serviceKey: request.serviceKey } : {}),
          },
          ConditionExpression: mayOpen,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':open': 'open', ':now': now, ':false': false },
        }),
      ),
    );
    return opened ? seen : undefined;
  }

  return {
    claimDelivery(id, leaseUntil) {
      const now = epoch();
      return conditionally(
        client.send(
          new PutCommand({
            TableName,
            Item: { ...deliveryKey(id), leaseUntil, expiresAt: now + DELIVERY_RETENTION_SECONDS },
            // Free when never seen, when its processor's lease ran out (it died), or when expired.
            ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil <= :now OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      );
    },

    async completeDelivery(id) {
      await client.send(new UpdateCommand({ TableName, Key: deliveryKey(id), UpdateExpression: 'REMOVE leaseUntil' }));
    },

    async releaseDelivery(id) {
      // Never forget a completed delivery: only a claim still leased is deleted.
      await conditionally(
        client.send(new DeleteCommand({ TableName, Key: deliveryKey(id), ConditionExpression: 'attribute_exists(leaseUntil)' })),
      );
    },

    async recordFinding(request) {
      for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
        const now = epoch();
        // Repeat first: in a storm almost every finding is a repeat, and this way a repeat is one write.
        const occurrences = await repeat(request.fingerprint, now);
        if (occurrences !== undefined) return { status: 'repeated', occurrences };
        const firstSeen = await open(request, now);
        if (firstSeen) return { status: 'opened', firstSeen };
        // Another delivery opened it between the two writes: count this one as its repeat.
      }
      throw new Error(`incident ${request.fingerprint} changed state during ${RECORD_ATTEMPTS} attempts to record it`);
    },

    markAnnounced(fingerprint, deliveryId, finding) {
      return conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: incidentKey(fingerprint),
            UpdateExpression: 'SET announced = :true, finding = :finding REMOVE openLeaseUntil',
            ConditionExpression: 'openedBy = :me AND #state = :open',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':true': true, ':finding': finding, ':me': deliveryId, ':open': 'open' },
          }),
        ),
      );
    },

    async abandonOpen(fingerprint, deliveryId) {
      await conditionally(
        client.send(
          new DeleteCommand({
            TableName,
            Key: incidentKey(fingerprint),
            ConditionExpression: 'openedBy = :me AND announced = :false',
            ExpressionAttributeValues: { ':me': deliveryId, ':false': false },
          }),
        ),
      );
    },

    async resolveService(serviceKey) {
      const resolved: IncidentSummary[] = [];
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
        for (const key of page.Items ?? []) {
          const summary = await resolveOne(String(key.pk));
          if (summary) resolved.push(summary);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return resolved;
    },

    async restoreOpen(fingerprint, serviceKey) {
      // Only if nothing happened since: a new finding may already have re-opened it.
      await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: incidentKey(fingerprint),
            UpdateExpression: 'SET #state = :open, serviceKey = :service REMOVE resolvedAt',
            ConditionExpression: '#state = :resolved',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':open': 'open', ':resolved': 'resolved', ':service': serviceKey },
          }),
        ),
      );
    },

    claimRecheck(serviceKey, seconds) {
      const now = epoch();
      return conditionally(
        client.send(
          new PutCommand({
            TableName,
            Item: { ...recheckKey(serviceKey), expiresAt: now + seconds },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      );
    },

    async releaseRecheck(serviceKey) {
      await client.send(new DeleteCommand({ TableName, Key: recheckKey(serviceKey) }));
    },
  };

  /** One conditional update per incident: whoever flips it from open announces it; the others see the condition fail. */
  async function resolveOne(pk: string): Promise<IncidentSummary | undefined> {
    const now = epoch();
    try {
      const answer = await client.send(
        new UpdateCommand({
          TableName,
          Key: { pk },
          UpdateExpression: 'SET #state = :resolved, resolvedAt = :at REMOVE serviceKey',
          // Only what was announced is resolved: an open still being investigated is announced first, resolved next time.
          ConditionExpression: '#state = :open AND announced = :true AND expiresAt > :now',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':resolved': 'resolved',
            ':open': 'open',
            ':true': true,
            ':now': now,
            ':at': new Date(now * 1000).toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = answer.Attributes;
      if (!item) return undefined;
      return {
        fingerprint: String(item.fingerprint),
        occurrences: Number(item.occurrences),
        firstSeen: String(item.firstSeen),
        lastSeen: String(item.lastSeen),
        finding: item.finding as Finding,
      };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}
