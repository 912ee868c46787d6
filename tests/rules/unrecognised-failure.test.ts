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
      name: 'an API error no rule owns, wrapped by botocore',
      text: 'An error occurred (ClientException) when calling the CreateService operation: TaskDefinition not found.',
      source: 'https://github.com/Cloud-CV/EvalAI/issues/2419',
      cause: null,
      fixIncludes: ['aws ecs describe-tasks --cluster <cluster> --tasks <task-id>'],
    },
    {
      name: 'an agent log line: the task ARN it names fills the command',
      text: '2019-06-13T13:55:59Z [WARN] Managed task [arn:aws:ecs:us-east-1:417483828938:task/0a4563d3-ddc4-44ce-9b46-a0cd0eb1d05f]: error starting/provisioning container[~internal~ecs~pause]; marking its desired status as STOPPED: container resource provisioning: failed to setup network namespace: cni setup: invoke eni plugin failed: getInterfaceDeviceName engine: unable to get device with hardware address \'02:62:5b:0f:db:fa\': engine: device with mac address not found',
      source: 'https://github.com/aws/amazon-ecs-cni-plugins/issues/93',
      cause: null,
      fixIncludes: ['aws ecs describe-tasks --cluster <cluster> --tasks 0a4563d3-ddc4-44ce-9b46-a0cd0eb1d05f --region us-east-1'],
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
