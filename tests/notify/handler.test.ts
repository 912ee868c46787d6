import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IncidentDetail } from '../../shared/bot/incident-event';
import { chatbotNotification } from '../../shared/notify/chatbot';
import { exampleIncident, incidentEvent } from '../../shared/notify/example';
import { slackMessage } from '../../shared/notify/slack';
import { alertText } from '../../shared/notify/text';
import { REMEDY_DETAIL_TYPE, type RemedyDetail, type RemedyOutcome, remedyDetail } from '../../shared/remedy/outcome';
import { notifyContext, notifyTable } from '../support/notify-table';

const env = vi.hoisted(() => {
  const values = {
    ECS_MEDIC_TOPIC_ARN: 'arn:aws:sns:us-west-2:111111111111:ecs-medic-alerts',
    ECS_MEDIC_SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-west-2:111111111111:secret:ecs-medic/slack-AbCdEf',
    ECS_MEDIC_DLQ_URL: 'https://sqs.us-west-2.amazonaws.com/111111111111/ecs-medic-notify-dlq',
  };
  Object.assign(process.env, values);
  return values;
});

const local = await notifyTable();
afterAll(() => local.stop());
const { handler } = await import('../../functions/notify/handler');

const WEBHOOK = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const context = notifyContext();

let example: IncidentDetail;
/** A new incident per test (its own firstSeen): each alert is sent once per channel, across tests too. */
let opened: IncidentDetail;
let incidents = 0;
let fetchMock: ReturnType<typeof vi.fn>;
const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
const metricNames = () => addMetric.mock.calls.map(([name]) => name).sort();
const logError = vi.spyOn(Logger.prototype, 'error');

beforeAll(async () => {
  example = await exampleIncident('health-check-grace-period');
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ webhookUrl: WEBHOOK }) });
});

beforeEach(() => {
  incidents += 1;
  opened = { ...example, firstSeen: new Date(Date.UTC(2025, 4, 6, 11, incidents)).toISOString() };
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  secrets.resetHistory();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  fetchMock = vi.fn(async () => new Response('ok', { status: 200 }));
  vi.stubGlobal('fetch', fetchMock);
  addMetric.mockClear();
  logError.mockClear();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function slackBody(call = 0): unknown {
  const init = fetchMock.mock.calls[call]?.[1] as RequestInit;
  return JSON.parse(init.body as string);
}

describe('notify handler', () => {
  // First: the secret cache lives for the module (the cold start), so count from the first invocation.
  it('reads the Slack secret once across invocations', async () => {
    for (let i = 0; i < 3; i++) await handler(incidentEvent({ ...opened, fingerprint: `${opened.fingerprint}-${i}` }, `evt-${i}`), context);
    expect(secrets).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: env.ECS_MEDIC_SLACK_SECRET_ARN });
    expect(fetchMock).toHaveBeenCalledTimes(3);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
  });

  it('publishes one structured SNS message and posts one Slack message for an opened incident', async () => {
    const result = await handler(incidentEvent(opened, 'evt-1'), context);
    expect(result).toEqual({ status: 'notified', delivered: ['sns', 'slack'] });

    expect(sns).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: env.ECS_MEDIC_TOPIC_ARN,
      Subject: '[ecs-medic] CRITICAL webserver: Tasks are killed by health checks, likely before they finish...',
      MessageStructure: 'json',
      Message: JSON.stringify({
        default: alertText(opened, 'us-east-1'),
        email: alertText(opened, 'us-east-1'),
        https: JSON.stringify(chatbotNotification(opened, 'evt-1', 'us-east-1')),
      }),
      MessageAttributes: {
        rule: { DataType: 'String', StringValue: 'health-check-grace-period' },
        severity: { DataType: 'String', StringValue: 'critical' },
        state: { DataType: 'String', StringValue: 'opened' },
        cluster: { DataType: 'String', StringValue: 'example-cluster' },
        service: { DataType: 'String', StringValue: 'webserver' },
      },
    });
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message as string);
    expect(message.default).toContain('fix:       aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 90');
    expect(JSON.parse(message.https)).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });

    expect(fetchMock).toHaveBeenCalledOnce();
    expect(fetchMock.mock.calls[0]?.[0]).toBe(WEBHOOK);
    expect(slackBody()).toEqual(slackMessage(opened, 'us-east-1'));
    expect(metricNames()).toEqual(['SlackDelivered', 'SnsDelivered']);
  });

  it('sends a short resolved message to both channels', async () => {
    const resolved = { ...(await exampleIncident('health-check-grace-period', 'resolved')), firstSeen: opened.firstSeen };
    await handler(incidentEvent(resolved), context);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toMatch(/^\[ecs-medic\] RESOLVED webserver: /);
    expect(input?.MessageAttributes?.state).toEqual({ DataType: 'String', StringValue: 'resolved' });
    expect(JSON.parse(input?.Message as string).default).toMatch(/^RESOLVED {2}Tasks are killed/);
    expect((slackBody() as { text: string }).text).toMatch(/^RESOLVED: /);
  });

  it('Slack failing: SNS is still sent, the invocation fails, and the retry posts to Slack only', async () => {
    fetchMock.mockImplementationOnce(async () => new Response('channel_not_found', { status: 404 }));
    await expect(handler(incidentEvent(opened), context)).rejects.toThrow(/^slack did not take incident .*; sns sent, not repeated: retrying$/);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(metricNames()).toEqual(['SlackFailed', 'SnsDelivered']);
    expect(logError).toHaveBeenCalledWith('slack delivery failed', expect.objectContaining({ channel: 'slack' }));
    // Lambda's retry.
    expect(await handler(incidentEvent(opened), context)).toEqual({ status: 'notified', delivered: ['sns', 'slack'] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('SNS throttled while Slack succeeded: the retry publishes to SNS (email subscribers get it), and Slack is not posted twice', async () => {
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({ MessageId: 'm-2' });
    await expect(handler(incidentEvent(opened), context)).rejects.toThrow(/^sns did not take incident .*; slack sent, not repeated: retrying$/);
    expect(fetchMock).toHaveBeenCalledOnce();
    expect(metricNames()).toEqual(['SlackDelivered', 'SnsFailed']);
    await handler(incidentEvent(opened), context);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(fetchMock).toHaveBeenCalledOnce();
  });

  it('the same incident event delivered twice sends one SNS message and one Slack post', async () => {
    await handler(incidentEvent(opened, 'evt-dup'), context);
    await handler(incidentEvent(opened, 'evt-dup'), context);
    // diagnose re-publishing the same alert (its bookkeeping failed) is another event of the same alert.
    await handler(incidentEvent(opened, 'evt-republished'), context);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(fetchMock).toHaveBeenCalledOnce();
    // Its resolution is another alert.
    await handler(incidentEvent({ ...opened, state: 'resolved' }, 'evt-resolved'), context);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('throws when every channel fails, so Lambda retries and the failure destination keeps the event', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('We encountered an internal error.'), { name: 'InternalErrorException' }));
    fetchMock.mockImplementation(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(handler(incidentEvent(opened), context)).rejects.toThrow(/^sns, slack did not take incident .*: retrying$/);
    expect(metricNames()).toEqual(['SlackFailed', 'SnsFailed']);
  });

  it.each([
    ['not an incident event', { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', id: 'x', detail: {} }, 'source'],
    [
      'an incident without a finding',
      { version: '0', id: 'x', source: 'ecs-medic', 'detail-type': 'ECS Medic Incident', detail: { schemaVersion: 1, state: 'opened' } },
      'detail.fingerprint',
    ],
    ['nothing at all', null, '(event)'],
  ])('acknowledges %s: logged with the bad field, counted, dead-lettered, nothing sent', async (_name, event, field) => {
    const result = await handler(event, context);
    expect(result).toMatchObject({ status: 'malformed', field });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: env.ECS_MEDIC_DLQ_URL,
      MessageBody: JSON.stringify(event),
    });
    expect(sns).not.toHaveReceivedAnyCommand();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(metricNames()).toEqual(['IncidentEventMalformed']);
    expect(logError).toHaveBeenCalledWith('Malformed incident event: sent to the dead-letter queue, not retried', expect.objectContaining({ field, event }));
  });

  it('a finding whose resource holds a non-string is dead-lettered once with its reason, nothing sent', async () => {
    const hostile = { ...opened, finding: { ...opened.finding, resource: { ...opened.finding.resource, capacityProvider: { name: 'FARGATE' } } } };
    expect(await handler(incidentEvent(hostile as IncidentDetail), context)).toMatchObject({ status: 'malformed', field: 'detail.finding.resource.capacityProvider' });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe(
      'malformed incident event: detail.finding.resource.capacityProvider should be string, is object',
    );
    expect(sns).not.toHaveReceivedAnyCommand();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('keeps hostile AWS strings inert on the way out', async () => {
    const hostile: IncidentDetail = {
      ...opened,
      finding: { ...opened.finding, evidence: [{ source: 'detail.stoppedReason', observed: '<!channel> <https://evil.example|click> ```' }] },
    };
    await handler(incidentEvent(hostile), context);
    const slack = JSON.stringify(slackBody());
    // Slack shows a rich_text text element as it is: there the mention and the link are only characters, and nothing is mrkdwn.
    expect(slack).not.toContain('"mrkdwn"');
    expect(slack).toContain('{"type":"text","text":"<!channel> <https://evil.example|click> ```"}');
    const chat = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message as string).https as string;
    expect(chat).not.toContain('<!channel>');
    expect(chat).toContain('&lt;!channel&gt;');
  });
});

describe('notify handler: remedy outcomes', () => {
  const outcome = (status: RemedyOutcome['status'], firstSeen: string): RemedyDetail =>
    remedyDetail(opened.fingerprint, firstSeen, {
      action: 'grace-period',
      rule: 'health-check-grace-period',
      status,
      summary: `${status === 'dry-run' ? 'would raise' : 'raised'} the grace period of service webserver from 0 s to 90 s`,
      values: [{ target: 'service webserver healthCheckGracePeriodSeconds', before: '0', after: '90' }],
      done: [],
      undo: ['aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 0 --region us-west-2'],
      managedBy: { stack: 'shop', templateLines: ['CloudFormation (AWS::ECS::Service): HealthCheckGracePeriodSeconds: 90'] },
      resource: opened.finding.resource,
    });
  const remedyEvent = (detail: RemedyDetail, id = 'b1f6c7a2-0000-4000-8000-000000000002') => ({
    ...incidentEvent(opened, id),
    'detail-type': REMEDY_DETAIL_TYPE,
    detail,
  });

  it('sends the outcome once per channel, with before/after, the template line and the undo command exactly as pasted', async () => {
    const detail = outcome('dry-run', opened.firstSeen);
    expect(await handler(remedyEvent(detail), context)).toEqual({ status: 'notified', delivered: ['sns', 'slack'] });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toMatch(/^\[ecs-medic\] AUTO-FIX DRY RUN webserver: would raise the grace period of service webserver/);
    expect(input?.MessageAttributes?.remedy).toEqual({ DataType: 'String', StringValue: 'dry-run' });
    const text = JSON.parse(input?.Message as string).default as string;
    expect(text).toContain('change:    service webserver healthCheckGracePeriodSeconds: 0 → 90');
    expect(text).toContain('template:  CloudFormation (AWS::ECS::Service): HealthCheckGracePeriodSeconds: 90');
    expect(text).toContain('undo:      aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 0 --region us-west-2');
    expect(JSON.stringify(slackBody())).toContain('{"type":"rich_text_preformatted","elements":[{"type":"text","text":"aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 0 --region us-west-2"}]}');
    // Delivered again (EventBridge is at-least-once, remediate republishes a recorded outcome): nothing is sent twice.
    await handler(remedyEvent(detail, 'c1f6c7a2-0000-4000-8000-000000000003'), context);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(fetchMock).toHaveBeenCalledOnce();
  });

  it('dead-letters a malformed outcome with the bad field, sending nothing', async () => {
    const bad = { ...outcome('applied', opened.firstSeen), outcome: { ...outcome('applied', opened.firstSeen).outcome, status: 'maybe' } };
    expect(await handler(remedyEvent(bad as RemedyDetail), context)).toMatchObject({ status: 'malformed', field: 'detail.outcome.status' });
    expect(metricNames()).toEqual(['RemedyEventMalformed']);
    expect(sns).not.toHaveReceivedAnyCommand();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
