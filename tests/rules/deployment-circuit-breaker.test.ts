import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/deployment-circuit-breaker';
import { awsSample, serviceActionEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const DEPLOYMENT_EVENTS_SOURCE = 'ECS Developer Guide, service deployment state change events (tests/fixtures/aws-samples, ../shared/reference/ecs-events.md §5)';
const SERVICE_EVENTS_SOURCE = 'ECS Developer Guide, service event messages (../shared/reference/ecs-events.md §7)';
const COPILOT_SOURCE = 'https://github.com/aws/copilot-cli/blob/mainline/internal/pkg/stream/ecs_test.go (service events as ECS words them)';
const BREAKER_REASON = 'ECS deployment circuit breaker: task failed to start.';

ruleTester(rule, {
  invalid: [
    { name: 'SERVICE_DEPLOYMENT_FAILED deployment event', event: awsSample('deployment-service-deployment-failed'), source: DEPLOYMENT_EVENTS_SOURCE, cause: 'tasks-failed-to-start', fixIncludes: ['--cluster default --services servicetest'] },
    { name: 'the rollback that follows it', event: awsSample('deployment-service-deployment-in-progress-rollback'), source: DEPLOYMENT_EVENTS_SOURCE, cause: 'rolled-back' },
    {
      name: 'SERVICE_DEPLOYMENT_FAILED as a Service Action event (no reason)',
      event: serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED' }),
      source: 'ECS Developer Guide, service action events: SERVICE_DEPLOYMENT_FAILED (../shared/reference/ecs-events.md §4.2)',
      cause: 'tasks-failed-to-start',
    },
    { name: 'the circuit breaker reason pasted', text: BREAKER_REASON, source: DEPLOYMENT_EVENTS_SOURCE, cause: 'tasks-failed-to-start' },
    { name: 'lower-cased', text: BREAKER_REASON.toLowerCase(), source: DEPLOYMENT_EVENTS_SOURCE, cause: 'tasks-failed-to-start' },
    {
      name: 'the service event',
      text: 'service (service-name) deployment failed: tasks failed to start.',
      source: SERVICE_EVENTS_SOURCE,
      cause: 'tasks-failed-to-start',
    },
    {
      name: 'the alarm-triggered service event',
      text: '(service my-svc) deployment ecs-svc/0205655736282798388 deployment failed: alarm detected.',
      source: COPILOT_SOURCE,
      cause: 'alarm',
      fixIncludes: ['--services my-svc', '--started-by ecs-svc/0205655736282798388'],
    },
    {
      name: 'the rollback service event (names the deployment it returns to, not the failed one)',
      text: '(service my-svc) rolling back to deployment ecs-svc/9086637243870003494.',
      source: COPILOT_SOURCE,
      cause: 'rolled-back',
      fixIncludes: ['--started-by <failed-deployment-id>'],
    },
    {
      name: "CloudFormation's wording",
      text: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.",
      source: 'https://github.com/aws-cloudformation/rain/issues/458',
      cause: 'tasks-failed-to-start',
    },
  ],
  valid: [
    { name: 'SERVICE_DEPLOYMENT_COMPLETED', event: awsSample('deployment-service-deployment-completed'), source: DEPLOYMENT_EVENTS_SOURCE },
    { name: 'a plain SERVICE_DEPLOYMENT_IN_PROGRESS', event: awsSample('deployment-service-deployment-in-progress'), source: DEPLOYMENT_EVENTS_SOURCE },
    { name: 'the completed reason pasted', text: 'ECS deployment deploymentID completed.', source: DEPLOYMENT_EVENTS_SOURCE },
    {
      name: 'the min/max deadlock (minimum-healthy-percent)',
      text: 'service (service-name) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.',
      source: SERVICE_EVENTS_SOURCE,
    },
    { name: 'a deployment replacing tasks', text: 'Scaling activity initiated by (deployment deployment-id)', source: 'ECS Developer Guide, stopped task errors (../shared/reference/ecs-events.md §8.1)' },
    { name: 'SERVICE_STEADY_STATE', event: awsSample('service-action-service-steady-state'), source: 'ECS Developer Guide, service action events (tests/fixtures/aws-samples)' },
  ],
});

// The deployment sample: service default/servicetest, failed deployment ecs-svc/123.
const cluster = 'default';
const failedArns = ['1', '2', '3'].map((id) => `arn:aws:ecs:us-west-2:111122223333:task/${cluster}/${id}`);

function snapshot(options: { rollback?: boolean; denied?: boolean; alarms?: string[] } = {}): Snapshot {
  const rollback = options.rollback ?? true;
  const alarms = options.alarms ? { alarms: { alarmNames: options.alarms, enable: true, rollback: true } } : {};
  const describeServices = options.denied
    ? { input: { cluster, services: ['servicetest'] }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeServices' } }
    : {
        input: { cluster, services: ['servicetest'] },
        output: {
          services: [
            {
              serviceName: 'servicetest',
              desiredCount: 2,
              runningCount: 2,
              deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback }, ...alarms },
              deployments: [
                ...(rollback
                  ? [{ id: 'ecs-svc/456', status: 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:6', desiredCount: 2, runningCount: 2, failedTasks: 0, rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/456.' }]
                  : []),
                { id: 'ecs-svc/123', status: rollback ? 'ACTIVE' : 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:7', desiredCount: 2, runningCount: 0, failedTasks: 3, rolloutState: 'FAILED', rolloutStateReason: BREAKER_REASON },
              ],
              events: [{ id: 'e1', createdAt: '2020-05-23T11:11:10Z', message: '(service servicetest) (deployment ecs-svc/123) deployment failed: tasks failed to start.' }],
            },
          ],
          failures: [],
        },
      };
  return {
    'ecs:DescribeServices': [describeServices],
    'ecs:ListTasks': [{ input: { cluster, startedBy: 'ecs-svc/123', desiredStatus: 'STOPPED' }, output: { taskArns: failedArns } }],
    'ecs:DescribeTasks': [
      {
        input: { cluster, tasks: failedArns },
        output: {
          tasks: failedArns.map((taskArn) => ({
            taskArn,
            lastStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            containers: [{ name: 'web', exitCode: 1, lastStatus: 'STOPPED' }],
          })),
          failures: [],
        },
      },
    ],
  };
}

async function finding(event: unknown, snap: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snap));
  return result.status === 'diagnosed' ? result.findings.find((f) => f.rule === 'deployment-circuit-breaker') : undefined;
}

describe('deployment-circuit-breaker investigation', () => {
  it("quotes why the failed deployment's tasks stopped and what ECS rolls back to", async () => {
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot());
    expect(found?.explanation).toContain('Deployment ecs-svc/123 (arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:7) of service servicetest failed.');
    expect(found?.explanation).toContain('"Essential container in task exited; web: exit code 1" (3 of 3 stopped tasks)');
    expect(found?.explanation).toContain('ECS rolls back to ecs-svc/456');
    expect(found?.fix).toContain("ecs-medic explain 'Essential container in task exited'");
    expect(found?.fix).not.toContain('deploymentCircuitBreaker=');
    expect(found?.evidence).toContainEqual({ source: 'ecs:DescribeTasks', observed: '3 of 3 stopped tasks: Essential container in task exited; web: exit code 1' });
    expect(found?.unchecked).toEqual([]);
  });

  it('the rollback event finds the failed deployment by its rollout state', async () => {
    const found = await finding(awsSample('deployment-service-deployment-in-progress-rollback'), snapshot());
    expect(found?.cause).toBe('rolled-back');
    expect(found?.severity).toBe('warning');
    expect(found?.explanation).toContain('ECS is rolling service servicetest back to ecs-svc/456 (arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:6): the release did not ship. Deployment ecs-svc/123');
  });

  it('without rollback, says the service is left as is and turns rollback on in the fix', async () => {
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot({ rollback: false }));
    expect(found?.explanation).toContain('Rollback is off');
    expect(found?.fix).toContain(
      'aws ecs update-service --cluster default --service servicetest --deployment-configuration "deploymentCircuitBreaker={enable=true,rollback=true}"',
    );
  });

  it('for an alarm, points at the alarms and says it cannot read their state', async () => {
    const event = awsSample('deployment-service-deployment-failed');
    (event.detail as Record<string, unknown>).reason = '(service servicetest) (deployment ecs-svc/123) deployment failed: alarm detected.';
    const found = await finding(event, snapshot({ alarms: ['servicetest-5xx'] }));
    expect(found?.cause).toBe('alarm');
    expect(found?.fix).toContain('aws cloudwatch describe-alarm-history --alarm-name servicetest-5xx --history-item-type StateUpdate');
    expect(found?.unchecked).toEqual([{ check: 'which deployment alarm is in ALARM', reason: 'cloudwatch:DescribeAlarms is not among the reader operations yet' }]);
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot({ denied: true }));
    expect(found?.cause).toBe('tasks-failed-to-start');
    expect(found?.fix).toContain('--started-by ecs-svc/123 --desired-status STOPPED');
    expect(found?.unchecked).toEqual([
      { check: "the service's deployments and latest events", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeServices' },
    ]);
  });
});
