import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DEFAULTS, ENV, numberEnv, requireEnv } from '../../shared/bot/config';
import { diagnoseFlow, type Invocation } from '../../shared/bot/diagnose-flow';
import { sqsDeadLetter } from '../../shared/bot/dead-letter';
import { eventBridgePublisher, sqsRecheckScheduler } from '../../shared/bot/outputs';
import { dynamoIncidentStore, incidentDocumentClient } from '../../shared/incidents/store';
import { lazyLiveReader } from '../../shared/reader/lazy-live';
import { METRICS_NAMESPACE, recordOutcome } from './metrics';

/**
 * The diagnose Lambda. Invoked asynchronously by the EventBridge rules (one
 * ECS event) and by the re-check queue's event source mapping (SQS batch,
 * ReportBatchItemFailures). Everything below runs once per cold start.
 */
const env = process.env;
const recheckDelaySeconds = numberEnv(env, ENV.recheckDelaySeconds, DEFAULTS.recheckDelaySeconds);
const logger = new Logger({ serviceName: 'ecs-medic-diagnose' });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'ecs-medic-diagnose' });
const sqs = new SQSClient({});

const flow = diagnoseFlow({
  store: dynamoIncidentStore({
    client: incidentDocumentClient(new DynamoDBClient({})),
    tableName: requireEnv(env, ENV.incidentTable),
    windowSeconds: numberEnv(env, ENV.dedupWindowSeconds, DEFAULTS.dedupWindowSeconds),
  }),
  reader: lazyLiveReader(),
  publish: eventBridgePublisher(new EventBridgeClient({}), env[ENV.eventBus]),
  deadLetter: sqsDeadLetter(sqs, requireEnv(env, ENV.deadLetterQueueUrl)),
  scheduleRecheck: sqsRecheckScheduler(sqs, requireEnv(env, ENV.recheckQueueUrl), recheckDelaySeconds),
  // One re-check in flight per service: a new one may be planned once the previous has run.
  recheckClaimSeconds: recheckDelaySeconds,
  clock: () => new Date(),
  logger,
});

/** A batch from the re-check queue: records of aws:sqs, at least one. Anything else is handled (and rejected) as an event. */
function isSqsEvent(event: unknown): event is SQSEvent {
  const records = typeof event === 'object' && event !== null ? (event as { Records?: unknown }).Records : undefined;
  if (!Array.isArray(records) || records.length === 0) return false;
  return records.every((record: unknown) => {
    const r = record as Partial<Record<'eventSource' | 'messageId' | 'body', unknown>> | null;
    return typeof r === 'object' && r !== null && r.eventSource === 'aws:sqs' && typeof r.messageId === 'string' && typeof r.body === 'string';
  });
}

async function recheckBatch(event: SQSEvent, invocation: Invocation): Promise<SQSBatchResponse> {
  const settled = await Promise.allSettled(event.Records.map((record) => flow.handleRecheck(record.body, record.messageId, invocation)));
  const batchItemFailures: SQSBatchItemFailure[] = [];
  for (const [i, result] of settled.entries()) {
    const messageId = event.Records[i]?.messageId ?? '';
    if (result.status === 'fulfilled') recordOutcome(metrics, result.value);
    else {
      logger.error('re-check failed; SQS delivers it again', { messageId, error: result.reason as Error });
      batchItemFailures.push({ itemIdentifier: messageId });
    }
  }
  return { batchItemFailures };
}

async function diagnose(event: unknown, context: Context): Promise<SQSBatchResponse | undefined> {
  const invocation: Invocation = { deadline: new Date(Date.now() + context.getRemainingTimeInMillis()) };
  if (isSqsEvent(event)) return recheckBatch(event, invocation);
  recordOutcome(metrics, await flow.handleEvent(event, invocation));
  return undefined;
}

export const handler = middy(diagnose)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
