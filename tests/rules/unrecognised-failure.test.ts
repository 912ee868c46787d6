import { describe, expect, it } from 'vitest';
import { diagnoseEvent, explainText } from '../../shared/diagnose';
import rule from '../../shared/rules/unrecognised-failure';
import { awsSample } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const START_IMPAIRED_SOURCE =
  'AWS sample event, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html (../shared/reference/ecs-events.md)';

ruleTester(rule, {
  invalid: [
    {
      name: "AWS's sample SERVICE_TASK_START_IMPAIRED service action (no reason text at all)",
      event: awsSample('service-action-service-task-start-impaired'),
      source: START_IMPAIRED_SOURCE,
      cause: null,
      fixIncludes: [
        'aws ecs list-tasks --cluster default --service-name servicetest --desired-status STOPPED --region us-west-2',
        'aws ecs describe-tasks --cluster default --tasks <task-id> --region us-west-2',
      ],
      explanationIncludes: ['SERVICE_TASK_START_IMPAIRED', 'servicetest'],
    },
    {
      name: 'an API error no rule owns',
      text: 'ClientException: Too many containers.',
      source: 'https://github.com/aws/amazon-ecs-cli/issues/184',
      cause: null,
      fixIncludes: ['aws ecs describe-tasks --cluster <cluster> --tasks <task-id>'],
    },
    {
      name: 'an agent log line: the task ARN it names fills the command',
      text: "2017-07-13T18:14:45Z [INFO] DockerTimeoutError for 'docker stop' of container; ignoring state change;  task: rcx-director-task-dev-us-west-2:422 arn:aws:ecs:us-west-2:969204706979:task/0878e08e-c28c-4337-bc94-d13eeda5abf3, Status: (RUNNING->STOPPED) Containers: [rcx-director-task-dev-us-west-2 (RUNNING->STOPPED),], container: rcx-director-task-dev-us-west-2(304872096477.dkr.ecr.us-west-2.amazonaws.com/krp/rcx-director:3.2467) (RUNNING->STOPPED), error: Could not transition to stopped; timed out after waiting 1m0s",
      source: 'https://github.com/aws/amazon-ecs-agent/issues/731',
      cause: null,
      fixIncludes: ['aws ecs describe-tasks --cluster <cluster> --tasks 0878e08e-c28c-4337-bc94-d13eeda5abf3 --region us-west-2'],
    },
  ],
  valid: [
    { text: 'Task stopped by user', source: 'https://repost.aws/knowledge-center/ecs-task-stopped' },
    { text: 'Scaling activity initiated by (deployment deployment-id)', source: '../shared/reference/ecs-events.md §8.1' },
    {
      name: "AWS's sample SERVICE_STEADY_STATE (INFO)",
      event: awsSample('service-action-service-steady-state'),
      source: START_IMPAIRED_SOURCE,
    },
    {
      text: '(service civictechjobs-fullstack-stage) has started 1 tasks: (task ca675154981d4ebd81b7a97747141a2e).',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html',
    },
  ],
});

describe('unrecognised-failure in the catalogue', () => {
  it("makes AWS's sample SERVICE_TASK_START_IMPAIRED event a finding", async () => {
    const result = await diagnoseEvent(awsSample('service-action-service-task-start-impaired'));
    expect(result.status === 'diagnosed' && result.findings.map((f) => [f.rule, f.resource.cluster, f.resource.service])).toEqual([
      ['unrecognised-failure', 'default', 'servicetest'],
    ]);
  });

  it('is dropped whenever another rule fits, even a catch-all', async () => {
    const findings = await explainText('Essential container in task exited. Exit code: 137');
    expect(findings.map((f) => f.rule)).toEqual(['essential-container-exited']);
  });
});
