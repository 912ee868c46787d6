import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE, type IncidentDetail } from './incident-event';
import type { RecheckRequest } from './recheck';

/**
 * What the diagnose flow writes to, over the AWS SDK: the incident event
 * (EventBridge PutEvents) and the re-check delay queue (SQS SendMessage); the
 * dead-letter queue is in dead-letter.ts, which notify shares. Errors
 * propagate: they are transient for the bot.
 */

/** PutEvents reports a failed entry in its answer, not as an error: turn it into one so the delivery is retried. */
export class PutEventsEntryError extends Error {
  override name = 'PutEventsEntryError';
}

/** Publishes ecs-medic's events: incidents by default, or another detail type of the same source (remedy outcomes). */
export function eventBridgePublisher<T = IncidentDetail>(client: EventBridgeClient, eventBusName?: string, detailType = INCIDENT_DETAIL_TYPE): (detail: T) => Promise<void> {
  return async (detail) => {
    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: INCIDENT_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
            ...(eventBusName ? { EventBusName: eventBusName } : {}),
          },
        ],
      }),
    );
    if (answer.FailedEntryCount) {
      const entry = answer.Entries?.[0];
      throw new PutEventsEntryError(`PutEvents rejected the ${detailType === INCIDENT_DETAIL_TYPE ? 'incident' : detailType} event: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}`);
    }
  };
}

/** SQS delays a message by at most 15 minutes (SendMessage DelaySeconds 0–900). */
export const MAX_RECHECK_DELAY_SECONDS = 900;

export function sqsRecheckScheduler(client: SQSClient, queueUrl: string, delaySeconds: number): (request: RecheckRequest) => Promise<void> {
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_RECHECK_DELAY_SECONDS) {
    throw new Error(`re-check delay must be a whole number of seconds from 0 to ${MAX_RECHECK_DELAY_SECONDS}, is ${delaySeconds}`);
  }
  return async (request) => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request), DelaySeconds: delaySeconds }));
  };
}
