import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../shared/events/parse';
import { apiCallEvent, awsSample, stoppedTaskEvent } from '../fixtures/events';

const sampleNames = readdirSync(new URL('../fixtures/aws-samples/', import.meta.url))
  .map((f) => f.replace(/\.json$/, ''))
  .filter((name) => name !== 'cloudtrail-record-create-cluster');

describe('parseEvent', () => {
  it.each(sampleNames)('accepts the AWS sample %s', (name) => {
    expect(parseEvent(awsSample(name)).status).toBe('valid');
  });

  it('accepts a CloudTrail ECS call in its EventBridge envelope, including a failed one', () => {
    const failed = apiCallEvent({
      eventName: 'RegisterTaskDefinition',
      errorCode: 'ClientException',
      errorMessage: "Invalid 'cpu' setting for task.",
    });
    expect(parseEvent(failed).status).toBe('valid');
  });

  it('accepts the Fargate Spot sample, which has no time or region', () => {
    const spot = {
      version: '0',
      id: '9bcdac79-b31f-4d3d-9410-fbd727c29fab',
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '111122223333',
      resources: ['arn:aws:ecs:us-east-1:111122223333:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef'],
      detail: {
        clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/default',
        createdAt: '2016-12-06T16:41:05.702Z',
        desiredStatus: 'STOPPED',
        lastStatus: 'RUNNING',
        stoppedReason: 'Your Spot Task was interrupted.',
        stopCode: 'TerminationNotice',
        taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/b99d40b3-5176-4f71-9a52-9dbd6fEXAMPLE',
      },
    };
    expect(parseEvent(spot).status).toBe('valid');
  });

  it('tolerates fields AWS adds later', () => {
    const event = stoppedTaskEvent({ stoppedReason: 'Task stopped by user' });
    (event.detail as Record<string, unknown>).someFutureField = { nested: [1, 2] };
    event.anotherNewEnvelopeField = true;
    expect(parseEvent(event).status).toBe('valid');
  });

  it('reports a detail-type it does not diagnose as unsupported, not invalid', () => {
    const daemon = { ...awsSample('service-action-service-task-start-impaired'), 'detail-type': 'ECS Daemon Service Action' };
    expect(parseEvent(daemon)).toEqual({
      status: 'unsupported',
      detailType: 'ECS Daemon Service Action',
      id: '57c9506e-9d21-294c-d2fe-e8738da7e67d',
    });
  });

  it.each([
    ['a string', '"hello"', '(event)', 'should be object, is string'],
    ['null', 'null', '(event)', 'should be object, is null'],
    ['an array', '[]', '(event)', 'should be object, is array'],
  ])('names the problem when the event is %s', (_label, json, field, problem) => {
    expect(parseEvent(JSON.parse(json))).toMatchObject({ status: 'invalid', field, problem });
  });

  it('names a missing required field by its path', () => {
    const event = stoppedTaskEvent({ stoppedReason: 'x' });
    delete (event.detail as Record<string, unknown>).taskArn;
    expect(parseEvent(event)).toEqual({
      status: 'invalid',
      field: 'detail.taskArn',
      problem: 'is missing',
      message: 'invalid event: detail.taskArn is missing',
    });
  });

  it('names a wrongly typed field inside an array', () => {
    const event = stoppedTaskEvent({ stoppedReason: 'Essential container in task exited' });
    const containers = (event.detail as { containers: Record<string, unknown>[] }).containers;
    (containers[1] as Record<string, unknown>).exitCode = '137';
    expect(parseEvent(event)).toMatchObject({ field: 'detail.containers[1].exitCode', problem: 'should be number, is string' });
  });

  it('rejects a service event without the service ARN in resources', () => {
    const event = { ...awsSample('service-action-service-steady-state'), resources: [] };
    expect(parseEvent(event)).toMatchObject({ status: 'invalid', field: 'resources[0]' });
  });

  it('rejects events from other sources', () => {
    const event = { ...awsSample('service-action-service-steady-state'), source: 'aws.ec2' };
    expect(parseEvent(event)).toMatchObject({ status: 'invalid', field: 'source' });
  });

  it('rejects a missing detail', () => {
    const event = awsSample('deployment-service-deployment-failed');
    delete event.detail;
    expect(parseEvent(event)).toMatchObject({ status: 'invalid', field: 'detail', problem: 'is missing' });
  });
});
