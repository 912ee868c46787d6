import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exampleIncident, incidentEvent } from '../../shared/notify/example';

// A separate file, so the handler module loads without the Slack secret set (its configuration is read once per cold start).
vi.hoisted(() => {
  process.env.ECS_MEDIC_TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:ecs-medic-alerts';
  process.env.ECS_MEDIC_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/111111111111/ecs-medic-notify-dlq';
  delete process.env.ECS_MEDIC_SLACK_SECRET_ARN;
});

const { handler } = await import('../../functions/notify/handler');

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const context = { functionName: 'ecs-medic-notify', awsRequestId: 'req-1' } as Context;
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
    expect(result).toEqual({ status: 'notified', delivered: ['sns'], failed: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(secrets).not.toHaveReceivedAnyCommand();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('throws when SNS, its only channel, fails', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler(incidentEvent(await exampleIncident('log-group-missing')), context)).rejects.toThrow(/\(sns failed\): retrying/);
  });
});
