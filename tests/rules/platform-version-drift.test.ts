import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { snapshotReader, type Snapshot } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/platform-version-drift';
import { apiCallEvent, awsSample } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const SAMPLE_2025 = 'ECS Developer Guide, task state change sample 2025 (tests/fixtures/aws-samples/task-running-fargate-2025.json)';
const SAMPLE_2020 = 'ECS Developer Guide, Fargate task state change sample 2020 (tests/fixtures/aws-samples/task-running-fargate-2020.json), platformVersion 1.3.0';
const API_SHAPE = 'ECS CloudTrail sample (tests/fixtures/events.ts apiCallEvent); request fields from the CreateService/UpdateService/RunTask API reference';

/** The 2025 RUNNING sample as a task of service webserver, on another platform version. */
function runningTask(change: { platformVersion?: string; lastStatus?: string; platformFamily?: string } = {}) {
  const event = awsSample('task-running-fargate-2025');
  const detail = event.detail as Record<string, unknown>;
  detail.group = 'service:webserver';
  Object.assign(detail, change);
  return event;
}

const createService = (extra: Record<string, unknown>) =>
  apiCallEvent({
    eventName: 'CreateService',
    requestParameters: { cluster: 'default', serviceName: 'api-service', taskDefinition: 'api-service:3', desiredCount: 2, ...extra },
  });

ruleTester(rule, {
  invalid: [
    { name: 'CreateService on Fargate without a platform version', event: createService({ launchType: 'FARGATE' }), source: API_SHAPE, cause: 'unpinned', explanationIncludes: ['Security Hub ECS.10'] },
    {
      name: 'RunTask asking for LATEST through a Fargate Spot strategy',
      event: apiCallEvent({
        eventName: 'RunTask',
        requestParameters: { cluster: 'default', taskDefinition: 'nightly-job:7', count: 1, platformVersion: 'LATEST', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
      }),
      source: API_SHAPE,
      cause: 'unpinned',
    },
    {
      name: 'UpdateService pinning 1.3.0',
      event: apiCallEvent({ eventName: 'UpdateService', requestParameters: { cluster: 'default', service: 'api-service', platformVersion: '1.3.0', forceNewDeployment: true, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] } }),
      source: API_SHAPE,
      cause: 'behind-latest',
      fixIncludes: ['aws ecs update-service --cluster default --service api-service --platform-version 1.4.0 --force-new-deployment'],
      explanationIncludes: ['ECS Exec'],
    },
    { name: 'a RUNNING service task on 1.3.0', event: runningTask({ platformVersion: '1.3.0' }), source: `${SAMPLE_2025}, platformVersion as in the 2020 sample`, cause: 'behind-latest' },
    { name: "the 2020 sample's standalone task on 1.3.0", event: awsSample('task-running-fargate-2020'), source: SAMPLE_2020, cause: 'behind-latest', fixIncludes: ['--platform-version 1.4.0'] },
  ],
  valid: [
    { name: 'a RUNNING task on the current version', event: runningTask(), source: SAMPLE_2025 },
    { name: 'a task still PENDING (claimed once, when RUNNING)', event: runningTask({ platformVersion: '1.3.0', lastStatus: 'PENDING' }), source: SAMPLE_2025 },
    { name: 'a Windows task on the current Windows version', event: runningTask({ platformVersion: '1.0.0', platformFamily: 'WINDOWS_SERVER_2019_CORE' }), source: `${SAMPLE_2025}; Windows platform 1.0.0 per platform-fargate.html` },
    { name: 'CreateService pinned to the current version', event: createService({ launchType: 'FARGATE', platformVersion: '1.4.0' }), source: API_SHAPE },
    { name: 'CreateService on EC2', event: createService({ launchType: 'EC2' }), source: API_SHAPE },
    {
      name: 'UpdateService that does not touch the platform',
      event: apiCallEvent({ eventName: 'UpdateService', requestParameters: { cluster: 'default', service: 'api-service', desiredCount: 4 } }),
      source: API_SHAPE,
    },
    {
      name: 'a failed CreateService',
      event: apiCallEvent({
        eventName: 'CreateService',
        requestParameters: { cluster: 'default', serviceName: 'api-service', taskDefinition: 'api-service:3', launchType: 'FARGATE' },
        errorCode: 'ClusterNotFoundException',
      }),
      source: `${API_SHAPE}; ClusterNotFoundException is a documented CreateService error`,
    },
  ],
});

const cluster = 'example-cluster';
const taskArn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/example-cluster/${id}`;

async function finding(event: unknown, snapshot: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snapshot));
  return result.status === 'diagnosed' ? result.findings.find((f) => f.rule === 'platform-version-drift') : undefined;
}

describe('platform-version-drift investigation', () => {
  const service = (platformVersion: string) => ({
    input: { cluster, services: ['webserver'] },
    output: { services: [{ serviceName: 'webserver', launchType: 'FARGATE', platformVersion, platformFamily: 'Linux' }], failures: [] },
  });
  const list = (ids: string[]) => ({ input: { cluster, serviceName: 'webserver' }, output: { taskArns: ids.map(taskArn) } });
  const tasks = (versions: Record<string, string>) => ({
    input: { cluster, tasks: Object.keys(versions).map(taskArn) },
    output: { tasks: Object.entries(versions).map(([id, platformVersion]) => ({ taskArn: taskArn(id), platformVersion, platformFamily: 'Linux', lastStatus: 'RUNNING' })), failures: [] },
  });

  it('finds one service running two platform versions', async () => {
    const result = await finding(runningTask({ platformVersion: '1.3.0' }), {
      'ecs:DescribeServices': [service('LATEST')],
      'ecs:ListTasks': [list(['a1173316d40a45dea9', 'b2284427e51b56efb0'])],
      'ecs:DescribeTasks': [tasks({ a1173316d40a45dea9: '1.3.0', b2284427e51b56efb0: '1.4.0' })],
    });
    expect(result?.cause).toBe('mixed-versions');
    expect(result?.severity).toBe('warning');
    expect(result?.explanation).toContain('1 on 1.3.0, 1 on 1.4.0');
    expect(result?.fix).toBe('aws ecs update-service --cluster example-cluster --service webserver --platform-version 1.4.0 --force-new-deployment');
    expect(result?.unchecked).toEqual([]);
  });

  it('keeps behind-latest and names the pin when every task agrees', async () => {
    const result = await finding(runningTask({ platformVersion: '1.3.0' }), {
      'ecs:DescribeServices': [service('1.3.0')],
      'ecs:ListTasks': [list(['a1173316d40a45dea9'])],
      'ecs:DescribeTasks': [tasks({ a1173316d40a45dea9: '1.3.0' })],
    });
    expect(result?.cause).toBe('behind-latest');
    expect(result?.explanation).toContain('The service pins 1.3.0');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const denied = { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:ListTasks' };
    const result = await finding(runningTask({ platformVersion: '1.3.0' }), {
      'ecs:DescribeServices': [service('LATEST')],
      'ecs:ListTasks': [{ input: { cluster, serviceName: 'webserver' }, error: denied }],
    });
    expect(result?.cause).toBe('behind-latest');
    expect(result?.unchecked).toEqual([{ check: 'the running tasks of service webserver', reason: `AccessDeniedException: ${denied.message}` }]);
  });
});
