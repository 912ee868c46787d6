import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exampleIncident, incidentEvent } from '../../shared/notify/example';
import { notifyContext, notifyTable } from '../support/notify-table';

// A separate file, so the handler module loads without the Slack secret set (its configuration is read once per cold start).
vi.hoisted(() => {
  process.env.ECS_MEDIC_TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:ecs-medic-alerts';
  process.env.ECS_MEDIC_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/111111111111/ecs-medic-notify-dlq';
  delete process.env.ECS_MEDIC_SLACK_SECRET_ARN;
});

const local = await notifyTable();
afterAll(() => local.stop());
const { handler } = await import('../../functions/notify/handler');

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const context = notifyContext();
const fetchMock = vi.fn();

beforeEach(() => {
  sns.reset();
  secrets.reset();
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('notify handler without Slack configured', () => {
  it('publishes to SNS only: no secret read, no webhook call', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const result = await handler(incidentEvent(await exampleIncident('log-group-missing')), context);
    expect(result).toEqual({ status: 'notified', delivered: ['sns'] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(secrets).not.toHaveReceivedAnyCommand();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('throws when SNS, its only channel, fails', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const incident = { ...(await exampleIncident('log-group-missing')), firstSeen: '2025-05-06T12:00:00.000Z' };
    await expect(handler(incidentEvent(incident), context)).rejects.toThrow(/^sns did not take incident .*: retrying$/);
  });
});
