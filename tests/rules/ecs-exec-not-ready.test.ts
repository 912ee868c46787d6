import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { snapshotReader, type Snapshot } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/ecs-exec-not-ready';
import { apiCallEvent, SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

// AWS prints a typographic apostrophe in "isn’t".
const NOT_ENABLED =
  'An error occurred (InvalidParameterException) when calling the ExecuteCommand operation: The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.';
const NOT_ENABLED_SOURCE = 'https://github.com/keidarcy/e1s/issues/206';
const NOT_ENABLED_MESSAGE = NOT_ENABLED.slice(NOT_ENABLED.indexOf('The execute command'));
const NOT_CONNECTED =
  'An error occurred (TargetNotConnectedException) when calling the ExecuteCommand operation: The execute command failed due to an internal error. Try again later.';
const NOT_CONNECTED_SOURCE = 'https://github.com/aws/aws-cli/issues/6070';
const NOT_CONNECTED_MESSAGE = 'The execute command failed due to an internal error. Try again later.';

const cluster = 'example-cluster';
const taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/example-cluster/a1173316d40a45dea9';

function failedExec(errorCode: string, errorMessage: string) {
  return apiCallEvent({
    eventName: 'ExecuteCommand',
    requestParameters: { cluster, container: 'web', command: '/bin/sh', interactive: true, task: taskArn },
    errorCode,
    errorMessage,
  });
}

ruleTester(rule, {
  invalid: [
    { name: 'InvalidParameterException as the CLI prints it', text: NOT_ENABLED, source: NOT_ENABLED_SOURCE, cause: 'not-enabled', fixIncludes: ['--enable-execute-command --force-new-deployment'] },
    {
      name: 'the same with a straight apostrophe',
      text: NOT_ENABLED.replace('’', "'"),
      source: `${NOT_ENABLED_SOURCE}, with the apostrophe straightened as log pipelines and retyped notes do`,
      cause: 'not-enabled',
    },
    {
      name: 'truncated after the first sentence, in an SDK error',
      text: 'InvalidParameterException: The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running.',
      source: 'https://github.com/aws/aws-sdk-js/issues/3898',
      cause: 'not-enabled',
    },
    {
      name: 'failed ExecuteCommand in CloudTrail: not enabled',
      event: failedExec('InvalidParameterException', NOT_ENABLED_MESSAGE),
      source: `errorMessage: ${NOT_ENABLED_SOURCE}; record shape: ECS CloudTrail sample (tests/fixtures/events.ts apiCallEvent), ExecuteCommand request fields from the API reference`,
      cause: 'not-enabled',
      fixIncludes: ['--cluster example-cluster'],
    },
    { name: 'TargetNotConnectedException', text: NOT_CONNECTED, source: NOT_CONNECTED_SOURCE, cause: null, explanationIncludes: ['ssmmessages'] },
    {
      name: 'TargetNotConnectedException through Copilot',
      text: '✘ execute command python in container basalt: execute command: TargetNotConnectedException: The execute command failed due to an internal error. Try again later.',
      source: 'https://github.com/aws/copilot-cli/issues/3408',
      cause: null,
    },
    {
      name: 'failed ExecuteCommand in CloudTrail: target not connected',
      event: failedExec('TargetNotConnectedException', NOT_CONNECTED_MESSAGE),
      source: `errorMessage: ${NOT_CONNECTED_SOURCE}`,
      cause: null,
    },
    {
      name: 'the caller lacks ecs:ExecuteCommand',
      text: '✘ execute command /bin/sh in container core-api: execute command: AccessDeniedException: User: arn:aws:sts::xxx is not authorized to perform: ecs:ExecuteCommand on resource: arn:aws:ecs:us-west-1:xxxx',
      source: 'Blog post "Run Django Migration with AWS Copilot" (GitHub Pages, found through the code index), quoting copilot task exec output',
      cause: 'caller-permissions',
      fixIncludes: ['"Action": "ecs:ExecuteCommand"'],
    },
    {
      name: 'AccessDeniedException on ExecuteCommand in CloudTrail',
      event: failedExec('AccessDeniedException', 'User: arn:aws:sts::xxx is not authorized to perform: ecs:ExecuteCommand on resource: arn:aws:ecs:us-west-1:xxxx'),
      source: 'errorMessage from the Copilot blog post above; errorCode AccessDeniedException is ExecuteCommand\'s documented error (API reference)',
      cause: 'caller-permissions',
      fixIncludes: ['task/example-cluster/*'],
    },
    {
      name: 'no bash in the image',
      text: '----------ERROR-------\nUnable to start command: Failed to start pty: fork/exec /bin/bash: no such file or directory',
      source: 'boltops-tools/ufo docs, "Debugging Exec Into Container" (docs/_docs, category debug)',
      cause: 'command-not-found',
      fixIncludes: ['--command "/bin/sh"'],
    },
  ],
  valid: [
    {
      name: 'a non-interactive call: a usage error, not readiness',
      text: 'InvalidParameterException: An error occurred (InvalidParameterException) when calling the ExecuteCommand operation: Interactive is the only mode supported currently.',
      source: 'https://github.com/boto/boto3/issues/2822',
    },
    {
      name: 'AccessDenied for another action',
      text: '✘ get application example: get application example: AccessDeniedException: User: arn:aws:iam::358974 REMOVED:user/REMOVED is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-central-1:REMOVED:parameter/copilot/applications/example',
      source: 'https://github.com/aws/copilot-cli/issues/2013',
    },
    {
      name: 'docker exec into a shell-less image (not ECS Exec)',
      text: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/bin/bash": stat /bin/bash: no such file or directory: unknown',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/3246',
    },
    {
      name: 'ECS Exec throttled by the service',
      text: 'An error occurred (ServerException) when calling the ExecuteCommand operation (reached max retries: 4): Service Unavailable. Please try again later.',
      source: 'https://github.com/aws/containers-roadmap/issues/187',
    },
    {
      name: 'a successful ExecuteCommand in CloudTrail',
      event: apiCallEvent({ eventName: 'ExecuteCommand', requestParameters: { cluster, container: 'web', command: '/bin/sh', interactive: true, task: taskArn } }),
      source: 'ECS CloudTrail sample (tests/fixtures/events.ts apiCallEvent)',
    },
  ],
});

/** DescribeTasks as the SDK returns it, from the 2025 task sample's identifiers. */
function describedTask(options: { enableExecuteCommand: boolean; agentStatus?: string }) {
  return {
    tasks: [
      {
        taskArn,
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/example-cluster',
        taskDefinitionArn,
        group: 'service:webserver',
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        platformFamily: 'Linux',
        lastStatus: 'RUNNING',
        enableExecuteCommand: options.enableExecuteCommand,
        startedAt: '2025-05-06T11:02:34.325Z',
        attachments: [{ id: 'fe3a9a46-6a47-40ee-afd9-7952ae90a75a', type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'subnetId', value: 'subnet-0d0eab1bb38d5ca64' }] }],
        containers: [
          {
            name: 'web',
            lastStatus: 'RUNNING',
            managedAgents: options.agentStatus ? [{ name: 'ExecuteCommandAgent', lastStatus: options.agentStatus, lastStartedAt: '2025-05-06T11:02:36.000Z' }] : [],
          },
        ],
      },
    ],
    failures: [],
  };
}

function taskDefinition(extra: Record<string, unknown> = {}) {
  return {
    taskDefinition: {
      taskDefinitionArn,
      family: 'webserver',
      revision: 5,
      taskRoleArn: 'arn:aws:iam::123456789012:role/webserverTaskRole',
      containerDefinitions: [{ name: 'web', image: 'nginx', essential: true }],
      ...extra,
    },
  };
}

async function firstFinding(event: unknown, snapshot: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snapshot));
  return result.status === 'diagnosed' ? result.findings.find((f) => f.rule === 'ecs-exec-not-ready') : undefined;
}

describe('ecs-exec-not-ready investigation', () => {
  const describeTasks = { input: { cluster, tasks: [taskArn] } };
  const describeDefinition = { input: { taskDefinition: taskDefinitionArn } };

  it('names a task launched before ECS Exec was turned on for its service', async () => {
    const finding = await firstFinding(failedExec('InvalidParameterException', NOT_ENABLED_MESSAGE), {
      'ecs:DescribeTasks': [{ ...describeTasks, output: describedTask({ enableExecuteCommand: false }) }],
      'ecs:DescribeServices': [{ input: { cluster, services: ['webserver'] }, output: { services: [{ serviceName: 'webserver', enableExecuteCommand: true }], failures: [] } }],
      'ecs:DescribeTaskDefinition': [{ ...describeDefinition, output: taskDefinition() }],
    });
    expect(finding?.cause).toBe('not-enabled');
    expect(finding?.explanation).toContain('started before');
    expect(finding?.fix).toContain('aws ecs update-service --cluster example-cluster --service webserver --enable-execute-command --force-new-deployment');
    expect(finding?.resource.service).toBe('webserver');
    expect(finding?.unchecked).toEqual([]);
  });

  it('warns that turning ECS Exec on will not suffice when the task has no task role', async () => {
    const finding = await firstFinding(failedExec('InvalidParameterException', NOT_ENABLED_MESSAGE), {
      'ecs:DescribeTasks': [{ ...describeTasks, output: describedTask({ enableExecuteCommand: false }) }],
      'ecs:DescribeServices': [{ input: { cluster, services: ['webserver'] }, output: { services: [{ serviceName: 'webserver', enableExecuteCommand: false }], failures: [] } }],
      'ecs:DescribeTaskDefinition': [{ ...describeDefinition, output: taskDefinition({ taskRoleArn: undefined }) }],
    });
    expect(finding?.cause).toBe('not-enabled');
    expect(finding?.explanation).toContain('will not be enough');
    expect(finding?.fix).toContain('Create a task role');
  });

  it('finds environment credentials that hijack the agent', async () => {
    const finding = await firstFinding(failedExec('TargetNotConnectedException', NOT_CONNECTED_MESSAGE), {
      'ecs:DescribeTasks': [{ ...describeTasks, output: describedTask({ enableExecuteCommand: true, agentStatus: 'RUNNING' }) }],
      'ecs:DescribeTaskDefinition': [
        {
          ...describeDefinition,
          output: taskDefinition({ containerDefinitions: [{ name: 'web', image: 'nginx', environment: [{ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' }] }] }),
        },
      ],
    });
    expect(finding?.cause).toBe('static-credentials');
    expect(finding?.explanation).toContain('web');
  });

  it('finds a VPC with endpoints but none for ssmmessages, and says what it could not check', async () => {
    const finding = await firstFinding(failedExec('TargetNotConnectedException', NOT_CONNECTED_MESSAGE), {
      'ecs:DescribeTasks': [{ ...describeTasks, output: describedTask({ enableExecuteCommand: true, agentStatus: 'RUNNING' }) }],
      'ecs:DescribeTaskDefinition': [{ ...describeDefinition, output: taskDefinition() }],
      'ec2:DescribeSubnets': [{ input: { SubnetIds: ['subnet-0d0eab1bb38d5ca64'] }, output: { Subnets: [{ SubnetId: 'subnet-0d0eab1bb38d5ca64', VpcId: 'vpc-0a1b2c3d' }] } }],
      'ec2:DescribeVpcEndpoints': [
        {
          input: { Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d'] }] },
          output: {
            VpcEndpoints: [
              { VpcEndpointId: 'vpce-1', VpcId: 'vpc-0a1b2c3d', ServiceName: 'com.amazonaws.us-east-1.ecr.dkr', VpcEndpointType: 'Interface' },
              { VpcEndpointId: 'vpce-2', VpcId: 'vpc-0a1b2c3d', ServiceName: 'com.amazonaws.us-east-1.ecs', VpcEndpointType: 'Interface' },
            ],
          },
        },
      ],
    });
    expect(finding?.cause).toBe('network');
    expect(finding?.fix).toContain('--service-name com.amazonaws.us-east-1.ssmmessages');
    expect(finding?.unchecked.map((u) => u.check)).toEqual([
      'whether arn:aws:iam::123456789012:role/webserverTaskRole allows ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel and ssmmessages:OpenDataChannel',
      'whether subnet subnet-0d0eab1bb38d5ca64 routes to the internet (NAT)',
    ]);
  });

  it('reports an agent that is still starting', async () => {
    const finding = await firstFinding(failedExec('InvalidParameterException', NOT_ENABLED_MESSAGE), {
      'ecs:DescribeTasks': [{ ...describeTasks, output: describedTask({ enableExecuteCommand: true, agentStatus: 'PENDING' }) }],
      'ecs:DescribeTaskDefinition': [{ ...describeDefinition, output: taskDefinition() }],
    });
    expect(finding?.cause).toBe('agent-not-running');
    expect(finding?.fix).toContain('Wait a few seconds');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const finding = await firstFinding(failedExec('InvalidParameterException', NOT_ENABLED_MESSAGE), {
      'ecs:DescribeTasks': [{ ...describeTasks, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeTasks' } }],
    });
    expect(finding?.cause).toBe('not-enabled');
    expect(finding?.fix).toContain('--enable-execute-command');
    expect(finding?.unchecked).toEqual([
      { check: 'ECS Exec settings of task a1173316d40a45dea9', reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTasks' },
    ]);
  });
});
