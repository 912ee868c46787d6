import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../cli/scenarios';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/health-check-grace-period';
import { recommendGrace } from '../../shared/rules/health-check-grace-period/start-up';
import { stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';
import { countingReader } from '../support/counting-reader';

// Texts quoted verbatim; each case names its source.
const ELB_ARN_FORM =
  'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/demo-Targe-1GXHAH9WXSU9V/8e6d68f88cd88d12).';
const ELB_ARN_SOURCE = 'boltops-tools/ufo docs, "Failed ELB Health Checks Post Deployment" (stopped task Notes: "Task Stopped Reason: …")';
const ELB_CLASSIC_FORM = 'Task failed ELB health checks in (elb elb-name)';
const ELB_CLASSIC_SOURCE = 'awsdocs/amazon-ecs-developer-guide doc_source/stopped-task-errors-classic-console.md (../shared/reference/ecs-events.md §8.1)';
const CONTAINER_FORM = 'Task failed container health checks';
const CONTAINER_SOURCE = '../shared/reference/ecs-events.md §8.1 (observed in public code; re:Post "Why is my Amazon ECS task stopped?" heading "Failed container health checks")';
const TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/demo-Targe-1GXHAH9WXSU9V/8e6d68f88cd88d12';

ruleTester(rule, {
  invalid: [
    { name: 'stoppedReason naming the target group', text: ELB_ARN_FORM, source: ELB_ARN_SOURCE, cause: 'elb-health-check', fixIncludes: ['--health-check-grace-period-seconds', TARGET_GROUP] },
    { name: 'classic load balancer wording', text: ELB_CLASSIC_FORM, source: ELB_CLASSIC_SOURCE, cause: 'elb-health-check' },
    {
      name: 'truncated, as a deploy tool prints it',
      text: 'Task Stopped Reason: Task failed ELB health checks in (target-group...)',
      source: 'https://github.com/boltops-tools/ufo/pull/171',
      cause: 'elb-health-check',
    },
    { name: 'lower-cased by a log pipeline', text: ELB_ARN_FORM.toLowerCase(), source: ELB_ARN_SOURCE, cause: 'elb-health-check' },
    {
      name: 'service event, current form',
      text: '(service civictechjobs-fullstack-stage) (port 8000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-west-2:035866691871:targetgroup/civictechjobs-fullstack-stage/555a47e25c5a1850) due to (reason Health checks failed).',
      source: 'https://github.com/hackforla/CivicTechJobs/issues/436',
      cause: 'elb-health-check',
      fixIncludes: ['--service civictechjobs-fullstack-stage'],
    },
    {
      name: 'service event, older form without parentheses',
      text: 'service ldashtest (port 80) is unhealthy in target-group fargate-ldashtest due to (reason Health checks failed with these codes: [404]).',
      source: 'https://github.com/nathanpeck/nodejs-aws-workshop/issues/5',
      cause: 'elb-health-check',
      fixIncludes: ['--service ldashtest'],
    },
    {
      name: 'service event, classic load balancer threshold wording',
      text: 'service (service-name) (task task-id) (instance instance-id) is unhealthy in (elb elb-name) due to (reason Instance has failed at least the UnhealthyThreshold number of health checks consecutively.)',
      source: 'ECS Developer Guide, service event messages (../shared/reference/ecs-events.md §7)',
      cause: 'elb-health-check',
    },
    { name: 'container health check stoppedReason', text: CONTAINER_FORM, source: CONTAINER_SOURCE, cause: 'container-health-check', fixIncludes: ['startPeriod'] },
    {
      name: 'container health check service event',
      text: '(service AWS-Service) (task ff3e71a4-d7e5-428b-9232-2345657889) failed container health checks',
      source: 'https://aws.amazon.com/premiumsupport/knowledge-center/ecs-task-container-health-check-failures/',
      cause: 'container-health-check',
    },
    {
      name: 'stopped task event (stopCode ServiceSchedulerInitiated)',
      event: stoppedTaskEvent({ stoppedReason: ELB_ARN_FORM, stopCode: 'ServiceSchedulerInitiated', group: 'service:webserver' }),
      source: ELB_ARN_SOURCE,
      cause: 'elb-health-check',
      fixIncludes: ['--service webserver'],
      explanationIncludes: ['security group'],
    },
  ],
  valid: [
    {
      name: 'a scale-in or deployment stop carries the same stopCode but is not a failure',
      event: stoppedTaskEvent({ stoppedReason: 'Scaling activity initiated by (deployment deployment-id)', stopCode: 'ServiceSchedulerInitiated', group: 'service:webserver' }),
      source: 'awsdocs/amazon-ecs-developer-guide doc_source/stopped-task-errors-classic-console.md (../shared/reference/ecs-events.md §8.1)',
    },
    {
      name: 'a missing target group is not a failed health check',
      text: 'service (service-name) task set (taskSet-ID) (task task-id) is not healthy in target-group (targetGroup-ARN)) due to TARGET GROUP IS NOT FOUND.',
      source: 'ECS Developer Guide, service event messages (../shared/reference/ecs-events.md §7)',
    },
    {
      name: 'registering a target mentions the target group but is not a failure',
      text: '(service civictechjobs-fullstack-stage) registered 1 targets in (target-group arn:aws:elasticloadbalancing:us-west-2:035866691871:targetgroup/civictechjobs-fullstack-stage/555a47e25c5a1850)',
      source: 'https://github.com/hackforla/CivicTechJobs/issues/436',
    },
    {
      name: 'a classic ELB instance description outside ECS',
      text: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively',
      source: 'https://github.com/kelseyhightower/kubernetes-the-hard-way/issues/81',
    },
    { name: 'an essential container exiting', text: 'Essential container in task exited', source: 'ECS Developer Guide, stopped task errors (../shared/reference/ecs-events.md §8.1)' },
    {
      name: 'the never-RUNNING throttle message',
      text: 'service (service-name) is unable to consistently start tasks successfully.',
      source: 'ECS Developer Guide, service event messages (../shared/reference/ecs-events.md §7)',
    },
  ],
});

// The 2025 Fargate sample's task, stopped by a failed ELB check in a loop.
const cluster = 'example-cluster';
const taskDefinition = 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5';
const loopEvent = stoppedTaskEvent({ stoppedReason: ELB_ARN_FORM, stopCode: 'ServiceSchedulerInitiated', group: 'service:webserver' });
const stoppedArns = ['a', 'b', 'c', 'd'].map((id) => `arn:aws:ecs:us-east-1:123456789012:task/${cluster}/${id}`);

function serviceOutput(overrides: Record<string, unknown> = {}) {
  return {
    services: [
      {
        serviceName: 'webserver',
        clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`,
        desiredCount: 2,
        runningCount: 0,
        taskDefinition,
        loadBalancers: [{ targetGroupArn: TARGET_GROUP, containerName: 'web', containerPort: 80 }],
        events: [],
        ...overrides,
      },
    ],
    failures: [],
  };
}

function stoppedTask(arn: string, stoppedReason: string, startedAt: string, stoppingAt: string) {
  return { taskArn: arn, lastStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', stoppedReason, startedAt, stoppingAt };
}

/** Target health as DescribeTargetHealth returns it (State/Reason/Description from the ELBv2 API reference, TargetHealth). */
const draining = { Target: { Id: '10.0.1.163', Port: 80 }, HealthCheckPort: '80', TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' } };
const initial = { Target: { Id: '10.0.1.94', Port: 80 }, HealthCheckPort: '80', TargetHealth: { State: 'initial', Reason: 'Elb.InitialHealthChecking', Description: 'Initial health checks in progress' } };
const notFound = {
  Target: { Id: '10.0.1.94', Port: 80 },
  HealthCheckPort: '80',
  TargetHealth: { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [404]' },
};

function loopSnapshot(
  options: {
    service?: Record<string, unknown>;
    lifetimes?: number[];
    healthCheck?: Record<string, number>;
    reason?: string;
    targets?: object[];
    earlier?: { startedAt: string; stoppingAt: string };
  } = {},
): Snapshot {
  const lifetimes = options.lifetimes ?? [32, 35, 38];
  const tasks = lifetimes.map((seconds, i) =>
    stoppedTask(stoppedArns[i] as string, options.reason ?? ELB_ARN_FORM, '2025-05-06T11:00:00.000Z', new Date(Date.parse('2025-05-06T11:00:00.000Z') + seconds * 1000).toISOString()),
  );
  const earlier = options.earlier ?? { startedAt: '2025-05-06T09:00:00.000Z', stoppingAt: '2025-05-06T10:59:00.000Z' };
  tasks.push(stoppedTask(stoppedArns[3] as string, 'Scaling activity initiated by (deployment deployment-id)', earlier.startedAt, earlier.stoppingAt));
  return {
    'ecs:DescribeServices': [{ input: { cluster, services: ['webserver'] }, output: serviceOutput(options.service) }],
    'elasticloadbalancing:DescribeTargetGroups': [
      {
        input: { TargetGroupArns: [TARGET_GROUP] },
        output: {
          TargetGroups: [
            {
              TargetGroupArn: TARGET_GROUP,
              TargetGroupName: 'demo-Targe-1GXHAH9WXSU9V',
              HealthCheckProtocol: 'HTTP',
              HealthCheckPort: 'traffic-port',
              HealthCheckPath: '/health',
              HealthCheckIntervalSeconds: 10,
              HealthCheckTimeoutSeconds: 5,
              HealthyThresholdCount: 2,
              UnhealthyThresholdCount: 2,
            },
          ],
        },
      },
    ],
    'ecs:DescribeTaskDefinition': [
      {
        input: { taskDefinition },
        output: {
          taskDefinition: {
            taskDefinitionArn: taskDefinition,
            family: 'webserver',
            containerDefinitions: [{ name: 'web', image: 'nginx', essential: true, ...(options.healthCheck ? { healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], ...options.healthCheck } } : {}) }],
          },
        },
      },
    ],
    'elasticloadbalancing:DescribeTargetHealth': [{ input: { TargetGroupArn: TARGET_GROUP }, output: { TargetHealthDescriptions: options.targets ?? [draining] } }],
    'ecs:ListTasks': [{ input: { cluster, serviceName: 'webserver', desiredStatus: 'STOPPED' }, output: { taskArns: stoppedArns.slice(0, tasks.length) } }],
    'ecs:DescribeTasks': [{ input: { cluster, tasks: stoppedArns.slice(0, tasks.length) }, output: { tasks, failures: [] } }],
  };
}

async function finding(event: unknown, snapshot: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snapshot));
  return result.status === 'diagnosed' ? result.findings.find((f) => f.rule === 'health-check-grace-period') : undefined;
}

describe('health-check-grace-period investigation', () => {
  it('steps the grace period up from the killed tasks\' lifetimes and says the loop is ongoing', async () => {
    const found = await finding(loopEvent, loopSnapshot());
    expect(found?.fix).toContain('aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 90');
    // 38 s is only a lower bound on start-up: the user is told the number was not measured.
    expect(found?.fix).toContain('not measured');
    expect(found?.fix).toContain('lower bound');
    expect(found?.explanation).toContain('The loop is ongoing: 0 of 2 desired tasks are running');
    expect(found?.explanation).toContain('grace period is 0 s (not set)');
    expect(found?.explanation).toContain('≈20 s');
    expect(found?.evidence).toContainEqual({ source: 'ecs:DescribeTasks', observed: '3 of 4 recently stopped tasks failed the same health check; they lived 32–38 s (started → stopping)' });
    expect(found?.severity).toBe('critical');
    expect(found?.unchecked).toEqual([]);
  });

  const steady = { id: '3', createdAt: '2025-05-06T10:01:40.000Z', message: '(service webserver) has reached a steady state.' };
  const registered = {
    id: '2',
    createdAt: '2025-05-06T10:00:20.000Z',
    message: '(service webserver) registered 1 targets in (target-group arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/demo-Targe-1GXHAH9WXSU9V/8e6d68f88cd88d12)',
  };
  const started = { id: '1', createdAt: '2025-05-06T10:00:00.000Z', message: '(service webserver) has started 1 tasks: (task 0a1b2c3d).' };

  it('prefers a time-to-healthy the service measured from RUNNING (target registered → steady state)', async () => {
    const found = await finding(loopEvent, loopSnapshot({ service: { events: [steady, registered, started] } }));
    // 80 s from registration (the task was RUNNING, when the grace period starts) × 1.5 = 120 s; not the 100 s from launch.
    expect(found?.fix).toContain('--health-check-grace-period-seconds 120');
    expect(found?.fix).toContain(
      'measured: a task was registered with its target group (it was RUNNING) at 2025-05-06T10:00:20.000Z and the service reached steady state 80 s later, an upper bound on its time-to-healthy',
    );
  });

  it('measures from an earlier task of the service that was stopped for another reason', async () => {
    const found = await finding(
      loopEvent,
      loopSnapshot({ service: { events: [steady, started] }, earlier: { startedAt: '2025-05-06T10:00:30.000Z', stoppingAt: '2025-05-06T10:59:00.000Z' } }),
    );
    // startedAt 10:00:30 → steady 10:01:40 = 70 s × 1.5 = 105 → 120 s.
    expect(found?.fix).toContain('--health-check-grace-period-seconds 120');
    expect(found?.fix).toContain('an earlier task of the service (stopped later for another reason: Scaling activity initiated by (deployment deployment-id)) started RUNNING');
  });

  it('falls back to launch → steady state, and says it includes placement and image pull', async () => {
    const found = await finding(loopEvent, loopSnapshot({ service: { events: [steady, started] } }));
    expect(found?.fix).toContain('--health-check-grace-period-seconds 150');
    expect(found?.fix).toContain('measured: the scheduler started tasks (this includes placement and image pull) at 2025-05-06T10:00:00.000Z');
  });

  it('distrusts a measurement shorter than the killed tasks lived, and steps up from their lifetimes', async () => {
    const quick = { ...steady, createdAt: '2025-05-06T10:00:50.000Z' };
    const found = await finding(loopEvent, loopSnapshot({ service: { events: [quick, registered] } }));
    // Measured 30 s, yet tasks lived 38 s without becoming healthy: start-up got slower. 2 × 38 s → 90 s.
    expect(found?.fix).toContain('--health-check-grace-period-seconds 90');
    expect(found?.fix).toContain("not measured for today's start-up (the service measured 30 s from 2025-05-06T10:00:20.000Z");
  });

  it('does not blame the grace period when the target answers with the wrong status code', async () => {
    const found = await finding(loopEvent, loopSnapshot({ targets: [draining, notFound] }));
    expect(found?.explanation).toContain('gets the wrong status code (Health checks failed with these codes: [404])');
    expect(found?.explanation).toContain('The loop is ongoing: 0 of 2 desired tasks are running, and 1 target(s) are failing or still in their first health checks now');
    expect(found?.fix).toContain(`aws elbv2 modify-target-group --target-group-arn ${TARGET_GROUP} --health-check-path <path-that-returns-200>`);
    expect(found?.fix).not.toContain('--health-check-grace-period-seconds');
    expect(found?.evidence).toContainEqual({
      source: 'elasticloadbalancing:DescribeTargetHealth',
      observed:
        '2 target(s): 1 draining (Target.DeregistrationInProgress: Target deregistration is in progress); 1 unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [404])',
    });
  });

  it('calls a single kill an ongoing loop when a target is failing its first checks right now', async () => {
    const found = await finding(loopEvent, loopSnapshot({ lifetimes: [35], targets: [initial] }));
    expect(found?.explanation).toContain('The loop is ongoing: 0 of 2 desired tasks are running, and 1 target(s) are failing or still in their first health checks now');
  });

  it('degrades when target health cannot be read, and still recommends a grace period', async () => {
    const snapshot = loopSnapshot();
    snapshot['elasticloadbalancing:DescribeTargetHealth'] = [
      { input: { TargetGroupArn: TARGET_GROUP }, error: { name: 'AccessDenied', message: 'User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth' } },
    ];
    const found = await finding(loopEvent, snapshot);
    expect(found?.fix).toContain('--health-check-grace-period-seconds 90');
    expect(found?.unchecked).toEqual([
      {
        check: "the target group's targets now: still failing, and why",
        reason: 'AccessDenied: User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth',
      },
    ]);
  });

  it('the restart-loop scenario costs at most 8 AWS calls for its one incident', async () => {
    const scenario = loadScenarios().find((s) => s.id === 'health-check-grace-period');
    const { reader, calls } = countingReader(snapshotReader(scenario?.snapshot ?? {}));
    // The bot investigates the first event of an incident only; repeats cost no call.
    const result = await diagnoseEvent(scenario?.events[0], reader);
    expect(result.status === 'diagnosed' && result.findings.map((f) => f.rule)).toEqual(['health-check-grace-period']);
    expect([...calls].sort()).toEqual([
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
      'ecs:DescribeTasks',
      'ecs:ListTasks',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ]);
  });

  it('does not blame the grace period when the tasks ran long before failing', async () => {
    const found = await finding(loopEvent, loopSnapshot({ service: { healthCheckGracePeriodSeconds: 60, runningCount: 2 }, lifetimes: [3600, 5400] }));
    expect(found?.explanation).toContain('the grace period (which only covers start-up) is not the cause');
    expect(found?.explanation).toContain('at its desired count');
    expect(found?.fix).toContain(`aws elbv2 describe-target-health --target-group-arn ${TARGET_GROUP}`);
    expect(found?.fix).not.toContain('--health-check-grace-period-seconds');
  });

  it('for container checks, also sets healthCheck.startPeriod', async () => {
    const event = stoppedTaskEvent({ stoppedReason: CONTAINER_FORM, stopCode: 'ServiceSchedulerInitiated', group: 'service:webserver' });
    const found = await finding(event, loopSnapshot({ healthCheck: { interval: 10, retries: 2, startPeriod: 0 }, reason: CONTAINER_FORM }));
    expect(found?.cause).toBe('container-health-check');
    expect(found?.evidence).toContainEqual({
      source: 'ecs:DescribeTaskDefinition',
      observed: 'container web: healthCheck startPeriod 0 s, interval 10 s, retries 2 (≈20 s before a container that is not ready yet is UNHEALTHY)',
    });
    expect(found?.fix).toContain('--health-check-grace-period-seconds 90');
    expect(found?.fix).toContain('"startPeriod": 90');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const found = await finding(loopEvent, {
      'ecs:DescribeServices': [
        { input: { cluster, services: ['webserver'] }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeServices' } },
      ],
    });
    expect(found?.cause).toBe('elb-health-check');
    expect(found?.fix).toContain('--service webserver --health-check-grace-period-seconds <1.5 × start-up seconds>');
    expect(found?.unchecked).toEqual([
      { check: "the service's health-check grace period and load balancers", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeServices' },
    ]);
  });
});

describe('health-check-grace-period: the basis sentence says what the number rests on', () => {
  it('a lifetime the events showed is named as the lower bound', () => {
    expect(recommendGrace({ currentGrace: 0, lifetimes: [34, 37] })?.basis).toContain('the longest lifetime of the killed tasks (37 s), rounded up to 30 s; that lifetime is only a lower bound');
  });

  it('without lifetimes, the estimate from the settings is the bound, not a lifetime', () => {
    const basis = recommendGrace({ currentGrace: 0, lifetimes: [], detectionWindow: 20 })?.basis ?? '';
    expect(basis).toContain('the current grace period plus the health-check window (20 s, estimated from the settings), rounded up to 30 s; that estimate is only a lower bound');
    expect(basis).not.toContain('lifetime');
  });

  it('says when the current grace period, not the bound, set the number', () => {
    const recommendation = recommendGrace({ currentGrace: 120, lifetimes: [40] });
    expect(recommendation?.seconds).toBe(150);
    expect(recommendation?.basis).toContain('raised to the current grace period (120 s) plus 30 s');
  });
});
