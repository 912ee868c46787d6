import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/capacity-pending';
import { apiCallEvent, awsSample, serviceActionEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const SERVICE_EVENTS_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html';
const SERVICE_ACTION_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html';
const API_FAILURES_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html';
const CLOUDDRIVER = 'https://github.com/spinnaker/clouddriver (clouddriver-ecs ServerGroupEventStatusConverterSpec.groovy)';
const CPU_MESSAGE =
  '(service clouddriver-dev-v0013) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance b2db08b9-0e55-4f7e-8331-f9fb0a707938) has insufficient CPU units available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.';
const VCPU_QUOTA = "You've reached the limit on the number of vCPUs you can run concurrently";
const NABU = 'https://github.com/paradisec-archive/nabu/blob/main/docs/mediaflux-backup-event-loss.md';

const placementFailure = (reason: string) =>
  serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason });

ruleTester(rule, {
  invalid: [
    { name: 'AWS sample: SERVICE_TASK_PLACEMENT_FAILURE RESOURCE:CPU', event: awsSample('service-action-service-task-placement-failure-cpu'), source: SERVICE_ACTION_DOC, cause: 'insufficient-cpu' },
    {
      name: 'SERVICE_TASK_PLACEMENT_FAILURE RESOURCE:MEMORY',
      event: placementFailure('RESOURCE:MEMORY'),
      source: `${SERVICE_ACTION_DOC} (event shape); ${API_FAILURES_DOC} (RESOURCE:MEMORY)`,
      cause: 'insufficient-memory',
    },
    { name: 'service event: insufficient CPU, the service named in the fix', text: CPU_MESSAGE, source: CLOUDDRIVER, cause: 'insufficient-cpu', fixIncludes: ['--service clouddriver-dev-v0013'] },
    { name: 'service event: insufficient CPU, lower-cased', text: CPU_MESSAGE.toLowerCase(), source: CLOUDDRIVER, cause: 'insufficient-cpu' },
    {
      name: 'service event: insufficient CPU, documented template',
      text: 'service (service-name) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance container-instance-id has insufficient CPU units available.',
      source: SERVICE_EVENTS_DOC,
      cause: 'insufficient-cpu',
    },
    {
      name: 'service event: insufficient memory',
      text: 'service httpd-web-SRZPVERKQOL was unable to place a task because no container instance met all of its requirements. The closest matching container-instance b1a73168-f8a6-4ed9-b69e-94adc7a0f1e0 has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
      source: 'https://github.com/convox/rack (api/models ECS services test, TestEventsCapacityWarning)',
      cause: 'insufficient-memory',
    },
    {
      name: 'ecs-cli: reason=RESOURCE:MEMORY',
      text: "Couldn't run containers. reason=RESOURCE:MEMORY",
      source: 'https://github.com/aws/amazon-ecs-cli/issues/184',
      cause: 'insufficient-memory',
    },
    {
      name: 'the seed symptom: no instances in the capacity provider',
      text: 'service (service-name) was unable to reach steady state. Reason: No Container Instances were found in your capacity provider.',
      source: SERVICE_EVENTS_DOC,
      cause: 'no-instances',
      explanationIncludes: ['Service auto scaling only changes the number of tasks', 'ECS_CLUSTER'],
    },
    {
      name: 'no instances in the cluster, bracketed service name',
      text: 'service [hexo-discord-diffusion-prod] was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
      source: 'https://github.com/aws-samples/amazon-scalable-infra-discord-diffusion/issues/3',
      cause: 'no-instances',
      fixIncludes: ['--service hexo-discord-diffusion-prod'],
    },
    { name: 'TaskFailedToStart: NO ACTIVE INSTANCES', text: 'TaskFailedToStart: NO ACTIVE INSTANCES', source: API_FAILURES_DOC, cause: 'no-instances' },
    { name: 'TaskFailedToStart: EMPTY CAPACITY PROVIDER', text: 'TaskFailedToStart: EMPTY CAPACITY PROVIDER', source: API_FAILURES_DOC, cause: 'no-instances' },
    { name: 'AWS sample: RESOURCE:FARGATE on FARGATE_SPOT', event: awsSample('service-action-service-task-placement-failure-fargate'), source: SERVICE_ACTION_DOC, cause: 'fargate-capacity' },
    {
      name: 'Fargate capacity unavailable (service event)',
      text: 'service (service-name) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.',
      source: SERVICE_EVENTS_DOC,
      cause: 'fargate-capacity',
    },
    {
      name: 'Fargate capacity unavailable (as a deploy tool prints it)',
      text: 'ERROR: was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone',
      source: 'https://github.com/sil-org/ecs-deploy/issues/277',
      cause: 'fargate-capacity',
    },
    {
      name: 'vCPU quota inside a failed deployment message',
      text: "(service production) (deployment ecs-svc/xxxxxx) deployment failed: tasks failed to start. (service production) was unable to place a task. Reason: You've reached the limit on the number of vCPUs you can run concurrently. For more informa-tion, see the Troubleshooting section of the Amazon ECS Developer Guide.",
      source: 'https://www.flightcontrol.dev/docs/troubleshooting/concurrent-cpu-limit',
      cause: 'quota',
      fixIncludes: ['request-service-quota-increase'],
    },
    {
      name: 'vCPU quota, documented with a typographic apostrophe',
      text: 'service (service-name) was unable to place a task. Reason: You’ve reached the limit on the number of vCPUs you can run concurrently',
      source: SERVICE_EVENTS_DOC,
      cause: 'quota',
    },
    {
      name: 'concurrent task quota',
      text: "service (service-name) was unable to place a task. Reason: You've reached the limit on the number of tasks you can run concurrently",
      source: SERVICE_EVENTS_DOC,
      cause: 'quota',
    },
    {
      name: 'CloudTrail: RunTask answered 200 with the vCPU refusal in failures[]',
      event: apiCallEvent({
        eventName: 'RunTask',
        requestParameters: { cluster: 'default', taskDefinition: 'mediaflux-upload', launchType: 'FARGATE', count: 1 },
        responseElements: { tasks: [], failures: [{ reason: VCPU_QUOTA }] },
      }),
      source: NABU,
      cause: 'quota',
    },
    {
      name: 'the PROVISIONING limit',
      text: 'service (service-name) was unable to place tasks in your cluster because the tasks provisioning capacity limit was exceeded.',
      source: SERVICE_EVENTS_DOC,
      cause: 'provisioning-limit',
    },
  ],
  valid: [
    {
      name: 'ENI slots are awsvpc-ip-exhaustion',
      text: 'service appmesh-dev-ecs-colorapp-TcpEchoService-14M0PCTB9QFKJ was unable to place a task because no container instance met all of its requirements. The closest matching container-instance acf43593-6b86-4838-86e5-46d896fdc8b3 encountered error "RESOURCE:ENI". For more information, see the Troubleshooting section.',
      source: 'https://github.com/aws/aws-app-mesh-examples/issues/342',
    },
    { name: 'SERVICE_TASK_PLACEMENT_FAILURE RESOURCE:ENI', event: placementFailure('RESOURCE:ENI'), source: `${SERVICE_ACTION_DOC}; ${API_FAILURES_DOC}` },
    {
      name: 'a disconnected agent',
      text: "service my-service was unable to place a task because no container instance met all of its requirements. The closest matching container-instance ****af580523fe1022f095e doesn't have the agent connected. For more information, see the Troubleshooting section.",
      source: 'https://github.com/aws-actions/amazon-ecs-deploy-task-definition/issues/260',
    },
    {
      name: 'a missing attribute',
      text: 'service neo4j-stack-ecs-28-Neo4jClusterECSservice-1111111111 was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 11111-2222-3333-444-5555 is missing an attribute required by your task. For more information, see the Troubleshooting section.',
      source: 'https://github.com/getsocial-rnd/neo4j-aws-causal-cluster/issues/4',
    },
    {
      name: 'a port conflict',
      text: '(service deploy-ecs-frontend-test-deploy-deploy-ecs-frontend-manifest-1) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 47d5cb9a-6e38-495e-9777-5ae6d02a3720) is already using a port required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
      source: 'https://github.com/Shippable/support/issues/4462',
    },
    { name: 'subnet IPs are awsvpc-ip-exhaustion', text: 'InsufficientFreeAddressesInSubnet', source: NABU },
    { name: 'AWS sample: CAPACITY_PROVIDER_STEADY_STATE', event: awsSample('service-action-capacity-provider-steady-state'), source: SERVICE_ACTION_DOC },
    {
      name: 'an invalid Fargate size is fargate-task-size',
      text: 'Error: ClientException: No Fargate configuration exists for given values.',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html',
    },
  ],
});

const capacityProvider = 'ASG-tutorial-capacity-provider';
const asgArn = `arn:aws:autoscaling:us-west-2:111122223333:autoScalingGroup:a1b2c3d4-5678-90ab-cdef-EXAMPLE11111:autoScalingGroupName/${capacityProvider}-asg`;

function account(overrides: { service?: object; cluster?: object; managedScaling?: 'ENABLED' | 'DISABLED' }): Snapshot {
  return {
    'ecs:DescribeServices': [
      {
        input: { cluster: 'default', services: ['servicetest'] },
        output: {
          services: [
            {
              serviceName: 'servicetest',
              clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/default',
              desiredCount: 20,
              runningCount: 12,
              pendingCount: 0,
              capacityProviderStrategy: [{ capacityProvider, weight: 1, base: 0 }],
              ...overrides.service,
            },
          ],
          failures: [],
        },
      },
    ],
    'ecs:DescribeClusters': [
      {
        input: { clusters: ['default'] },
        output: {
          clusters: [
            {
              clusterName: 'default',
              registeredContainerInstancesCount: 3,
              runningTasksCount: 12,
              pendingTasksCount: 0,
              capacityProviders: [capacityProvider],
              defaultCapacityProviderStrategy: [{ capacityProvider, weight: 1, base: 0 }],
              ...overrides.cluster,
            },
          ],
          failures: [],
        },
      },
    ],
    'ecs:DescribeCapacityProviders': [
      {
        input: { capacityProviders: [capacityProvider] },
        output: {
          capacityProviders: [
            {
              name: capacityProvider,
              status: 'ACTIVE',
              autoScalingGroupProvider: {
                autoScalingGroupArn: asgArn,
                managedScaling: { status: overrides.managedScaling ?? 'DISABLED', targetCapacity: 100 },
                managedTerminationProtection: 'DISABLED',
              },
            },
          ],
        },
      },
    ],
  };
}

async function firstFinding(event: unknown, snapshot: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snapshot));
  return result.status === 'diagnosed' ? result.findings[0] : undefined;
}

const notInReader = [
  { check: "the service's auto scaling range", reason: 'application-autoscaling:DescribeScalableTargets is not in the reader yet' },
  { check: "the Auto Scaling group's min/desired/max size and recent scaling activity", reason: 'autoscaling:DescribeAutoScalingGroups is not in the reader yet' },
];

describe('capacity-pending investigation', () => {
  const cpuEvent = awsSample('service-action-service-task-placement-failure-cpu');

  it('finds the capacity provider without managed scaling and gives the command for it', async () => {
    const finding = await firstFinding(cpuEvent, account({}));
    expect(finding?.rule).toBe('capacity-pending');
    expect(finding?.cause).toBe('insufficient-cpu');
    expect(finding?.explanation).toContain('The service wants 20 tasks and runs 12 (0 pending); the cluster has 3 registered instance(s)');
    expect(finding?.explanation).toContain(`Capacity provider ${capacityProvider} has managed scaling turned off`);
    expect(finding?.fix).toContain(
      `aws ecs update-capacity-provider --name ${capacityProvider} --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"`,
    );
    expect(finding?.fix).toContain(`--auto-scaling-group-names ${capacityProvider}-asg`);
    expect(finding?.unchecked).toEqual(notInReader);
  });

  it('points at the Auto Scaling group when managed scaling is already on', async () => {
    const finding = await firstFinding(cpuEvent, account({ managedScaling: 'ENABLED' }));
    expect(finding?.explanation).toContain('Managed scaling is on');
    expect(finding?.fix).toContain(`aws autoscaling describe-scaling-activities --auto-scaling-group-name ${capacityProvider}-asg`);
  });

  it('says nothing scales the cluster when the service uses the EC2 launch type without a capacity provider', async () => {
    const finding = await firstFinding(
      cpuEvent,
      account({ service: { capacityProviderStrategy: [], launchType: 'EC2' }, cluster: { capacityProviders: [], defaultCapacityProviderStrategy: [] } }),
    );
    expect(finding?.explanation).toContain('Nothing scales this cluster: the service uses launch type EC2');
    expect(finding?.fix).toContain('aws ecs create-capacity-provider');
    expect(finding?.fix).toContain('aws ecs update-service --cluster default --service servicetest --capacity-provider-strategy');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const denied = (operation: string) => ({ name: 'AccessDeniedException', message: `User is not authorized to perform: ${operation}` });
    const finding = await firstFinding(cpuEvent, {
      'ecs:DescribeServices': [{ input: { cluster: 'default', services: ['servicetest'] }, error: denied('ecs:DescribeServices') }],
      'ecs:DescribeClusters': [{ input: { clusters: ['default'] }, error: denied('ecs:DescribeClusters') }],
    });
    expect(finding?.cause).toBe('insufficient-cpu');
    expect(finding?.fix).toContain('aws ecs update-capacity-provider --name <capacity-provider>');
    expect(finding?.unchecked).toEqual([
      { check: "the service's task counts and capacity provider strategy", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeServices' },
      { check: "the cluster's instances and capacity providers", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeClusters' },
    ]);
  });

  it('treats Fargate capacity as a warning and asks for another Availability Zone when all subnets share one', async () => {
    const finding = await firstFinding(awsSample('service-action-service-task-placement-failure-fargate'), {
      'ecs:DescribeServices': [
        {
          input: { cluster: 'default', services: ['servicetest'] },
          output: {
            services: [
              {
                serviceName: 'servicetest',
                desiredCount: 4,
                runningCount: 2,
                pendingCount: 0,
                capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
                networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' } },
              },
            ],
          },
        },
      ],
      'ec2:DescribeSubnets': [
        {
          input: { SubnetIds: ['subnet-0a1b2c3d4e5f60718'] },
          output: { Subnets: [{ SubnetId: 'subnet-0a1b2c3d4e5f60718', AvailabilityZone: 'us-west-2a', CidrBlock: '10.0.1.0/24', AvailableIpAddressCount: 240 }] },
        },
      ],
    });
    expect(finding?.cause).toBe('fargate-capacity');
    expect(finding?.severity).toBe('warning');
    expect(finding?.explanation).toContain('All of this service\'s subnets are in us-west-2a');
    expect(finding?.fix).toContain(
      "--network-configuration 'awsvpcConfiguration={subnets=[subnet-0a1b2c3d4e5f60718,<subnet-in-another-az>],securityGroups=[sg-0123456789abcdef0],assignPublicIp=DISABLED}'",
    );
    expect(finding?.unchecked).toEqual([]);
  });
});
