import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/essential-container-exited';
import { SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn, type StoppedContainer, sampleTaskDefinition, stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const ESSENTIAL = 'Essential container in task exited';
const ESSENTIAL_SOURCE =
  'awsdocs stopped-task-errors-classic-console.md and https://repost.aws/knowledge-center/ecs-task-stopped (../shared/reference/ecs-events.md §8.1)';
const BATCH_FORM = 'Essential container in task exited - CannotInspectContainerError: Could not transition to inspecting; timed out after waiting 30s';
const BATCH_SOURCE = 'seqeralabs/docs platform-enterprise_docs/troubleshooting_and_faqs/aws_troubleshooting.md ("CannotInspectContainerError")';
const WITH_CODE = 'Essential container in task exited. Exit code: 137';
const WITH_CODE_SOURCE = 'https://linden.consulting/en/blog/ecs-task-stopped-error';
const EVENT_SOURCE = 'ECS Developer Guide 2025 Fargate task state change sample, stopped with stopCode EssentialContainerExited (../shared/reference/ecs-events.md §2.3)';

/** The sample's containers in order: web, aws-guardduty-agent-nm40lC, aws-otel-collector. */
function exitedEvent(containers: StoppedContainer[], stoppedReason = ESSENTIAL, stopCode = 'EssentialContainerExited') {
  return stoppedTaskEvent({ stoppedReason, stopCode, group: 'service:webserver', containers });
}

ruleTester(rule, {
  invalid: [
    { name: 'the stoppedReason alone', text: ESSENTIAL, source: ESSENTIAL_SOURCE, cause: null, fixIncludes: ['aws logs get-log-events --log-group-name <awslogs-group>'] },
    { name: 'lower-cased', text: ESSENTIAL.toLowerCase(), source: ESSENTIAL_SOURCE, cause: null },
    { name: 'AWS Batch status reason', text: BATCH_FORM, source: BATCH_SOURCE, cause: null },
    { name: 'pasted with the console exit code', text: WITH_CODE, source: WITH_CODE_SOURCE, cause: 'killed' },
    {
      name: 'application error (exit 1)',
      event: exitedEvent([{ exitCode: 1 }]),
      source: EVENT_SOURCE,
      cause: 'application-error',
      fixIncludes: ['/web/a1173316d40a45dea9'],
      explanationIncludes: ['Container web exited with code 1'],
    },
    { name: 'command not found (127)', event: exitedEvent([{ exitCode: 127 }]), source: EVENT_SOURCE, cause: 'command-not-found' },
    { name: 'not executable (126)', event: exitedEvent([{ exitCode: 126 }]), source: EVENT_SOURCE, cause: 'not-executable' },
    { name: 'segfault (139)', event: exitedEvent([{ exitCode: 139 }]), source: EVENT_SOURCE, cause: 'segfault' },
    {
      name: 'SIGKILL without an OOM reason (137)',
      event: exitedEvent([{ exitCode: 137 }]),
      source: EVENT_SOURCE,
      cause: 'killed',
      explanationIncludes: ['not a memory kill', 'stopTimeout'],
    },
    { name: 'SIGTERM (143)', event: exitedEvent([{ exitCode: 143 }]), source: EVENT_SOURCE, cause: 'terminated' },
    {
      name: 'the sidecar stopped by ECS (143) does not hide the container that failed first',
      event: exitedEvent([{ exitCode: 1 }, {}, { exitCode: 143 }]),
      source: EVENT_SOURCE,
      cause: 'application-error',
      explanationIncludes: ['Container web'],
    },
  ],
  valid: [
    {
      name: 'a deployment scale-in',
      event: exitedEvent([{ exitCode: 143 }], 'Scaling activity initiated by (deployment deployment-id)', 'ServiceSchedulerInitiated'),
      source: 'awsdocs stopped-task-errors-classic-console.md (../shared/reference/ecs-events.md §8.1)',
    },
    {
      name: 'a user stop',
      event: exitedEvent([{ exitCode: 143 }], 'Task stopped by user', 'UserInitiated'),
      source: 'https://repost.aws/knowledge-center/ecs-task-stopped',
    },
    {
      name: 'exit code 0 on a non-essential sidecar only',
      event: exitedEvent([{}, {}, { exitCode: 0 }]),
      source: EVENT_SOURCE,
    },
    {
      name: 'a Spot interruption',
      text: 'Your Spot Task was interrupted.',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html',
    },
  ],
});


describe('essential-container-exited investigation', () => {
  const event = exitedEvent([{ exitCode: 1 }]);

  it('gives the exact log command for the container that exited', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        sampleTaskDefinition({
          containerDefinitions: [
            {
              name: 'web',
              image: 'nginx',
              essential: true,
              logConfiguration: {
                logDriver: 'awslogs',
                options: { 'awslogs-group': '/ecs/webserver', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' },
              },
            },
          ],
        }),
      ],
    });
    const result = await diagnoseEvent(event, reader, [rule]);
    const [finding] = result.status === 'diagnosed' ? result.findings : [];
    expect(finding?.rule).toBe('essential-container-exited');
    expect(finding?.cause).toBe('application-error');
    expect(finding?.resource.container).toBe('web');
    expect(finding?.fix).toContain("aws logs get-log-events --log-group-name /ecs/webserver --log-stream-name web/web/a1173316d40a45dea9 --limit 50 --query 'events[].message' --region us-east-1");
    expect(finding?.unchecked).toEqual([]);
  });

  it('degrades to the general log command when the account refuses', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        { input: { taskDefinition: taskDefinitionArn }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeTaskDefinition' } },
      ],
    });
    const result = await diagnoseEvent(event, reader, [rule]);
    const [finding] = result.status === 'diagnosed' ? result.findings : [];
    expect(finding?.rule).toBe('essential-container-exited');
    expect(finding?.fix).toContain('<awslogs-group>');
    expect(finding?.unchecked).toEqual([
      { check: 'the log configuration of container web', reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTaskDefinition' },
    ]);
  });
});
