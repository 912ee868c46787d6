import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ENV, requireEnv } from '../../shared/bot/config';
import { type Alert, type Channel, type Deliver, deliverToAll } from '../../shared/notify/deliver';
import { sqsDeadLetter } from '../../shared/bot/dead-letter';
import { parseIncidentEvent } from '../../shared/notify/incident';
import { oncePerChannel } from '../../shared/notify/once';
import { isRemedyEvent, parseRemedyEvent, remedyPublishInput, remedySlackMessage } from '../../shared/notify/remedy';
import { postToSlack, slackMessage, webhookUrlFromSecret } from '../../shared/notify/slack';
import { publishInput } from '../../shared/notify/sns';

/**
 * notify: an incident event (EventBridge, from the diagnose Lambda), or a
 * remedy outcome (from the remediate Lambda), becomes
 * one SNS Publish (email, chat via AWS Chatbot, any other subscriber) and one
 * Slack message, each sent once per alert (shared/notify/once.ts): a
 * duplicate event sends nothing again. Clients and configuration are set up
 * once per cold start.
 *
 * Failures:
 * - a malformed event is permanent (a retry reads the same bytes): it is
 *   logged with the bad field, counted (IncidentEventMalformed), sent as it
 *   arrived to the function's dead-letter queue, and acknowledged;
 * - a channel failing is logged and counted (SnsFailed, SlackFailed), never
 *   keeps the other from sending, and makes the invocation fail: Lambda
 *   retries, and the retry sends to the failed channel only (the other's
 *   delivery is recorded). After the retries the failure destination keeps it.
 */

// Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE (infra/stack.ts).
const logger = new Logger();
const metrics = new Metrics();

const topicArn = requireEnv(process.env, ENV.topicArn);
const deadLetter = sqsDeadLetter(new SQSClient({}), requireEnv(process.env, ENV.deadLetterQueueUrl));
const slackSecretArn = process.env[ENV.slackSecretArn];
/** Console links fall back to the function's Region when a finding names none. */
const region = process.env.AWS_REGION;

const sns = new SNSClient({});
const slackWebhookUrl = slackSecretArn ? webhookUrlFromSecret(slackSecretArn) : undefined;

const channels: Partial<Record<Channel, Deliver>> = {
  sns: async (alert, eventId) => {
    const input = alert.kind === 'incident' ? publishInput(alert.detail, eventId, topicArn, region) : remedyPublishInput(alert.detail, eventId, topicArn);
    await sns.send(new PublishCommand(input));
  },
};
if (slackWebhookUrl) {
  channels.slack = async (alert) =>
    postToSlack(await slackWebhookUrl(), alert.kind === 'incident' ? slackMessage(alert.detail, region) : remedySlackMessage(alert.detail));
}
const once = oncePerChannel(channels, new DynamoDBClient({}), requireEnv(process.env, ENV.incidentTable));

const metricName: Record<Channel, { delivered: string; failed: string }> = {
  sns: { delivered: 'SnsDelivered', failed: 'SnsFailed' },
  slack: { delivered: 'SlackDelivered', failed: 'SlackFailed' },
};

export type NotifyResult =
  | { status: 'malformed'; field: string; problem: string }
  | { status: 'notified'; delivered: Channel[] };

async function notify(event: unknown, context: Context): Promise<NotifyResult> {
  const remedy = isRemedyEvent(event);
  const parsed = remedy ? parseRemedyEvent(event) : parseIncidentEvent(event);
  if (parsed.status === 'invalid') {
    const what = remedy ? 'remedy event' : 'incident event';
    logger.error(`Malformed ${what}: sent to the dead-letter queue, not retried`, { field: parsed.field, problem: parsed.problem, event });
    metrics.addMetric(remedy ? 'RemedyEventMalformed' : 'IncidentEventMalformed', MetricUnit.Count, 1);
    await deadLetter(event, `malformed ${what}: ${parsed.field} ${parsed.problem}`);
    return { status: 'malformed', field: parsed.field, problem: parsed.problem };
  }
  const { id } = parsed;
  const alert: Alert = 'outcome' in parsed.detail ? { kind: 'remedy', detail: parsed.detail } : { kind: 'incident', detail: parsed.detail };
  const { detail } = alert;
  logger.appendKeys(
    alert.kind === 'incident'
      ? { fingerprint: detail.fingerprint, state: alert.detail.state, rule: alert.detail.finding.rule }
      : { fingerprint: detail.fingerprint, remedy: alert.detail.outcome.status, rule: alert.detail.outcome.rule },
  );

  once.registerContext(context);
  const report = await deliverToAll(alert, id, once.channels);
  for (const channel of report.delivered) metrics.addMetric(metricName[channel].delivered, MetricUnit.Count, 1);
  for (const { channel, error } of report.failed) {
    metrics.addMetric(metricName[channel].failed, MetricUnit.Count, 1);
    logger.error(`${channel} delivery failed`, { channel, error });
  }
  if (report.failed.length > 0) {
    const sent = report.delivered.length > 0 ? `; ${report.delivered.join(', ')} sent, not repeated` : '';
    throw new AggregateError(
      report.failed.map((f) => f.error),
      `${report.failed.map((f) => f.channel).join(', ')} did not take ${alert.kind} ${detail.fingerprint}${sent}: retrying`,
    );
  }
  logger.info('Incident notified', { delivered: report.delivered });
  return { status: 'notified', delivered: report.delivered };
}

export const handler = middy(notify)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
