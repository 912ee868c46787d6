import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/spot-interruption';
import { stoppedTaskEvent, SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const SPOT = 'Your Spot Task was interrupted.';
const SPOT_SOURCE = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html (../shared/reference/ecs-events.md §2.6)';
const WRAPBOX_LOG =
  'Task wrapbox_test is failed. task=arn:aws:ecs:xxx:xxx:task/xxx/xxx, cmd_index=60, exit_code=2, task_stopped_reason=Your Spot Task was interrupted., container_stopped_reason= (Wrapbox::Runner::Ecs::ExecutionFailure)';
const WRAPBOX_SOURCE = 'https://github.com/reproio/wrapbox/pull/53';

/**
 * The doc's Spot notice (stopCode TerminationNotice, lastStatus RUNNING, desiredStatus STOPPED), on the
 * 2025 Fargate sample because the doc's own snippet is elided ("...") and not valid JSON.
 */
function spotEvent(options: { group?: string; stopCode?: string; stoppedReason?: string } = {}) {
  const event = stoppedTaskEvent({
    stoppedReason: options.stoppedReason ?? SPOT,
    stopCode: options.stopCode ?? 'TerminationNotice',
    group: options.group ?? 'service:webserver',
  });
  const detail = event.detail as Record<string, unknown>;
  detail.lastStatus = 'RUNNING';
  detail.capacityProviderName = 'FARGATE_SPOT';
  return event;
}

ruleTester(rule, {
  invalid: [
    { name: 'the notice text', text: SPOT, source: SPOT_SOURCE, cause: null, fixIncludes: ['capacityProvider=FARGATE,base=1'] },
    { name: 'upper-cased', text: SPOT.toUpperCase(), source: SPOT_SOURCE, cause: null },
    { name: 'quoted inside a job runner log', text: WRAPBOX_LOG, source: WRAPBOX_SOURCE, cause: null },
    { name: 'a service task notice', event: spotEvent(), source: SPOT_SOURCE, cause: null, fixIncludes: ['--service webserver'] },
    {
      name: 'stopCode SpotInterruption',
      event: spotEvent({ stopCode: 'SpotInterruption' }),
      source: 'SDK TaskStopCode enum (../shared/reference/ecs-events.md §2.3) with the documented text',
      cause: null,
    },
    {
      name: 'a standalone task is not restarted',
      event: spotEvent({ group: 'family:webserver' }),
      source: SPOT_SOURCE,
      cause: 'standalone-task',
      fixIncludes: ['aws ecs run-task --cluster example-cluster --task-definition webserver'],
    },
  ],
  valid: [
    {
      name: 'a user stop on Spot capacity',
      event: spotEvent({ stoppedReason: 'Task stopped by user', stopCode: 'UserInitiated' }),
      source: 'https://repost.aws/knowledge-center/ecs-task-stopped',
    },
    {
      name: 'a deployment scale-in on Spot capacity',
      event: spotEvent({ stoppedReason: 'Scaling activity initiated by (deployment deployment-id)', stopCode: 'ServiceSchedulerInitiated' }),
      source: 'awsdocs stopped-task-errors-classic-console.md (../shared/reference/ecs-events.md §8.1)',
    },
    {
      name: 'Fargate maintenance',
      text: 'ECS is performing maintenance on the underlying infrastructure hosting the task',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-maintenance.html',
    },
  ],
});

const clusterArn = 'arn:aws:ecs:us-east-1:123456789012:cluster/example-cluster';

function snapshot(strategy: { capacityProvider: string; weight: number; base?: number }[]): Snapshot {
  return {
    'ecs:DescribeServices': [
      {
        input: { cluster: 'example-cluster', services: ['webserver'] },
        output: {
          services: [{ serviceName: 'webserver', clusterArn, capacityProviderStrategy: strategy, desiredCount: 2, runningCount: 1 }],
          failures: [],
        },
      },
    ],
    'ecs:DescribeTaskDefinition': [
      {
        input: { taskDefinition: taskDefinitionArn },
        output: { taskDefinition: { taskDefinitionArn, family: 'webserver', containerDefinitions: [{ name: 'web', image: 'nginx' }] } },
      },
    ],
  };
}

async function firstFinding(reader: Snapshot) {
  const result = await diagnoseEvent(spotEvent(), snapshotReader(reader), [rule]);
  return result.status === 'diagnosed' ? result.findings[0] : undefined;
}

describe('spot-interruption investigation', () => {
  it('warns when the service runs on FARGATE_SPOT only and cannot fall back', async () => {
    const finding = await firstFinding(snapshot([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]));
    expect(finding?.rule).toBe('spot-interruption');
    expect(finding?.cause).toBe('spot-only');
    expect(finding?.severity).toBe('warning');
    expect(finding?.fix).toContain(
      'aws ecs update-service --cluster example-cluster --service webserver --capacity-provider-strategy capacityProvider=FARGATE,base=1,weight=1 capacityProvider=FARGATE_SPOT,weight=3 --force-new-deployment',
    );
    expect(finding?.evidence.map((e) => e.observed)).toContain('stopTimeout below the 120 s Spot warning: web not set (30 s)');
    expect(finding?.unchecked).toEqual([]);
  });

  it('stays informational when an on-demand FARGATE base is there', async () => {
    const finding = await firstFinding(
      snapshot([
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ]),
    );
    expect(finding?.cause).toBeNull();
    expect(finding?.severity).toBe('info');
  });

  it('still reports the interruption, naming what it could not check, when the account refuses', async () => {
    const denied = { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeServices' };
    const finding = await firstFinding({
      ...snapshot([]),
      'ecs:DescribeServices': [{ input: { cluster: 'example-cluster', services: ['webserver'] }, error: denied }],
    });
    expect(finding?.rule).toBe('spot-interruption');
    expect(finding?.severity).toBe('info');
    expect(finding?.unchecked).toEqual([
      { check: 'the capacity provider strategy of service webserver', reason: `AccessDeniedException: ${denied.message}` },
    ]);
  });
});
