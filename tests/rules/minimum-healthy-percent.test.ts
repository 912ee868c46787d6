import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/minimum-healthy-percent';
import { deploymentRoom } from '../../shared/rules/minimum-healthy-percent/detect';
import { apiCallEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const DEADLOCK =
  'service (service-name) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.';
const DEADLOCK_SOURCE = 'ECS Developer Guide, service event messages (../shared/reference/ecs-events.md §7)';
// The call records are the ECS doc's CloudTrail sample with the request of the API reference's UpdateService/CreateService.
const CALL_SOURCE =
  'CloudTrail record: ECS Developer Guide, logging-using-cloudtrail (tests/fixtures/aws-samples); request fields: ECS API reference CreateService/UpdateService (serviceName vs service: ../shared/reference/ecs-events.md §6)';

function updateService(deploymentConfiguration: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  return apiCallEvent({
    eventName: 'UpdateService',
    requestParameters: { cluster: 'default', service: 'servicetest', ...(deploymentConfiguration ? { deploymentConfiguration } : {}), ...extra },
  });
}

function createService(request: Record<string, unknown>) {
  return apiCallEvent({ eventName: 'CreateService', requestParameters: { cluster: 'production', serviceName: 'api-service', taskDefinition: 'api-service:1', ...request } });
}

ruleTester(rule, {
  invalid: [
    { name: 'the deadlock service event', text: DEADLOCK, source: DEADLOCK_SOURCE, cause: 'deployment-deadlock', fixIncludes: ['minimumHealthyPercent=100,maximumPercent=200'] },
    { name: 'upper-cased by a log pipeline', text: DEADLOCK.toUpperCase(), source: DEADLOCK_SOURCE, cause: 'deployment-deadlock' },
    { name: 'cut short by a console column', text: DEADLOCK.slice(0, 90), source: DEADLOCK_SOURCE, cause: 'deployment-deadlock' },
    {
      name: 'UpdateService setting minimumHealthyPercent 0',
      event: updateService({ minimumHealthyPercent: 0, maximumPercent: 100 }),
      source: CALL_SOURCE,
      cause: 'zero-capacity',
      fixIncludes: ['--cluster default --service servicetest --deployment-configuration minimumHealthyPercent=100,maximumPercent=200'],
      explanationIncludes: ['zero capacity'],
    },
    {
      name: 'UpdateService naming the service by ARN',
      event: apiCallEvent({
        eventName: 'UpdateService',
        requestParameters: {
          cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
          service: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
          deploymentConfiguration: { minimumHealthyPercent: 0 },
        },
      }),
      source: CALL_SOURCE,
      cause: 'zero-capacity',
      fixIncludes: ['--cluster prod --service web'],
    },
    {
      name: 'CreateService with 100/100 (no room to stop or start)',
      event: createService({ desiredCount: 1, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 } }),
      source: CALL_SOURCE,
      cause: 'deployment-deadlock',
      fixIncludes: ['--cluster production --service api-service'],
    },
    {
      name: "CreateService with the doc's example: minimum 75% of 2 cannot stop a task, maximum 100% cannot start one",
      event: createService({ desiredCount: 2, deploymentConfiguration: { minimumHealthyPercent: 75, maximumPercent: 100 } }),
      source: `${CALL_SOURCE}; rounding: ${DEADLOCK_SOURCE}`,
      cause: 'deployment-deadlock',
      fixIncludes: ['minimumHealthyPercent=50,maximumPercent=100'],
    },
  ],
  valid: [
    { name: 'UpdateService with the safe 100/200', event: updateService({ minimumHealthyPercent: 100, maximumPercent: 200 }), source: CALL_SOURCE },
    { name: 'UpdateService with the cost-constrained 50/200', event: updateService({ minimumHealthyPercent: 50, maximumPercent: 200 }), source: CALL_SOURCE },
    { name: 'UpdateService that only scales', event: updateService(undefined, { desiredCount: 3 }), source: CALL_SOURCE },
    {
      name: 'a refused UpdateService changed nothing',
      event: apiCallEvent({
        eventName: 'UpdateService',
        requestParameters: { cluster: 'default', service: 'servicetest', deploymentConfiguration: { minimumHealthyPercent: 0 } },
        errorCode: 'AccessDenied',
      }),
      source: CALL_SOURCE,
    },
    {
      name: 'a DAEMON service, for which 0% is the default',
      event: createService({ schedulingStrategy: 'DAEMON', deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } }),
      source: `${CALL_SOURCE}; DAEMON defaults: ECS API reference DeploymentConfiguration`,
    },
    {
      name: 'minimum 75% of 2 with room to start new tasks first',
      event: createService({ desiredCount: 2, deploymentConfiguration: { minimumHealthyPercent: 75, maximumPercent: 200 } }),
      source: CALL_SOURCE,
    },
    { name: 'CreateCluster, the sample call itself', event: apiCallEvent({ eventName: 'CreateCluster', requestParameters: { clusterName: 'default' } }), source: CALL_SOURCE },
    {
      name: 'a placement failure',
      text: 'service (service-name) was unable to place a task because no container instance met all of its requirements.',
      source: DEADLOCK_SOURCE,
    },
    { name: 'a failed deployment (the circuit breaker rule)', text: 'service (service-name) deployment failed: tasks failed to start.', source: DEADLOCK_SOURCE },
  ],
});

describe('deployment room (ECS rounds the minimum up, the maximum down)', () => {
  it("matches the ECS doc's worked examples", () => {
    expect(deploymentRoom(2, 75, 200).canStop).toBe(false);
    expect(deploymentRoom(3, 100, 125).canStart).toBe(false);
    expect(deploymentRoom(4, 50, 100)).toEqual({ canStop: true, canStart: false });
  });
});

function described(service: Record<string, unknown>): Snapshot {
  return {
    'ecs:DescribeServices': [
      {
        input: { cluster: 'default', services: ['servicetest'] },
        output: { services: [{ serviceName: 'servicetest', clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/default', ...service }], failures: [] },
      },
    ],
  };
}

async function finding(event: unknown, snapshot: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snapshot));
  return result.status === 'diagnosed' ? result.findings.find((f) => f.rule === 'minimum-healthy-percent') : undefined;
}

describe('minimum-healthy-percent investigation', () => {
  const zeroCall = updateService({ minimumHealthyPercent: 0, maximumPercent: 100 });

  it('a single-task Fargate service without rollback: every deploy is an outage, and the fix turns rollback on', async () => {
    const found = await finding(
      zeroCall,
      described({
        desiredCount: 1,
        runningCount: 1,
        launchType: 'FARGATE',
        deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } },
      }),
    );
    expect(found?.severity).toBe('critical');
    expect(found?.explanation).toContain('runs a single task (desiredCount 1), so every deployment is an outage');
    expect(found?.explanation.match(/every deployment is an outage/g)).toHaveLength(1);
    expect(found?.explanation).toContain('until someone rolls back by hand');
    expect(found?.fix).toContain(
      'aws ecs update-service --cluster default --service servicetest --deployment-configuration "deploymentCircuitBreaker={enable=true,rollback=true},minimumHealthyPercent=100,maximumPercent=200"',
    );
    // With one task there is no cost-constrained middle ground: 50% of 1 rounds up to 1.
    expect(found?.fix).not.toContain('maximumPercent=100 keeps');
    expect(found?.evidence).toContainEqual({
      source: 'ecs:DescribeServices',
      observed: 'desiredCount 1 (1 running); minimumHealthyPercent 0, maximumPercent 100; circuit breaker off; deployment alarms off; launch FARGATE',
    });
    expect(found?.unchecked).toEqual([]);
  });

  it('says when the service has been changed since the call', async () => {
    const found = await finding(zeroCall, described({ desiredCount: 3, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } }));
    expect(found?.severity).toBe('info');
    expect(found?.explanation).toContain('it has been changed since');
  });

  it('spells out the deadlock with the real counts', async () => {
    const call = updateService({ minimumHealthyPercent: 75, maximumPercent: 100 }, { desiredCount: 2 });
    const found = await finding(call, described({ desiredCount: 2, deploymentConfiguration: { minimumHealthyPercent: 75, maximumPercent: 100 } }));
    expect(found?.cause).toBe('deployment-deadlock');
    expect(found?.explanation).toContain('with 2 desired tasks, minimumHealthyPercent 75 keeps at least 2 running (so ECS cannot stop one first)');
    expect(found?.explanation).toContain('maximumPercent 100 allows at most 2 (so ECS cannot start one first)');
    expect(found?.fix).toContain('minimumHealthyPercent=50,maximumPercent=100 keeps 1 of 2 tasks serving');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const found = await finding(zeroCall, {
      'ecs:DescribeServices': [
        { input: { cluster: 'default', services: ['servicetest'] }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeServices' } },
      ],
    });
    expect(found?.cause).toBe('zero-capacity');
    expect(found?.fix).toContain('--service servicetest --deployment-configuration minimumHealthyPercent=100,maximumPercent=200');
    expect(found?.unchecked).toEqual([
      { check: "the service's desired count and deployment configuration", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeServices' },
    ]);
  });
});
