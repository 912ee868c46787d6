import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/log-group-missing';
import { stoppedTaskEvent, SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const EC2_FORM =
  'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist';
const EC2_SOURCE = 'https://github.com/cn-terraform/terraform-aws-nexus/issues/35';
const FARGATE_FORM =
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';
const FARGATE_SOURCE = '../shared/reference/ecs-events.md §8.4 (PV 1.4 form, observed in public repo notes)';

ruleTester(rule, {
  invalid: [
    { name: 'EC2 / PV 1.3 container reason', text: EC2_FORM, source: EC2_SOURCE, cause: null, fixIncludes: ['aws logs create-log-group'] },
    { name: 'Fargate PV 1.4 stoppedReason', text: FARGATE_FORM, source: FARGATE_SOURCE, cause: null },
    { name: 'lower-cased by a log pipeline', text: FARGATE_FORM.toLowerCase(), source: FARGATE_SOURCE, cause: null },
    {
      name: 'stopped task event',
      event: stoppedTaskEvent({ stoppedReason: FARGATE_FORM, stopCode: 'TaskFailedToStart' }),
      source: FARGATE_SOURCE,
      cause: null,
    },
  ],
  valid: [
    {
      name: 'a connection problem reaching CloudWatch Logs is not a missing group',
      text: 'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed',
      source: '../shared/reference/ecs-events.md §8.4',
    },
    {
      name: 'a missing log stream in an application library',
      text: 'Error: { ResourceNotFoundException: The specified log stream does not exist.',
      source: 'https://github.com/mentum/lawgs/issues/11',
    },
    {
      name: 'the application itself writing to a missing group',
      text: 'Caught exception: An error occurred (ResourceNotFoundException) when calling the PutLogEvents operation: The specified log group does not exist.',
      source: 'https://github.com/osperlabs/logbeam/issues/7',
    },
  ],
});


describe('log-group-missing investigation', () => {
  const event = stoppedTaskEvent({ stoppedReason: FARGATE_FORM, stopCode: 'TaskFailedToStart' });

  it('names the missing group and gives the exact create command', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        {
          input: { taskDefinition: taskDefinitionArn },
          output: {
            taskDefinition: {
              taskDefinitionArn,
              family: 'webserver',
              containerDefinitions: [
                {
                  name: 'web',
                  image: 'nginx',
                  logConfiguration: {
                    logDriver: 'awslogs',
                    options: { 'awslogs-group': '/ecs/webserver', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' },
                  },
                },
              ],
            },
          },
        },
      ],
      'logs:DescribeLogGroups': [{ input: { logGroupNamePrefix: '/ecs/webserver' }, output: { logGroups: [] } }],
    });
    const result = await diagnoseEvent(event, reader);
    expect(result.status).toBe('diagnosed');
    const [finding] = result.status === 'diagnosed' ? result.findings : [];
    expect(finding?.rule).toBe('log-group-missing');
    expect(finding?.fix).toBe('aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1');
    expect(finding?.resource.container).toBe('web');
    expect(finding?.unchecked).toEqual([]);
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        { input: { taskDefinition: taskDefinitionArn }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeTaskDefinition' } },
      ],
    });
    const result = await diagnoseEvent(event, reader);
    const [finding] = result.status === 'diagnosed' ? result.findings : [];
    expect(finding?.rule).toBe('log-group-missing');
    expect(finding?.fix).toContain('awslogs-create-group');
    expect(finding?.unchecked).toEqual([
      { check: "the task definition's log configuration", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTaskDefinition' },
    ]);
  });
});
