import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { auditAccount } from '../../shared/audit/account';
import { reportAudit } from '../../shared/audit/incidents';
import { ENV, numberEnv, requireEnv } from '../../shared/bot/config';
import { eventBridgePublisher } from '../../shared/bot/outputs';
import { dynamoIncidentStore, incidentDocumentClient } from '../../shared/incidents/store';
import { liveReader } from '../../shared/reader/live';

/**
 * The scheduled configuration audit. EventBridge invokes it on the schedule
 * (cdk.json `auditSchedule`, default daily); it reads the Region's clusters
 * read-only, runs the static checks, and files what it finds as incidents:
 * a new finding alerts once through the notify path, one still there counts
 * as a repeat, one gone resolves.
 */
const env = process.env;
const logger = new Logger({ serviceName: 'ecs-medic-audit' });
const region = requireEnv(env, 'AWS_REGION');
const clusters = (env[ENV.auditClusters] ?? '').split(',').filter((c) => c !== '');
const store = dynamoIncidentStore({
  client: incidentDocumentClient(new DynamoDBClient({})),
  tableName: requireEnv(env, ENV.incidentTable),
  windowSeconds: numberEnv(env, ENV.auditWindowSeconds, 3 * 24 * 3600),
});
const publish = eventBridgePublisher(new EventBridgeClient({}), env[ENV.eventBus]);
const reader = liveReader();

async function audit(event: ScheduledEvent, context: Context) {
  const deadline = new Date(Date.now() + context.getRemainingTimeInMillis());
  const result = await auditAccount(reader, { region, clusters });
  // The scheduled event's id and time: a retried invocation of the same run is the same delivery, at the same time.
  const runTime = event.time ? new Date(event.time) : new Date();
  const report = await reportAudit(result, `audit#${event.id ?? context.awsRequestId}`, runTime, deadline, { store, publish });
  const summary = { ...result.summary, opened: report.opened.length, repeated: report.repeated, resolved: report.resolved.length, unchecked: result.unchecked.length };
  logger.info('audit finished', { summary });
  return summary;
}

export const handler = middy(audit).use(injectLambdaContext(logger));
