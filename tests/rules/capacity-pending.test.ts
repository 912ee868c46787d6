import type { Service, Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../cli/scenarios';
import { diagnoseEvent, diagnoseSignals } from '../../shared/diagnose';
import type { PendingRecheckSignal } from '../../shared/events/signals';
import type { Finding } from '../../shared/findings';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/capacity-pending';
import { apiCallEvent, awsSample, serviceActionEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';
import { countingReader } from '../support/counting-reader';

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
const resourceId = 'service/default/servicetest';
const denied = (operation: string) => ({ name: 'AccessDeniedException', message: `User is not authorized to perform: ${operation}` });
const throttled = { name: 'ThrottlingException', message: 'Rate exceeded' };

interface AccountOptions {
  service?: object;
  cluster?: object;
  managedScaling?: 'ENABLED' | 'DISABLED';
  group?: { MinSize: number; DesiredCapacity: number; MaxSize: number; inService: number };
}

function instances(count: number, launching: number) {
  return Array.from({ length: count + launching }, (_, i) => ({
    InstanceId: `i-0a1b2c3d4e5f6071${i}`,
    InstanceType: 'c5.large',
    AvailabilityZone: 'us-west-2a',
    LifecycleState: i < count ? 'InService' : 'Pending',
    HealthStatus: 'Healthy',
    ProtectedFromScaleIn: false,
  }));
}

/** The account behind the AWS EC2 placement-failure sample (service servicetest in cluster default), as SDK responses. */
function account(overrides: AccountOptions = {}): Snapshot {
  const group = overrides.group ?? { MinSize: 1, DesiredCapacity: 3, MaxSize: 6, inService: 3 };
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
    'autoscaling:DescribeAutoScalingGroups': [
      {
        input: { AutoScalingGroupNames: [`${capacityProvider}-asg`] },
        output: {
          AutoScalingGroups: [
            {
              AutoScalingGroupName: `${capacityProvider}-asg`,
              AutoScalingGroupARN: asgArn,
              MinSize: group.MinSize,
              MaxSize: group.MaxSize,
              DesiredCapacity: group.DesiredCapacity,
              DefaultCooldown: 300,
              AvailabilityZones: ['us-west-2a'],
              HealthCheckType: 'EC2',
              Instances: instances(group.inService, group.DesiredCapacity - group.inService),
              CreatedTime: '2019-11-01T17:02:31.000Z',
            },
          ],
        },
      },
    ],
    'application-autoscaling:DescribeScalableTargets': [
      {
        input: { ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: 'ecs:service:DesiredCount' },
        output: {
          ScalableTargets: [
            {
              ServiceNamespace: 'ecs',
              ResourceId: resourceId,
              ScalableDimension: 'ecs:service:DesiredCount',
              MinCapacity: 2,
              MaxCapacity: 20,
              RoleARN: 'arn:aws:iam::111122223333:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
              CreationTime: '2019-11-01T17:10:02.000Z',
              SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
            },
          ],
        },
      },
    ],
    'application-autoscaling:DescribeScalingActivities': [
      {
        input: { ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', MaxResults: 5, IncludeNotScaledActivities: true },
        output: {
          // Wording from the AWS CLI reference example for describe-scaling-activities (ECS service).
          ScalingActivities: [
            {
              ActivityId: 'e6c5f7d1-dbbb-4a3f-89b2-51f33e766399',
              ServiceNamespace: 'ecs',
              ResourceId: resourceId,
              ScalableDimension: 'ecs:service:DesiredCount',
              Description: 'Setting desired count to 20.',
              Cause: 'monitor alarm servicetest-cpu-gt-75 in state ALARM triggered policy servicetest-cpu-gt-75',
              StartTime: '2019-11-06T19:08:41.000Z',
              EndTime: '2019-11-06T19:09:12.000Z',
              StatusCode: 'Successful',
              StatusMessage: 'Successfully set desired count to 20. Change successfully fulfilled by ecs.',
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


describe('capacity-pending investigation', () => {
  const cpuEvent = awsSample('service-action-service-task-placement-failure-cpu');

  it('finds the capacity provider without managed scaling, with the scaling that asked for the tasks', async () => {
    const finding = await firstFinding(cpuEvent, account());
    expect(finding?.rule).toBe('capacity-pending');
    expect(finding?.cause).toBe('insufficient-cpu');
    expect(finding?.explanation).toContain('The service wants 20 tasks and runs 12 (0 pending); the cluster has 3 registered instance(s)');
    expect(finding?.explanation).toContain('Service auto scaling may run 2–20 tasks and has reached its maximum (20)');
    expect(finding?.explanation).toContain('Its last change set the desired count to 20, above the 12 running (monitor alarm servicetest-cpu-gt-75');
    expect(finding?.explanation).toContain(`Capacity provider ${capacityProvider} has managed scaling turned off`);
    expect(finding?.fix).toContain(
      `aws ecs update-capacity-provider --name ${capacityProvider} --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"`,
    );
    expect(finding?.fix).toContain(`${capacityProvider}-asg can then grow from 3 to its max size of 6 instances`);
    expect(finding?.evidence).toContainEqual({
      source: 'autoscaling:DescribeAutoScalingGroups',
      observed: `${capacityProvider}-asg: min 1, desired 3, max 6; 3 of 3 instance(s) InService`,
    });
    expect(finding?.unchecked).toEqual([]);
  });

  it('names the Auto Scaling group at its max size when managed scaling is on', async () => {
    const finding = await firstFinding(cpuEvent, account({ managedScaling: 'ENABLED', group: { MinSize: 1, DesiredCapacity: 3, MaxSize: 3, inService: 3 } }));
    expect(finding?.explanation).toContain(`Managed scaling is on, but Auto Scaling group ${capacityProvider}-asg is at its max size (3)`);
    expect(finding?.fix).toContain(`aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${capacityProvider}-asg --max-size <more than 3>`);
    expect(finding?.unchecked).toEqual([]);
  });

  it('says the group is launching instances when it is still below its desired capacity', async () => {
    const finding = await firstFinding(cpuEvent, account({ managedScaling: 'ENABLED', group: { MinSize: 1, DesiredCapacity: 5, MaxSize: 6, inService: 3 } }));
    expect(finding?.explanation).toContain(`${capacityProvider}-asg is launching 2 instance(s)`);
    expect(finding?.fix).toContain(`aws autoscaling describe-scaling-activities --auto-scaling-group-name ${capacityProvider}-asg`);
  });

  it('says what it could not read when the group has room and is not launching', async () => {
    const finding = await firstFinding(cpuEvent, account({ managedScaling: 'ENABLED' }));
    expect(finding?.explanation).toContain('the Auto Scaling group has room to grow and is not launching');
    expect(finding?.unchecked).toEqual([
      { check: 'why the Auto Scaling group is not launching instances (its scaling activities)', reason: 'autoscaling:DescribeScalingActivities is not a reader operation' },
    ]);
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

  it('degrades on the new scaling reads (throttled, denied) and still names the capacity provider', async () => {
    const snapshot = account({ managedScaling: 'ENABLED' });
    snapshot['autoscaling:DescribeAutoScalingGroups'] = [{ input: { AutoScalingGroupNames: [`${capacityProvider}-asg`] }, error: throttled }];
    snapshot['application-autoscaling:DescribeScalableTargets'] = [
      {
        input: { ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: 'ecs:service:DesiredCount' },
        error: denied('application-autoscaling:DescribeScalableTargets'),
      },
    ];
    const finding = await firstFinding(cpuEvent, snapshot);
    expect(finding?.cause).toBe('insufficient-cpu');
    expect(finding?.explanation).toContain('Managed scaling is on, yet the tasks are not placed: the Auto Scaling group is probably at its max size');
    expect(finding?.fix).toContain(`aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${capacityProvider}-asg`);
    expect(finding?.unchecked).toEqual([
      { check: "the service's auto scaling range", reason: 'AccessDeniedException: User is not authorized to perform: application-autoscaling:DescribeScalableTargets' },
      { check: "the Auto Scaling groups' min/desired/max size and instances", reason: 'ThrottlingException: Rate exceeded' },
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

// The PENDING re-check: built by hand, as the bot builds it, from the pending-pileup scenario's account.
const pileup = loadScenarios().find((s) => s.id === 'pending-pileup');
if (!pileup) throw new Error('cli/scenarios/pending-pileup.json is missing');
const pileupServices = pileup.snapshot['ecs:DescribeServices']?.[0]?.output as { services: Service[] } | undefined;
const pileupService = pileupServices?.services[0] ?? {};
const pileupCluster = 'arn:aws:ecs:us-west-2:111122223333:cluster/default';

/** A DescribeTasks task of orders-api still before RUNNING (SDK shape; the SDK returns Date objects). */
function stuckTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: `arn:aws:ecs:us-west-2:111122223333:task/default/${id}`,
    clusterArn: pileupCluster,
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/orders-api:12',
    group: 'service:orders-api',
    startedBy: 'ecs-svc/4271830968412705119',
    launchType: 'EC2',
    capacityProviderName: 'orders-ec2-capacity-provider',
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    cpu: '1024',
    memory: '2048',
    createdAt: new Date('2025-06-10T14:02:05.412Z'),
    containers: [{ name: 'orders', lastStatus: 'PENDING' }],
    ...overrides,
  };
}

function recheck(service: Service, stuckTasks: Task[], waitedSeconds = 300): PendingRecheckSignal {
  return {
    kind: 'pending-recheck',
    text: '',
    source: 'pending-recheck',
    resource: { account: '111122223333', region: 'us-west-2', cluster: 'default', service: service.serviceName ?? '' },
    service,
    stuckTasks,
    waitedSeconds,
  };
}

const withoutEvents = (service: Service, overrides: Partial<Service> = {}): Service => ({ ...service, events: [], ...overrides });

describe('capacity-pending: the PENDING re-check', () => {
  const provisioning = [stuckTask('5c0e2f4a8b1d4c7e9f3a6b2d8e0c1f47'), stuckTask('9a1b3c5d7e2f4a6b8c0d1e3f5a7b9c2d')];

  it('takes the cause a service event names since the last steady state, within 8 AWS calls, reading no service again', async () => {
    const { reader, calls } = countingReader(snapshotReader(pileup.snapshot));
    const [finding, ...others] = await diagnoseSignals([recheck(pileupService, provisioning)], reader);
    expect(others).toEqual([]);
    expect(finding?.rule).toBe('capacity-pending');
    // Same rule and cause as the placement failure: the re-check joins that incident instead of opening a second one.
    expect(finding?.cause).toBe('insufficient-memory');
    expect(finding?.evidence[0]).toEqual({
      source: 'ecs:DescribeTasks',
      observed:
        '2 task(s) still before RUNNING after 300 s: 2 PROVISIONING on capacity provider orders-ec2-capacity-provider (waiting for capacity: no instance has room, and ECS waits for the capacity provider to launch one)',
    });
    expect(finding?.evidence[1]?.source).toBe('ecs:DescribeServices events');
    expect(finding?.explanation).toContain('Auto Scaling group orders-ec2-asg is at its max size (4)');
    expect(finding?.fix).toContain('--auto-scaling-group-name orders-ec2-asg --max-size <more than 4>');
    expect(finding?.unchecked).toEqual([]);
    expect(calls).not.toContain('ecs:DescribeServices');
    expect(calls.length).toBeLessThanOrEqual(8);
    expect([...calls].sort()).toEqual([
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScalingActivities',
      'autoscaling:DescribeAutoScalingGroups',
      'ecs:DescribeCapacityProviders',
      'ecs:DescribeClusters',
    ]);
  });

  it('is stuck-pending when no service event says why, and still finds the group at its max', async () => {
    const [finding] = await diagnoseSignals([recheck(withoutEvents(pileupService), provisioning, 420)], snapshotReader(pileup.snapshot));
    expect(finding?.cause).toBe('stuck-pending');
    expect(finding?.severity).toBe('critical');
    expect(finding?.explanation).toContain('2 task(s) of service orders-api have not reached RUNNING after 420 s (desired 10, running 6, pending 0)');
    expect(finding?.explanation).toContain('Tasks in PROVISIONING on an EC2 capacity provider wait for an instance with room');
    expect(finding?.explanation).toContain('Managed scaling is on, but Auto Scaling group orders-ec2-asg is at its max size (4)');
    expect(finding?.explanation).toContain('Its last change set the desired count to 10, above the 6 running');
    expect(finding?.unchecked).toEqual([]);
  });

  it('on Fargate, reads the subnets and the service scaling, not the cluster', async () => {
    const service = withoutEvents(pileupService, {
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-05d93362e947058bc'], securityGroups: ['sg-0123456789abcdef0'] } },
    });
    const tasks = [stuckTask('5c0e2f4a8b1d4c7e9f3a6b2d8e0c1f47', { launchType: 'FARGATE', capacityProviderName: 'FARGATE' })];
    const snapshot: Snapshot = {
      ...pileup.snapshot,
      'ec2:DescribeSubnets': [
        {
          input: { SubnetIds: ['subnet-05d93362e947058bc'] },
          output: { Subnets: [{ SubnetId: 'subnet-05d93362e947058bc', AvailabilityZone: 'us-west-2a', CidrBlock: '10.0.8.0/24', AvailableIpAddressCount: 0 }] },
        },
      ],
    };
    const { reader, calls } = countingReader(snapshotReader(snapshot));
    const [finding] = await diagnoseSignals([recheck(service, tasks)], reader);
    expect(finding?.cause).toBe('stuck-pending');
    expect(finding?.explanation).toContain('Fargate tasks in PROVISIONING wait for Fargate capacity');
    expect(finding?.explanation).toContain("The service's subnets have no free address left");
    expect(finding?.evidence).toContainEqual({ source: 'ec2:DescribeSubnets', observed: '1 subnet(s) in 1 Availability Zone(s): us-west-2a; 0 free address(es)' });
    expect(calls).toEqual([
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScalingActivities',
      'ec2:DescribeSubnets',
    ]);
  });

  it('for tasks already placed and PENDING, checks the agent on their instance instead of capacity', async () => {
    const instance = 'arn:aws:ecs:us-west-2:111122223333:container-instance/default/2dd1b186f39845a584488d2ef155c131';
    const tasks = [stuckTask('5c0e2f4a8b1d4c7e9f3a6b2d8e0c1f47', { lastStatus: 'PENDING', containerInstanceArn: instance })];
    const snapshot: Snapshot = {
      'ecs:DescribeContainerInstances': [
        {
          input: { cluster: 'default', containerInstances: [instance] },
          output: {
            containerInstances: [
              {
                containerInstanceArn: instance,
                ec2InstanceId: 'i-0a1b2c3d4e5f60718',
                status: 'ACTIVE',
                agentConnected: false,
                versionInfo: { agentVersion: '1.89.2', agentHash: 'a1b2c3d4', dockerVersion: 'DockerVersion: 20.10.25' },
                runningTasksCount: 3,
                pendingTasksCount: 1,
              },
            ],
            failures: [],
          },
        },
      ],
    };
    const [finding] = await diagnoseSignals([recheck(withoutEvents(pileupService), tasks)], snapshotReader(snapshot));
    expect(finding?.cause).toBe('stuck-pending');
    expect(finding?.explanation).toContain('Tasks in PENDING are already placed, so capacity is not what they wait for');
    expect(finding?.explanation).toContain('The ECS agent on i-0a1b2c3d4e5f60718 is disconnected');
    expect(finding?.fix).toContain('aws ssm send-command --instance-ids i-0a1b2c3d4e5f60718');
    expect(finding?.unchecked).toEqual([]);
  });

  it('degrades on the re-check: a throttled read is unchecked and the finding stays', async () => {
    const snapshot: Snapshot = { ...pileup.snapshot, 'ecs:DescribeClusters': [{ input: { clusters: ['default'] }, error: throttled }] };
    const [finding] = await diagnoseSignals([recheck(withoutEvents(pileupService), provisioning)], snapshotReader(snapshot));
    expect(finding?.cause).toBe('stuck-pending');
    expect(finding?.unchecked).toEqual([{ check: "the cluster's instances and capacity providers", reason: 'ThrottlingException: Rate exceeded' }]);
    expect(finding?.explanation).toContain('orders-ec2-asg is at its max size (4)');
  });

  it('is a warning when the service already runs its desired count (only extra tasks wait)', async () => {
    const [finding] = await diagnoseSignals(
      [recheck(withoutEvents(pileupService, { runningCount: 10 }), provisioning)],
      snapshotReader(pileup.snapshot),
    );
    expect(finding?.severity).toBe('warning');
  });

  it('says nothing when no task is stuck any more', async () => {
    expect(await diagnoseSignals([recheck(pileupService, [])], snapshotReader(pileup.snapshot))).toEqual([]);
  });

  it('the pending-pileup scenario costs at most 8 AWS calls for its one incident', async () => {
    const { reader, calls } = countingReader(snapshotReader(pileup.snapshot));
    const findings: Finding[] = [];
    for (const event of pileup.events) {
      const result = await diagnoseEvent(event, reader);
      if (result.status === 'diagnosed') findings.push(...result.findings);
    }
    expect(findings.map((f) => [f.rule, f.cause])).toEqual([['capacity-pending', 'insufficient-memory']]);
    expect(calls).toHaveLength(6);
  });
});
