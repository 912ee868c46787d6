import { describe, expect, it } from 'vitest';
import { explainText } from '../../shared/diagnose';
import rule from '../../shared/rules/fargate-task-size';
import { judge } from '../../shared/rules/fargate-task-size/matrix';
import { apiCallEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html';
const CLI_FORM = "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Invalid 'cpu' setting for task.";
const TERRAFORM_FORM = 'Error: ClientException: No Fargate configuration exists for given values.';
/** The API message CloudTrail records as errorMessage (the part after "ClientException: "). */
const INVALID_CPU_MESSAGE =
  "Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";
const INVALID_CPU_SOURCE = 'https://github.com/cds-snc/notification-terraform/pull/329';
const MIGRATION_STORY = '../shared/mission/ecs-footguns.md §4 (1 vCPU with 16 GB; 32 vCPU with 128 GB), request shape per the RegisterTaskDefinition API';

function registerTaskDefinition(parameters: Record<string, unknown>, errorMessage?: string) {
  return apiCallEvent({
    eventName: 'RegisterTaskDefinition',
    requestParameters: {
      family: 'webserver',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{ name: 'web', image: 'nginx', essential: true }],
      ...parameters,
    },
    ...(errorMessage ? { errorCode: 'ClientException', errorMessage } : {}),
  });
}

ruleTester(rule, {
  invalid: [
    { name: 'AWS CLI form', text: CLI_FORM, source: DOC, cause: 'invalid-combination', fixIncludes: ['aws ecs describe-task-definition'] },
    { name: 'Terraform form', text: TERRAFORM_FORM, source: DOC, cause: 'invalid-combination' },
    { name: 'Terraform form, lower-cased by a log pipeline', text: TERRAFORM_FORM.toLowerCase(), source: DOC, cause: 'invalid-combination' },
    { name: 'Terraform with the doc-link suffix', text: `Error: ClientException: ${INVALID_CPU_MESSAGE}`, source: INVALID_CPU_SOURCE, cause: 'invalid-combination' },
    {
      name: 'CloudFormation echoes the values, wrapped across lines: the fix names the nearest valid pair',
      text: 'Resource handler returned message: "Invalid request provided: Create TaskDefinition: No Fargate configuration exists for given values: 512 CPU\n, 512 memory. See the Amazon ECS documentation for the valid values. (Service: AmazonECS; Status Code: 400; Error Code: ClientException; Reque',
      source: 'https://github.com/towardsthecloud/aws-cdk-examples/issues/1',
      cause: 'invalid-combination',
      fixIncludes: ['"cpu": "512" and "memory": "1024"'],
    },
    {
      name: 'container memory above the task (Pulumi)',
      text: "ClientException: The 'memory' setting for container 'worker' is greater than for the task.",
      source: 'https://github.com/pulumi/pulumi-awsx/issues/1220',
      cause: 'container-exceeds-task',
      fixIncludes: ['container worker'],
    },
    {
      name: 'container memory above the task, with the SDK status line',
      text: "ClientException: The 'memory' setting for container 'blah' is greater than for the task.\n\tstatus code: 400, request id: 5b315435-4e8f-11e9-902b-637d0e80e28d",
      source: 'https://github.com/pulumi/pulumi-awsx/issues/188',
      cause: 'container-exceeds-task',
    },
    {
      name: 'container memory above the task, InvalidParameterException wording',
      text: "InvalidParameterException: 'memory' setting for container 'artillery' is greater than for task.",
      source: 'https://github.com/artilleryio/artillery/issues/591',
      cause: 'container-exceeds-task',
    },
    {
      name: 'containers cpu above the task (CloudFormation)',
      text: "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'. (Service: AmazonECS; Status Code: 400; Error Code: ClientException;",
      source: 'https://github.com/aws/aws-cdk/issues/1553',
      cause: 'container-exceeds-task',
    },
    {
      name: 'no task-level cpu',
      text: "Error: ClientException: Fargate requires that 'cpu' be defined at the task level.",
      source: 'https://github.com/mongodb/terraform-aws-ecs-task-definition/issues/38',
      cause: 'missing-task-size',
    },
    {
      name: 'no task-level memory',
      text: "ClientException: Fargate requires that 'memory' be defined at the task level.\n\tstatus code: 400",
      source: 'https://github.com/aws/amazon-ecs-cli/issues/982',
      cause: 'missing-task-size',
    },
    {
      name: 'CloudTrail: failed RegisterTaskDefinition, 1 vCPU with 16 GB',
      event: registerTaskDefinition({ cpu: '1024', memory: '16384' }, INVALID_CPU_MESSAGE),
      source: `${INVALID_CPU_SOURCE}; ${MIGRATION_STORY}`,
      cause: 'invalid-combination',
      fixIncludes: ['In task definition webserver, set "cpu": "2048" and "memory": "16384"', 'Or keep "cpu": "1024" and set "memory": "8192"'],
      explanationIncludes: ['cpu 1024 with memory 16384 is not a Fargate size', 'cpu 2048 takes memory 4096–16384'],
    },
    {
      name: 'CloudTrail: vCPU and GB units in the request',
      event: registerTaskDefinition({ cpu: '1 vCPU', memory: '16 GB' }, INVALID_CPU_MESSAGE),
      source: `${INVALID_CPU_SOURCE}; ${DOC} (cpu may be given in vCPU, memory in GB)`,
      cause: 'invalid-combination',
      fixIncludes: ['"cpu": "2048" and "memory": "16384"'],
    },
    {
      name: 'CloudTrail: 32 vCPU / 128 GB is above the Fargate maximum',
      event: registerTaskDefinition({ cpu: '32768', memory: '131072' }, 'No Fargate configuration exists for given values.'),
      source: `${DOC}; ${MIGRATION_STORY}`,
      cause: 'above-fargate-max',
      fixIncludes: ['EC2'],
    },
    {
      name: 'CloudTrail: 8 vCPU is above the Windows maximum',
      event: registerTaskDefinition(
        { cpu: '8192', memory: '16384', runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2019_CORE', cpuArchitecture: 'X86_64' } },
        INVALID_CPU_MESSAGE,
      ),
      source: `${INVALID_CPU_SOURCE}; ${DOC} (Windows: 1–4 vCPU)`,
      cause: 'above-fargate-max',
    },
    {
      name: 'CloudTrail: a container asks for more memory than the task; the fix sizes the task for all containers',
      event: registerTaskDefinition(
        {
          cpu: '2048',
          memory: '16384',
          containerDefinitions: [
            { name: 'server', image: 'app', cpu: 1024, memory: 8192, essential: true },
            { name: 'worker', image: 'app', cpu: 1024, memory: 32768, essential: true },
          ],
        },
        "The 'memory' setting for container 'worker' is greater than for the task.",
      ),
      source: 'https://github.com/pulumi/pulumi-awsx/issues/1220 (same containers: 8 GiB + 32 GiB)',
      cause: 'container-exceeds-task',
      fixIncludes: ['"cpu": "8192" and "memory": "40960"'],
      explanationIncludes: ['memory 40960 MiB together'],
    },
    {
      name: 'CloudTrail: RunTask on Fargate with an invalid override pair',
      event: apiCallEvent({
        eventName: 'RunTask',
        requestParameters: {
          cluster: 'default',
          taskDefinition: 'webserver:5',
          launchType: 'FARGATE',
          overrides: { cpu: '1024', memory: '16384' },
        },
      }),
      source: `${MIGRATION_STORY}; RunTask overrides.cpu/memory per https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity`,
      cause: 'invalid-combination',
      fixIncludes: ['--overrides', '"cpu": "2048", "memory": "16384"'],
    },
  ],
  valid: [
    {
      name: 'a container without memory (EC2 requirement), not a Fargate size',
      text: "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Invalid setting for container 'aaaaaaa'. At least one of 'memory' or 'memoryReservation' must be specified.",
      source: 'https://github.com/cuttlesoft/ecs-deploy.py/issues/17',
    },
    {
      name: 'the container-count limit',
      text: 'ClientException: Too many containers.',
      source: 'https://github.com/aws/amazon-ecs-cli/issues/184',
    },
    {
      name: 'the account vCPU quota (capacity-pending)',
      text: "You've reached the limit on the number of vCPUs you can run concurrently",
      source: 'https://github.com/paradisec-archive/nabu/blob/main/docs/mediaflux-backup-event-loss.md',
    },
    {
      name: 'a size above the account limit, at placement (capacity-pending)',
      text: 'service (service-name) was unable to place a task. Reason: The requested CPU configuration is above your limit.',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html',
    },
    {
      name: 'a container killed for memory at run time (container-oom-killed)',
      text: 'OutOfMemoryError: Container killed due to memory usage',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/1187',
    },
    {
      name: 'CloudTrail: a valid Fargate pair',
      event: registerTaskDefinition({ cpu: '1024', memory: '8192' }),
      source: DOC,
    },
    {
      name: 'CloudTrail: an EC2-only task definition may use any size',
      event: registerTaskDefinition({ requiresCompatibilities: ['EC2'], cpu: '1024', memory: '16384' }),
      source: `${DOC} (EC2 accepts 0.25–192 vCPU)`,
    },
    {
      name: 'CloudTrail: the unchanged AWS CreateCluster sample',
      event: apiCallEvent({ eventName: 'CreateCluster', requestParameters: { clusterName: 'default' } }),
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/logging-using-cloudtrail.html',
    },
  ],
});

describe('the Fargate size matrix', () => {
  it('accepts every documented edge and rejects the steps in between', () => {
    expect(judge({ cpu: 256, memory: 512 }, 'linux').kind).toBe('valid');
    expect(judge({ cpu: 256, memory: 1536 }, 'linux').kind).toBe('invalid');
    expect(judge({ cpu: 4096, memory: 30720 }, 'linux').kind).toBe('valid');
    expect(judge({ cpu: 8192, memory: 18432 }, 'linux')).toMatchObject({ kind: 'invalid', recommended: { cpu: 8192, memory: 20480 } });
    expect(judge({ cpu: 16384, memory: 122880 }, 'linux').kind).toBe('valid');
    expect(judge({ cpu: 16384, memory: 122880 }, 'windows').kind).toBe('above-max');
  });

  it('names the valid CPUs when the CPU itself is not one', () => {
    const verdict = judge({ cpu: 1536, memory: 3072 }, 'linux');
    expect(verdict).toMatchObject({ kind: 'invalid', recommended: { cpu: 2048, memory: 4096 } });
    expect(verdict.kind === 'invalid' && verdict.advice).toContain('cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384');
  });
});

describe('fargate-task-size in the whole catalogue', () => {
  it('ranks first for the documented RegisterTaskDefinition error', async () => {
    const [first] = await explainText(CLI_FORM);
    expect(first?.rule).toBe('fargate-task-size');
    expect(first?.unchecked).toEqual([]);
  });
});
