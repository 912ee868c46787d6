/**
 * The stack's event patterns (infra/patterns.ts, the objects the stack
 * deploys) against real-shaped events: AWS's samples (tests/fixtures/aws-samples),
 * the builders over them (tests/fixtures/events.ts), the demo scenarios
 * (cli/scenarios) and texts quoted in the rule tests. Failures reach the
 * diagnose Lambda through exactly one rule; noise reaches nothing. And the
 * narrowing drops nothing the rule catalogue would claim.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../cli/scenarios';
import { INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE } from '../../shared/bot/incident-event';
import { detect } from '../../shared/diagnose';
import { parseEvent } from '../../shared/events/parse';
import { signalsOf } from '../../shared/events/signals';
import { isOlder } from '../../shared/facts/versions';
import { agentFeatureFloor, diagnosePatterns, EVENT_PATTERN_LIMIT, type EventPattern, incidentPattern, remedyIncidentPattern, versionsBelow } from '../../infra/patterns';
import { REMEDY_DETAIL_TYPE } from '../../shared/remedy/outcome';
import { apiCallEvent, awsSample, serviceActionEvent, stoppedTaskEvent } from '../fixtures/events';
import { matchesPattern } from '../support/event-pattern';

type Json = Record<string, unknown>;

const patterns = diagnosePatterns({ clusters: [] });

const remedyPattern = remedyIncidentPattern(['health-check-grace-period', 'log-group-missing']);

/** Which rules an event reaches: the diagnose rules by id, `IncidentEvents` for the notify rule and `RemedyIncidents` for the remediate rule. */
function routes(event: unknown, rules: Record<string, EventPattern> = patterns): string[] {
  const reached = Object.entries(rules).filter(([, pattern]) => matchesPattern(pattern, event)).map(([id]) => id);
  if (matchesPattern(incidentPattern, event)) reached.push('IncidentEvents');
  if (matchesPattern(remedyPattern, event)) reached.push('RemedyIncidents');
  return reached;
}

/** True when some rule of the catalogue claims the event: those must never be filtered out. */
async function claimed(event: unknown): Promise<boolean> {
  const parsed = parseEvent(event);
  return parsed.status === 'valid' && (await detect(signalsOf(parsed.event))).length > 0;
}

function withDetail(event: Json, change: Json): Json {
  return { ...event, detail: { ...(event.detail as Json), ...change } };
}

/** The 2025 Fargate task sample in another state. */
const taskIn = (change: Json) => withDetail(awsSample('task-running-fargate-2025'), { group: 'service:webserver', ...change });
const instanceWith = (change: Json) => withDetail(awsSample('container-instance'), change);
const instanceOnAgent = (agentVersion: string) =>
  instanceWith({ versionInfo: { agentHash: 'aebcbca', agentVersion, dockerVersion: 'DockerVersion: 20.10.25' } });

// Texts quoted in tests/rules/* (each with its source there) and ../shared/reference/ecs-events.md §8.
const ELB_KILL = 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/demo-Targe-1GXHAH9WXSU9V/8e6d68f88cd88d12).';
const CONTAINER_KILL = 'Task failed container health checks';
const MAINTENANCE = 'ECS is performing maintenance on the underlying infrastructure hosting the task';
const SECRETS_DENIED =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:ReportWriter_ADC_DB from secrets manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/abc is not authorized to perform: secretsmanager:GetSecretValue';
const LOG_GROUP =
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';
const PULL_404 = 'CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/repo/image not found';
const OOM = 'OutOfMemoryError: Container killed due to memory usage';
const ESSENTIAL = 'Essential container in task exited';
const SCALE_IN = 'Scaling activity initiated by (deployment ecs-svc/9223370545345641169)';
const VCPU_QUOTA = "You've reached the limit on the number of vCPUs you can run concurrently";

const reach: { name: string; event: Json; rule: string }[] = [
  // Stopped tasks.
  { name: 'health-check kill (ServiceSchedulerInitiated + ELB reason)', event: stoppedTaskEvent({ stoppedReason: ELB_KILL, stopCode: 'ServiceSchedulerInitiated', group: 'service:webserver' }), rule: 'TaskFailures' },
  { name: 'container health-check kill', event: stoppedTaskEvent({ stoppedReason: CONTAINER_KILL, stopCode: 'ServiceSchedulerInitiated', group: 'service:webserver' }), rule: 'TaskFailures' },
  { name: 'secrets pull failure (TaskFailedToStart)', event: stoppedTaskEvent({ stoppedReason: SECRETS_DENIED, stopCode: 'TaskFailedToStart', group: 'service:webserver' }), rule: 'TaskFailures' },
  { name: 'log group missing (TaskFailedToStart)', event: stoppedTaskEvent({ stoppedReason: LOG_GROUP, stopCode: 'TaskFailedToStart' }), rule: 'TaskFailures' },
  { name: 'image pull 404 (TaskFailedToStart)', event: stoppedTaskEvent({ stoppedReason: PULL_404, stopCode: 'TaskFailedToStart' }), rule: 'TaskFailures' },
  { name: 'no free IPs (TaskFailedToStart)', event: stoppedTaskEvent({ stoppedReason: 'InsufficientFreeAddressesInSubnet', stopCode: 'TaskFailedToStart' }), rule: 'TaskFailures' },
  {
    name: 'OOM kill, exit 137',
    event: stoppedTaskEvent({ stoppedReason: ESSENTIAL, stopCode: 'EssentialContainerExited', group: 'service:webserver', containers: [{ exitCode: 137, reason: OOM }] }),
    rule: 'TaskFailures',
  },
  {
    name: 'OOM kill reported with exit code 0 (aws/amazon-ecs-agent#2467)',
    event: stoppedTaskEvent({ stoppedReason: ESSENTIAL, stopCode: 'EssentialContainerExited', containers: [{ exitCode: 0, reason: OOM }] }),
    rule: 'TaskFailures',
  },
  {
    name: 'application error, exit 1',
    event: stoppedTaskEvent({ stoppedReason: ESSENTIAL, stopCode: 'EssentialContainerExited', group: 'service:webserver', containers: [{ exitCode: 1 }] }),
    rule: 'TaskFailures',
  },
  { name: 'Fargate task retirement without a stop code', event: stoppedTaskEvent({ stoppedReason: MAINTENANCE, group: 'service:webserver' }), rule: 'TaskFailures' },
  { name: 'task retirement, stopCode InfrastructureHealth', event: stoppedTaskEvent({ stoppedReason: MAINTENANCE, stopCode: 'InfrastructureHealth' }), rule: 'TaskFailures' },
  {
    name: 'Spot notice while RUNNING (TerminationNotice)',
    event: taskIn({ desiredStatus: 'STOPPED', stopCode: 'TerminationNotice', stoppedReason: 'Your Spot Task was interrupted.', capacityProviderName: 'FARGATE_SPOT' }),
    rule: 'TaskFailures',
  },
  { name: 'Spot task stopped (SpotInterruption)', event: stoppedTaskEvent({ stoppedReason: 'Your Spot Task was interrupted.', stopCode: 'SpotInterruption' }), rule: 'TaskFailures' },
  // Tasks stuck before RUNNING: the re-check.
  { name: 'service task PROVISIONING', event: taskIn({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' }), rule: 'TasksStarting' },
  { name: 'service task PENDING', event: taskIn({ lastStatus: 'PENDING', desiredStatus: 'RUNNING' }), rule: 'TasksStarting' },
  // A RUNNING task on an old Fargate platform.
  { name: 'AWS sample: RUNNING on platform 1.3.0 (2020)', event: awsSample('task-running-fargate-2020'), rule: 'OutdatedPlatform' },
  // Service actions.
  { name: 'AWS sample: SERVICE_TASK_START_IMPAIRED (WARN)', event: awsSample('service-action-service-task-start-impaired'), rule: 'ServiceActions' },
  { name: 'AWS sample: placement failure RESOURCE:CPU', event: awsSample('service-action-service-task-placement-failure-cpu'), rule: 'ServiceActions' },
  { name: 'AWS sample: placement failure RESOURCE:FARGATE', event: awsSample('service-action-service-task-placement-failure-fargate'), rule: 'ServiceActions' },
  { name: 'SERVICE_TASK_CONFIGURATION_FAILURE (ERROR)', event: serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_TASK_CONFIGURATION_FAILURE', reason: 'Amazon ECS was unable to assume the task IAM role provided' }), rule: 'ServiceActions' },
  { name: 'AWS sample: SERVICE_STEADY_STATE (resolves incidents)', event: awsSample('service-action-service-steady-state'), rule: 'ServiceActions' },
  // Deployments.
  { name: 'AWS sample: SERVICE_DEPLOYMENT_FAILED', event: awsSample('deployment-service-deployment-failed'), rule: 'Deployments' },
  { name: 'AWS sample: circuit-breaker rollback in progress', event: awsSample('deployment-service-deployment-in-progress-rollback'), rule: 'Deployments' },
  { name: 'AWS sample: SERVICE_DEPLOYMENT_COMPLETED (resolves incidents)', event: awsSample('deployment-service-deployment-completed'), rule: 'Deployments' },
  // Container instances.
  { name: 'AWS sample: ACTIVE instance on agent 1.13.0', event: awsSample('container-instance'), rule: 'ContainerInstances' },
  { name: 'agent 1.50.1, one patch below ECS Exec', event: instanceOnAgent('1.50.1'), rule: 'ContainerInstances' },
  // CloudTrail.
  { name: 'RegisterTaskDefinition', event: apiCallEvent({ eventName: 'RegisterTaskDefinition', requestParameters: { family: 'webserver', cpu: '256', memory: '4096', requiresCompatibilities: ['FARGATE'] } }), rule: 'TaskDefinitionCalls' },
  {
    name: 'failed RegisterTaskDefinition',
    event: apiCallEvent({ eventName: 'RegisterTaskDefinition', requestParameters: { family: 'webserver' }, errorCode: 'ClientException', errorMessage: 'No Fargate configuration exists for given values.' }),
    rule: 'TaskDefinitionCalls',
  },
  { name: 'CreateService', event: apiCallEvent({ eventName: 'CreateService', requestParameters: { cluster: 'production', serviceName: 'api-service', taskDefinition: 'api-service:3', desiredCount: 2 } }), rule: 'ApiCalls' },
  {
    name: 'UpdateService setting minimumHealthyPercent 0',
    event: apiCallEvent({ eventName: 'UpdateService', requestParameters: { cluster: 'production', service: 'api-service', deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } } }),
    rule: 'ApiCalls',
  },
  { name: 'UpdateService pinning platform 1.3.0', event: apiCallEvent({ eventName: 'UpdateService', requestParameters: { cluster: 'default', service: 'api-service', platformVersion: '1.3.0' } }), rule: 'ApiCalls' },
  { name: 'failed UpdateService', event: apiCallEvent({ eventName: 'UpdateService', requestParameters: { cluster: 'default', service: 'gone' }, errorCode: 'ServiceNotFoundException', errorMessage: 'Service not found.' }), rule: 'ApiCalls' },
  {
    name: 'failed ExecuteCommand',
    event: apiCallEvent({
      eventName: 'ExecuteCommand',
      requestParameters: { cluster: 'example-cluster', container: 'web', command: '/bin/sh', interactive: true, task: 'arn:aws:ecs:us-east-1:123456789012:task/example-cluster/a1173316d40a45dea9' },
      errorCode: 'TargetNotConnectedException',
      errorMessage: 'The execute command failed due to an internal error. Try again later.',
    }),
    rule: 'ApiCalls',
  },
  {
    name: 'RunTask answered 200 with a vCPU refusal in failures[]',
    event: apiCallEvent({
      eventName: 'RunTask',
      requestParameters: { cluster: 'default', taskDefinition: 'mediaflux-upload', launchType: 'FARGATE', count: 1 },
      responseElements: { tasks: [], failures: [{ reason: VCPU_QUOTA }] },
    }),
    rule: 'ApiCalls',
  },
  { name: 'failed RunTask', event: apiCallEvent({ eventName: 'RunTask', requestParameters: { cluster: 'default', taskDefinition: 'job:1' }, errorCode: 'AccessDeniedException', errorMessage: 'User is not authorized to perform: ecs:RunTask' }), rule: 'ApiCalls' },
  {
    name: 'RunTask overriding the task size',
    event: apiCallEvent({ eventName: 'RunTask', requestParameters: { cluster: 'default', taskDefinition: 'job:1', launchType: 'FARGATE', overrides: { cpu: '256', memory: '4096' } } }),
    rule: 'ApiCalls',
  },
];

/**
 * `dropped` marks noise a rule would still claim, and why dropping it loses nothing (or is worth it).
 * Every other event a rule claims must reach the diagnose Lambda.
 */
const noise: { name: string; event: Json; dropped?: string }[] = [
  { name: 'user stop (UserInitiated)', event: stoppedTaskEvent({ stoppedReason: 'Task stopped by user', stopCode: 'UserInitiated', group: 'service:webserver' }) },
  { name: 'scale-in / deployment stop ("Scaling activity initiated by")', event: stoppedTaskEvent({ stoppedReason: SCALE_IN, stopCode: 'ServiceSchedulerInitiated', group: 'service:webserver' }) },
  { name: 'batch task finished: essential container exit 0', event: stoppedTaskEvent({ stoppedReason: ESSENTIAL, stopCode: 'EssentialContainerExited', containers: [{ exitCode: 0 }] }) },
  {
    name: 'a health-check kill still DEPROVISIONING',
    event: withDetail(stoppedTaskEvent({ stoppedReason: ELB_KILL, stopCode: 'ServiceSchedulerInitiated' }), { lastStatus: 'DEPROVISIONING' }),
    dropped: 'the STOPPED event of the same task follows with the same reason',
  },
  { name: 'AWS sample: RUNNING on the current platform (2025)', event: awsSample('task-running-fargate-2025') },
  { name: 'a service task RUNNING', event: taskIn({}) },
  { name: 'a standalone task PENDING (no service to re-check)', event: taskIn({ group: 'family:webserver', lastStatus: 'PENDING' }) },
  { name: 'a task being stopped while PENDING', event: taskIn({ lastStatus: 'PENDING', desiredStatus: 'STOPPED' }) },
  { name: 'AWS sample: CAPACITY_PROVIDER_STEADY_STATE', event: awsSample('service-action-capacity-provider-steady-state') },
  { name: 'INFO SERVICE_DESIRED_COUNT_UPDATED', event: serviceActionEvent({ eventType: 'INFO', eventName: 'SERVICE_DESIRED_COUNT_UPDATED' }) },
  { name: 'INFO TASKS_STOPPED', event: serviceActionEvent({ eventType: 'INFO', eventName: 'TASKS_STOPPED' }) },
  { name: 'INFO TASKSET_STEADY_STATE', event: serviceActionEvent({ eventType: 'INFO', eventName: 'TASKSET_STEADY_STATE' }) },
  { name: 'Service Action SERVICE_DEPLOYMENT_COMPLETED (taken from the deployment event)', event: serviceActionEvent({ eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_COMPLETED' }) },
  {
    name: 'Service Action SERVICE_DEPLOYMENT_FAILED',
    event: serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED' }),
    dropped: 'ECS sends the same failure as an ECS Deployment State Change, with its deploymentId and reason; the Deployments rule takes that one',
  },
  { name: 'AWS sample: a deployment in progress (not a rollback)', event: awsSample('deployment-service-deployment-in-progress') },
  { name: 'routine container-instance event on a current agent', event: instanceOnAgent('1.105.0') },
  { name: 'agent exactly at the ECS Exec minimum', event: instanceOnAgent('1.50.2') },
  { name: 'agent 1.100.0 (not "1.1…")', event: instanceOnAgent('1.100.0') },
  { name: 'routine agent disconnect on a current agent', event: withDetail(instanceOnAgent('1.105.0'), { agentConnected: false }) },
  {
    name: 'an old agent on a DRAINING instance',
    event: withDetail(awsSample('container-instance'), { status: 'DRAINING' }),
    dropped: 'a draining instance takes no new tasks; the fleet check of any ACTIVE old instance still lists it',
  },
  {
    name: 'Fargate RunTask leaving the platform version unset',
    event: apiCallEvent({ eventName: 'RunTask', requestParameters: { cluster: 'default', taskDefinition: 'job:1', launchType: 'FARGATE' } }),
    dropped: 'platform-version-drift "unpinned" is informational, and matching it would invoke the Lambda for every batch job; CreateService still reports it',
  },
  { name: 'the CloudTrail sample call: CreateCluster', event: apiCallEvent({ eventName: 'CreateCluster', requestParameters: { clusterName: 'default' } }) },
  { name: 'successful ExecuteCommand', event: apiCallEvent({ eventName: 'ExecuteCommand', requestParameters: { cluster: 'example-cluster', container: 'web', command: '/bin/sh', interactive: true, task: 'a1173316d40a45dea9' } }) },
  { name: 'UpdateService by Application Auto Scaling (desiredCount only)', event: apiCallEvent({ eventName: 'UpdateService', requestParameters: { cluster: 'default', service: 'api-service', desiredCount: 4 } }) },
  { name: 'plain RunTask on EC2', event: apiCallEvent({ eventName: 'RunTask', requestParameters: { cluster: 'default', taskDefinition: 'job:1', count: 1 }, responseElements: { tasks: [{}], failures: [] } }) },
  { name: 'StopTask', event: apiCallEvent({ eventName: 'StopTask', requestParameters: { cluster: 'default', task: 'a1173316d40a45dea9', reason: 'Task stopped by user' } }) },
  { name: 'an EC2 event', event: { ...awsSample('task-running-fargate-2025'), source: 'aws.ec2' } },
];

describe('event patterns vs real-shaped events', () => {
  for (const { name, event, rule } of reach) {
    it(`reaches diagnose through ${rule}: ${name}`, () => {
      expect(routes(event)).toEqual([rule]);
    });
  }

  for (const { name, event } of noise) {
    it(`reaches nothing: ${name}`, () => {
      expect(routes(event)).toEqual([]);
    });
  }

  it('every event of every demo scenario reaches diagnose through exactly one rule', () => {
    const scenarios = loadScenarios();
    expect(scenarios.length).toBeGreaterThan(10);
    for (const scenario of scenarios) {
      for (const [i, event] of scenario.events.entries()) {
        expect(routes(event), `${scenario.id} event ${i}`).toHaveLength(1);
      }
    }
  });

  it('drops nothing the rule catalogue would claim, except the deliberate gaps named above', async () => {
    const everyFixture = [...reach.map((c) => c.event), ...noise.filter((c) => !c.dropped).map((c) => c.event), ...loadScenarios().flatMap((s) => s.events)];
    const claims = await Promise.all(everyFixture.map(claimed));
    const lost = everyFixture.filter((event, i) => claims[i] && routes(event).length === 0);
    expect(lost).toEqual([]);
    // Each named gap is real: a rule would claim it (so the annotation cannot go stale silently).
    for (const gap of noise.filter((c) => c.dropped)) expect(await claimed(gap.event), gap.name).toBe(true);
  });

  it('sends incident events, opened or resolved, to notify; opened ones of a rule with a remedy to remediate too; outcomes to notify only', () => {
    const incident = (state: string, rule = 'container-oom-killed') => ({
      version: '0',
      id: 'c2f4b3a1-0000-4000-8000-000000000001',
      'detail-type': INCIDENT_DETAIL_TYPE,
      source: INCIDENT_SOURCE,
      account: '123456789012',
      time: '2025-05-06T11:04:40Z',
      region: 'us-east-1',
      resources: [],
      detail: { schemaVersion: 1, state, finding: { rule } },
    });
    expect(routes(incident('opened'))).toEqual(['IncidentEvents']);
    expect(routes(incident('resolved'))).toEqual(['IncidentEvents']);
    expect(routes(incident('opened', 'health-check-grace-period'))).toEqual(['IncidentEvents', 'RemedyIncidents']);
    expect(routes(incident('opened', 'log-group-missing'))).toEqual(['IncidentEvents', 'RemedyIncidents']);
    expect(routes(incident('resolved', 'log-group-missing'))).toEqual(['IncidentEvents']);
    // A remedy outcome reaches notify, never remediate again: no loop.
    expect(routes({ ...incident('opened', 'health-check-grace-period'), 'detail-type': REMEDY_DETAIL_TYPE })).toEqual(['IncidentEvents']);
    // The diagnose rules never see the bot's own events: no loop.
    expect(routes({ ...incident('opened'), source: 'aws.ecs' })).toEqual([]);
  });
});

describe('version prefixes', () => {
  it('match exactly the agent versions below the highest feature minimum', () => {
    expect(agentFeatureFloor).toBe('1.50.2');
    const pattern = { v: versionsBelow(agentFeatureFloor) };
    const versions = ['0.9.1', '1.0.0', '1.9.9', '1.13.0', '1.26.0', '1.49.12', '1.50.0', '1.50.1', '1.50.2', '1.50.10', '1.51.0', '1.100.0', '1.105.0', '2.0.0', '10.1.0'];
    for (const v of versions) expect(matchesPattern(pattern, { v }), v).toBe(isOlder(v, agentFeatureFloor));
  });

  it('match the Fargate platform versions below 1.4.0', () => {
    const pattern = { v: versionsBelow('1.4.0') };
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) expect(matchesPattern(pattern, { v }), v).toBe(true);
    for (const v of ['1.4.0', '1.4.1', '1.10.0']) expect(matchesPattern(pattern, { v }), v).toBe(false);
  });
});

describe('cluster narrowing (context clusters)', () => {
  const serviceSample = awsSample('service-action-service-task-start-impaired'); // cluster "default", us-west-2
  const deploymentSample = awsSample('deployment-service-deployment-failed');
  const failedRunTask = reach.find((c) => c.name === 'failed RunTask')?.event as Json; // cluster "default"
  const registration = reach.find((c) => c.name === 'RegisterTaskDefinition')?.event as Json;

  it('keeps events of a watched cluster given by name', () => {
    const rules = diagnosePatterns({ clusters: ['default'] });
    for (const event of [serviceSample, deploymentSample, awsSample('container-instance'), failedRunTask]) expect(routes(event, rules)).toHaveLength(1);
    // A call without a cluster parameter goes to the cluster named "default".
    const withoutCluster = apiCallEvent({ eventName: 'RunTask', requestParameters: { taskDefinition: 'job:1' }, errorCode: 'AccessDeniedException' });
    expect(routes(withoutCluster, rules)).toEqual(['ApiCalls']);
  });

  it('keeps events of a watched cluster given by ARN', () => {
    const rules = diagnosePatterns({ clusters: ['arn:aws:ecs:us-west-2:111122223333:cluster/default'] });
    expect(routes(serviceSample, rules)).toEqual(['ServiceActions']);
    expect(routes(deploymentSample, rules)).toEqual(['Deployments']);
  });

  it('drops events of other clusters, but not the cluster-less RegisterTaskDefinition', () => {
    const rules = diagnosePatterns({ clusters: ['prod', 'arn:aws:ecs:us-east-1:123456789012:cluster/batch'] });
    for (const event of [serviceSample, deploymentSample, awsSample('container-instance'), failedRunTask, ...reach.filter((c) => c.rule === 'TaskFailures').map((c) => c.event)]) {
      expect(routes(event, rules)).toEqual([]);
    }
    expect(routes(registration, rules)).toEqual(['TaskDefinitionCalls']);
  });
});

/** The event as if it came from `cluster`: the cluster field its rule narrows on, set to the name or the ARN. */
function fromCluster(event: Json, cluster: { name: string; arn: string }, parameter: 'name' | 'arn'): Json {
  const detail = event.detail as Json;
  if (event['detail-type'] === 'ECS Deployment State Change') {
    return { ...event, resources: [`${cluster.arn.replace(':cluster/', ':service/')}/webserver`] };
  }
  if (event['detail-type'] === 'AWS API Call via CloudTrail') {
    return withDetail(event, { requestParameters: { ...(detail.requestParameters as Json), cluster: cluster[parameter] } });
  }
  return withDetail(event, { clusterArn: cluster.arn });
}

describe.each([1, 5, 20, 50])('%i watched clusters', (count) => {
  // Names as teams write them; every third one given by ARN.
  const watched = Array.from({ length: count }, (_, i) => {
    const name = `team-${String(i).padStart(2, '0')}-payments-production`;
    return { name, arn: `arn:aws:ecs:us-east-1:123456789012:cluster/${name}` };
  });
  const rules = diagnosePatterns({ clusters: watched.map((c, i) => (i % 3 === 0 ? c.arn : c.name)) });

  it('every rule\'s pattern fits EventBridge\'s pattern limit', () => {
    for (const [id, pattern] of Object.entries(rules)) expect(JSON.stringify(pattern).length, id).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT);
  });

  it('every failure of every watched cluster reaches diagnose through exactly one rule of its kind', () => {
    for (const [i, cluster] of watched.entries()) {
      for (const { name, event, rule } of reach) {
        const reached = routes(fromCluster(event, cluster, i % 2 === 0 ? 'arn' : 'name'), rules);
        expect(reached, `${cluster.name}: ${name}`).toHaveLength(1);
        expect(reached[0], `${cluster.name}: ${name}`).toMatch(new RegExp(`^${rule}\\d*$`));
      }
    }
  });

  it('failures of a cluster not watched reach nothing, except the cluster-less task definition calls', () => {
    const other = { name: 'team-00-payments-staging', arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/team-00-payments-staging' };
    for (const { name, event, rule } of reach) {
      expect(routes(fromCluster(event, other, 'name'), rules), name).toEqual(rule === 'TaskDefinitionCalls' ? [rule] : []);
    }
  });
});

describe('pattern size', () => {
  it('stays within EventBridge\'s pattern limit and its 300 rules per bus with 50 clusters of the longest name', () => {
    const longest = Array.from({ length: 50 }, (_, i) => `arn:aws:ecs:eu-west-1:123456789012:cluster/${`c${i}-`.padEnd(255, 'x')}`);
    const rules = diagnosePatterns({ clusters: longest });
    for (const [id, pattern] of Object.entries(rules)) expect(JSON.stringify(pattern).length, id).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT);
    expect(Object.keys(rules).length).toBeLessThan(300);
  });
});
