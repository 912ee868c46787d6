import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { ENV, requireEnv } from '../../shared/bot/config';
import { sqsDeadLetter } from '../../shared/bot/dead-letter';
import { eventBridgePublisher } from '../../shared/bot/outputs';
import { incidentDocumentClient } from '../../shared/incidents/store';
import { parseIncidentEvent } from '../../shared/notify/incident';
import { lazyLiveReader } from '../../shared/reader/lazy-live';
import { parseRemediation } from '../../shared/remedy/config';
import { remediationFlow, type RemediationResult } from '../../shared/remedy/flow';
import { dynamoRemedyLedger } from '../../shared/remedy/ledger';
import { REMEDY_DETAIL_TYPE, type RemedyDetail } from '../../shared/remedy/outcome';
import { liveWriter } from '../../shared/writer/live';

/**
 * remediate: an opened incident of a rule with a remedy (EventBridge rule
 * RemedyIncidents) goes through the guarded flow (shared/remedy/flow.ts),
 * and its outcome is published on the bus for notify. A malformed event is
 * dead-lettered, not retried; a failed change is an outcome, not an error,
 * so Lambda never retries a change. Set up once per cold start.
 */
const env = process.env;
const logger = new Logger();
const metrics = new Metrics();
const config = parseRemediation(env[ENV.remediation] ? JSON.parse(env[ENV.remediation] as string) : undefined, ENV.remediation);
const deadLetter = sqsDeadLetter(new SQSClient({}), requireEnv(env, ENV.deadLetterQueueUrl));
const ledger = dynamoRemedyLedger({
  client: incidentDocumentClient(new DynamoDBClient({})),
  tableName: requireEnv(env, ENV.incidentTable),
  coolDownSeconds: config.coolDownHours * 3600,
  budgetPerHour: config.budgetPerHour,
});
const publish = eventBridgePublisher<RemedyDetail>(new EventBridgeClient({}), env[ENV.eventBus], REMEDY_DETAIL_TYPE);
const reader = lazyLiveReader();
const writer = liveWriter();

const metricOf: Record<string, string> = { applied: 'RemedyApplied', 'dry-run': 'RemedyDryRun', skipped: 'RemedySkipped', failed: 'RemedyFailed' };

async function remediate(event: unknown): Promise<RemediationResult | { status: 'malformed' }> {
  const parsed = parseIncidentEvent(event);
  if (parsed.status === 'invalid') {
    logger.error('Malformed incident event: sent to the dead-letter queue, not retried', { field: parsed.field, problem: parsed.problem });
    await deadLetter(event, `malformed incident event: ${parsed.field} ${parsed.problem}`);
    return { status: 'malformed' };
  }
  // The incident's own account and Region, for a finding that names neither.
  const envelope = event as { account?: unknown; region?: unknown };
  const flow = remediationFlow({
    config,
    reader,
    writer,
    ledger,
    publish,
    home: { account: String(envelope.account ?? ''), region: String(envelope.region ?? env.AWS_REGION ?? '') },
  });
  const { detail } = parsed;
  logger.appendKeys({ fingerprint: detail.fingerprint, rule: detail.finding.rule });
  const result = await flow.handleIncident(detail);
  if (result.status !== 'ignored' && result.outcome) metrics.addMetric(metricOf[result.outcome.status] as string, MetricUnit.Count, 1);
  logger.info('Remediation', { status: result.status, ...(result.status === 'ignored' || result.status === 'quiet' ? { why: result.why } : {}), outcome: result.status === 'ignored' ? undefined : result.outcome });
  return result;
}

export const handler = middy(remediate)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
