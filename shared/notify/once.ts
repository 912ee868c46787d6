import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { IncidentDetail } from '../bot/incident-event';
import { incidentTableSchema } from '../incidents/store';
import type { Alert, Channel, Deliver } from './deliver';
import { remedyAlertKey } from './remedy';

/**
 * Each channel sends each incident alert once: an incident event delivered
 * twice (EventBridge is at-least-once; diagnose re-publishes an alert whose
 * bookkeeping failed) and the retry after one channel failed both skip the
 * channels that already took it. The record is Powertools idempotency's, in
 * the incident table (`pk` `notify#<hash>`): IN_PROGRESS while sending (until
 * the invocation's deadline, so a retry takes over an attempt that died),
 * COMPLETED once sent; a failed send deletes it, so the retry sends again.
 */

/** What names one alert: the incident (fingerprint and firstSeen) and its state. The event id is not part of it. */
export function alertKey(detail: IncidentDetail): string {
  return `${detail.fingerprint}|${detail.firstSeen}|${detail.state}`;
}

/** EventBridge retries a target for up to 2 h (infra/stack.ts TARGET_RETRY), Lambda's own retries come within minutes: a day covers both. */
/** A remedy outcome is sent once per incident and action. */
const keyOf = (alert: Alert) => (alert.kind === 'incident' ? alertKey(alert.detail) : remedyAlertKey(alert.detail));

export const ALERT_RECORD_SECONDS = 24 * 3600;
export const ALERT_KEY_PREFIX = 'notify';

export interface OnceChannels {
  channels: Partial<Record<Channel, Deliver>>;
  /** Call at the start of each invocation: in-progress records expire with it. */
  registerContext(context: Context): void;
}

export function oncePerChannel(channels: Partial<Record<Channel, Deliver>>, client: DynamoDBClient, tableName: string): OnceChannels {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: incidentTableSchema.partitionKey.name,
    expiryAttr: incidentTableSchema.ttlAttribute,
    awsSdkV3Client: client,
  });
  const config = new IdempotencyConfig({ expiresAfterSeconds: ALERT_RECORD_SECONDS });
  const wrapped: Partial<Record<Channel, Deliver>> = {};
  for (const [channel, deliver] of Object.entries(channels) as [Channel, Deliver][]) {
    const send = makeIdempotent(
      async (_alert: { alert: string; channel: Channel }, alert: Alert, eventId: string) => {
        await deliver(alert, eventId);
        return { sent: true };
      },
      { persistenceStore, config, keyPrefix: ALERT_KEY_PREFIX, dataIndexArgument: 0 },
    );
    wrapped[channel] = async (alert, eventId) => {
      await send({ alert: keyOf(alert), channel }, alert, eventId);
    };
  }
  return { channels: wrapped, registerContext: (context) => config.registerLambdaContext(context) };
}
