import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { fingerprint } from '../../shared/incidents/fingerprint';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/deployment-circuit-breaker';
import { awsSample, serviceActionEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';
import { countingReader } from '../support/counting-reader';

const DEPLOYMENT_EVENTS_SOURCE = 'ECS Developer Guide, service deployment state change events (tests/fixtures/aws-samples, ../shared/reference/ecs-events.md §5)';
const SERVICE_EVENTS_SOURCE = 'ECS Developer Guide, service event messages (../shared/reference/ecs-events.md §7)';
const COPILOT_SOURCE = 'https://github.com/aws/copilot-cli/blob/mainline/internal/pkg/stream/ecs_test.go (service events as ECS words them)';
const BREAKER_REASON = 'ECS deployment circuit breaker: task failed to start.';

ruleTester(rule, {
  invalid: [
    { name: 'SERVICE_DEPLOYMENT_FAILED deployment event', event: awsSample('deployment-service-deployment-failed'), source: DEPLOYMENT_EVENTS_SOURCE, cause: 'tasks-failed-to-start', fixIncludes: ['--cluster default --services servicetest'] },
    // The same cause as the failure it follows: one failed deployment is one incident.
    { name: 'the rollback that follows it', event: awsSample('deployment-service-deployment-in-progress-rollback'), source: DEPLOYMENT_EVENTS_SOURCE, cause: 'tasks-failed-to-start' },
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
      fixIncludes: ['--services my-svc', '--service-name my-svc --desired-status STOPPED', 'the tasks started by ecs-svc/0205655736282798388'],
    },
    {
      name: 'the rollback service event (names the deployment it returns to, not the failed one)',
      text: '(service my-svc) rolling back to deployment ecs-svc/9086637243870003494.',
      source: COPILOT_SOURCE,
      cause: 'tasks-failed-to-start',
      fixIncludes: ['the tasks started by <failed-deployment-id>'],
      explanationIncludes: ['rolling the service back to deployment ecs-svc/9086637243870003494, its last completed deployment,'],
    },
    {
      name: 'the alarm-triggered failure followed by its rollback, as DescribeServices lists the events',
      text: '(service fraud-api-prod) rolling back to deployment ecs-svc/3225.\n(service fraud-api-prod) (deployment ecs-svc/8028) deployment failed: alarm detected.',
      source: 'ECS service events as a public post-mortem quotes them (ECS Developer Guide wording, ../shared/reference/ecs-events.md §7)',
      cause: 'alarm',
      fixIncludes: ['the tasks started by ecs-svc/8028'],
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


// The deployment sample: service default/servicetest, failed deployment ecs-svc/123 (revision 7), rolled back to
// ecs-svc/456 (revision 6), whose rolloutStateReason names its own id, as DescribeServices shows a rollback.
const cluster = 'default';
const SERVICE_STOPPED_TASKS = { cluster, serviceName: 'servicetest', desiredStatus: 'STOPPED' };
const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';
const ROLLBACK_REASON = 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/456.';
const taskArn = (id: string) => `arn:aws:ecs:us-west-2:111122223333:task/${cluster}/${id}`;

interface StoppedTask {
  id: string;
  startedBy: string;
  stoppedReason: string;
  container?: { reason?: string; exitCode?: number };
}

/** Three tasks of the failed deployment: the essential container was OOM-killed (exit 137). */
const oomKilled: StoppedTask[] = ['1', '2', '3'].map((id) => ({
  id,
  startedBy: 'ecs-svc/123',
  stoppedReason: 'Essential container in task exited',
  container: { reason: OOM_REASON, exitCode: 137 },
}));

function snapshot(options: { rollback?: boolean; denied?: boolean; alarms?: string[]; tasks?: StoppedTask[] } = {}): Snapshot {
  const rollback = options.rollback ?? true;
  const tasks = options.tasks ?? oomKilled;
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
                  ? [{ id: 'ecs-svc/456', status: 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:6', desiredCount: 2, runningCount: 2, failedTasks: 0, rolloutState: 'IN_PROGRESS', rolloutStateReason: ROLLBACK_REASON }]
                  : []),
                { id: 'ecs-svc/123', status: rollback ? 'ACTIVE' : 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:7', desiredCount: 2, runningCount: 0, failedTasks: 3, rolloutState: 'FAILED', rolloutStateReason: BREAKER_REASON },
              ],
              events: [{ id: 'e1', createdAt: '2020-05-23T11:11:10Z', message: '(service servicetest) (deployment ecs-svc/123) deployment failed: tasks failed to start.' }],
            },
          ],
          failures: [],
        },
      };
  const arns = tasks.map((t) => taskArn(t.id));
  return {
    'ecs:DescribeServices': [describeServices],
    'ecs:ListTasks': [{ input: SERVICE_STOPPED_TASKS, output: { taskArns: arns } }],
    'ecs:DescribeTasks': [
      {
        input: { cluster, tasks: arns },
        output: {
          tasks: tasks.map((t) => ({
            taskArn: taskArn(t.id),
            taskDefinitionArn: `arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:${t.startedBy === 'ecs-svc/123' ? 7 : 6}`,
            group: 'service:servicetest',
            startedBy: t.startedBy,
            lastStatus: 'STOPPED',
            stoppedReason: t.stoppedReason,
            containers: [{ name: 'web', lastStatus: 'STOPPED', ...t.container }],
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

/** The rollback event, as AWS's sample shapes it, with its reason naming the deployment rolled back to. */
function rollbackEvent(deploymentId = 'ecs-svc/123'): Record<string, unknown> {
  const event = awsSample('deployment-service-deployment-in-progress-rollback');
  const detail = event.detail as Record<string, unknown>;
  detail.deploymentId = deploymentId;
  detail.reason = ROLLBACK_REASON;
  return { ...event, id: 'ddca6449-b258-46c0-8653-e0e3bEXAMPLE' };
}

describe('deployment-circuit-breaker investigation', () => {
  it('names the root cause from the failed tasks: the catalogue judges the stoppedReason and container reasons together', async () => {
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot());
    expect(found?.explanation).toContain('Deployment ecs-svc/123 (servicetest:7) of service servicetest failed: its circuit breaker counted too many tasks that failed to start or failed their health checks.');
    // "Essential container in task exited" alone is a catch-all; the container's reason names the cause.
    expect(found?.explanation).toContain('Root cause, from the stop reasons of 3 of 3 stopped tasks of that deployment: A container was killed for using more memory than its limit (container-oom-killed).');
    expect(found?.explanation).toContain("The kernel's OOM killer stopped the container");
    expect(found?.fix).toMatch(/^# the root cause \(container-oom-killed\):\nRaise the memory the container may use/);
    expect(found?.fix).not.toContain('ecs-medic explain');
    expect(found?.fix).toContain(
      '# then register a fixed revision (servicetest:7 failed) and deploy it; the family name deploys its latest revision:\naws ecs update-service --cluster default --service servicetest --task-definition servicetest',
    );
    expect(found?.fix).not.toContain('deploymentCircuitBreaker=');
    expect(found?.evidence).toContainEqual({ source: 'ecs:DescribeTasks', observed: `3 of 3 stopped tasks of ecs-svc/123: Essential container in task exited; web: ${OOM_REASON} (exit code 137)` });
    expect(found?.evidence).toContainEqual({
      source: 'ecs-medic',
      observed: 'root cause: container-oom-killed (A container was killed for using more memory than its limit), recognised in ecs:DescribeTasks containers[web].reason',
    });
    expect(found?.unchecked).toEqual([]);
  });

  it('reports the failed deployment and the one rolled back to, never one for the other', async () => {
    for (const event of [awsSample('deployment-service-deployment-failed'), rollbackEvent(), rollbackEvent('ecs-svc/456')]) {
      const found = await finding(event, snapshot());
      expect(found?.explanation).toContain('Deployment ecs-svc/123 (servicetest:7) of service servicetest failed');
      expect(found?.explanation).toContain('ECS is rolling the service back to deployment ecs-svc/456 (servicetest:6)');
      expect(found?.evidence).toContainEqual({ source: 'ecs-medic', observed: 'failed deployment ecs-svc/123; rolled back to ecs-svc/456' });
    }
  });

  it('the failure and its rollback are one incident: same cause, same fingerprint, critical', async () => {
    const failed = await finding(awsSample('deployment-service-deployment-failed'), snapshot());
    const rolledBack = await finding(rollbackEvent(), snapshot());
    expect(rolledBack?.cause).toBe('tasks-failed-to-start');
    expect(rolledBack?.severity).toBe('critical');
    expect(failed && rolledBack && fingerprint(rolledBack)).toBe(failed && fingerprint(failed));
  });

  it("keeps only the failed deployment's tasks, and the reason a rule recognises over tasks the rollback stopped", async () => {
    const scaledIn = (id: string, startedBy: string): StoppedTask => ({ id, startedBy, stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/456)' });
    const tasks = [scaledIn('a', 'ecs-svc/123'), scaledIn('b', 'ecs-svc/123'), scaledIn('c', 'ecs-svc/123'), oomKilled[0] as StoppedTask, scaledIn('d', 'ecs-svc/456')];
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot({ tasks }));
    expect(found?.explanation).toContain('from the stop reasons of 1 of 4 stopped tasks of that deployment: A container was killed');
    expect(found?.evidence).toContainEqual({ source: 'ecs:DescribeTasks', observed: '3 of 4 stopped tasks of ecs-svc/123: Scaling activity initiated by (deployment ecs-svc/456)' });
  });

  it('a reason no rule recognises is quoted, with the command that shows the full reasons', async () => {
    const tasks = oomKilled.map((t) => ({ ...t, stoppedReason: 'Task stopped by a gremlin', container: {} }));
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot({ tasks }));
    expect(found?.explanation).toContain('Its tasks stopped with: "Task stopped by a gremlin" (3 of 3 stopped tasks); no rule recognises that reason.');
    expect(found?.fix).toContain(
      "aws ecs describe-tasks --cluster default --tasks arn:aws:ecs:us-west-2:111122223333:task/default/1 --query 'tasks[].[stoppedReason,containers[].[name,reason,exitCode]]'",
    );
  });

  it('says so when no stopped task of the failed deployment is left', async () => {
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot({ tasks: [] }));
    expect(found?.evidence).toContainEqual({ source: 'ecs:ListTasks', observed: "no stopped task of deployment ecs-svc/123 is left among the service's 0 stopped tasks (ECS keeps stopped tasks about an hour)" });
    expect(found?.fix).toContain('aws ecs list-tasks --cluster default --service-name servicetest --desired-status STOPPED');
  });

  it('costs three reads: DescribeServices, one ListTasks of the service (startedBy must be the only filter), one DescribeTasks batch', async () => {
    const counting = countingReader(snapshotReader(snapshot()));
    const result = await diagnoseEvent(awsSample('deployment-service-deployment-failed'), counting.reader);
    expect(result.status).toBe('diagnosed');
    expect(counting.calls).toEqual(['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks']);
  });

  it('without rollback, says the service is left as is and turns rollback on in the fix', async () => {
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot({ rollback: false }));
    expect(found?.explanation).toContain('Rollback is off');
    expect(found?.fix).toContain(
      '# so the next failed deployment rolls back by itself:\naws ecs update-service --cluster default --service servicetest --deployment-configuration "deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=100"',
    );
  });

  it('for an alarm, points at the alarms and says it cannot read their state', async () => {
    const event = awsSample('deployment-service-deployment-failed');
    (event.detail as Record<string, unknown>).reason = '(service servicetest) (deployment ecs-svc/123) deployment failed: alarm detected.';
    const found = await finding(event, snapshot({ alarms: ['servicetest-5xx'], tasks: [] }));
    expect(found?.cause).toBe('alarm');
    expect(found?.explanation).toContain('Deployment ecs-svc/123 (servicetest:7) of service servicetest failed: a deployment alarm went into ALARM.');
    expect(found?.fix).toContain('# what the new revision made worse:\naws cloudwatch describe-alarm-history --alarm-name servicetest-5xx --history-item-type StateUpdate');
    expect(found?.unchecked).toEqual([{ check: 'which deployment alarm is in ALARM', reason: 'cloudwatch:DescribeAlarms is not among the reader operations yet' }]);
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const found = await finding(awsSample('deployment-service-deployment-failed'), snapshot({ denied: true }));
    expect(found?.cause).toBe('tasks-failed-to-start');
    expect(found?.fix).toContain('aws ecs list-tasks --cluster default --service-name servicetest --desired-status STOPPED');
    expect(found?.fix).toContain('# the tasks started by ecs-svc/123 say why it failed');
    expect(found?.unchecked).toEqual([
      { check: "the service's deployments and latest events", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeServices' },
    ]);
  });
});
