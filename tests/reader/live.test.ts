import { createServer, type Socket } from 'node:net';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeInstanceTypesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AccessDeniedException,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { liveOperations, liveReader, type ServiceClients } from '../../shared/reader/live';
import { type ReaderInput, type ReaderOperation, type ReaderOutput, readerOperations } from '../../shared/reader/port';
import { snapshotReader } from '../../shared/reader/snapshot';
import { stoppedTaskEvent } from '../fixtures/events';

const ACCOUNT = '123456789012';
const CLUSTER = 'example-cluster';
const TASK_DEFINITION = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/webserver:5`;
const TASK = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/${CLUSTER}/a1173316d40a45dea9`;
const SUBNET = 'subnet-0d0eab1bb38d5ca64';
const VPC = 'vpc-0b3bf25e0d2a3c1f8';
const TARGET_GROUP = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/webserver/73e2d6bc24d8a067`;
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-AbCdEf`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SCALABLE_RESOURCE = `service/${CLUSTER}/webserver`;

type Service = keyof ServiceClients;

interface Case<K extends ReaderOperation> {
  service: Service;
  command: abstract new (...args: never[]) => unknown;
  input: ReaderInput<K>;
  output: ReaderOutput<K>;
}

/**
 * What each operation must call, written independently of the reader's own
 * table. A Record over ReaderOperation, so a new port operation fails to
 * compile here until it has a case. Inputs and outputs are SDK-typed.
 */
const cases: { [K in ReaderOperation]: Case<K> } = {
  'ecs:DescribeServices': {
    service: 'ecs',
    command: DescribeServicesCommand,
    input: { cluster: CLUSTER, services: ['webserver'] },
    output: {
      services: [{ serviceName: 'webserver', desiredCount: 2, runningCount: 1, pendingCount: 0, healthCheckGracePeriodSeconds: 30 }],
      failures: [],
    },
  },
  'ecs:DescribeTaskDefinition': {
    service: 'ecs',
    command: DescribeTaskDefinitionCommand,
    input: { taskDefinition: TASK_DEFINITION },
    output: {
      taskDefinition: {
        family: 'webserver',
        revision: 5,
        containerDefinitions: [{ name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/webserver' } } }],
        registeredAt: new Date('2025-05-06T10:00:00.000Z'),
      },
    },
  },
  'ecs:DescribeTasks': {
    service: 'ecs',
    command: DescribeTasksCommand,
    input: { cluster: CLUSTER, tasks: [TASK] },
    output: {
      tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', createdAt: new Date('2025-05-06T11:02:40.000Z') }],
      failures: [],
    },
  },
  'ecs:ListTasks': {
    service: 'ecs',
    command: ListTasksCommand,
    input: { cluster: CLUSTER, serviceName: 'webserver', desiredStatus: 'STOPPED' },
    output: { taskArns: [TASK] },
  },
  'ecs:DescribeClusters': {
    service: 'ecs',
    command: DescribeClustersCommand,
    input: { clusters: [CLUSTER], include: ['STATISTICS'] },
    output: { clusters: [{ clusterName: CLUSTER, registeredContainerInstancesCount: 0, pendingTasksCount: 3, capacityProviders: ['asg-cp'] }] },
  },
  'ecs:ListClusters': {
    service: 'ecs',
    command: ListClustersCommand,
    input: { maxResults: 100 },
    output: { clusterArns: [`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${CLUSTER}`] },
  },
  'ecs:ListServices': {
    service: 'ecs',
    command: ListServicesCommand,
    input: { cluster: CLUSTER, maxResults: 100 },
    output: { serviceArns: [`arn:aws:ecs:us-east-1:${ACCOUNT}:service/${CLUSTER}/webserver`], nextToken: 'page-2' },
  },
  'ecs:DescribeCapacityProviders': {
    service: 'ecs',
    command: DescribeCapacityProvidersCommand,
    input: { capacityProviders: ['asg-cp'] },
    output: {
      capacityProviders: [
        {
          name: 'asg-cp',
          autoScalingGroupProvider: {
            autoScalingGroupArn: `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:1b2c:autoScalingGroupName/ecs-asg`,
            managedScaling: { status: 'ENABLED', targetCapacity: 100 },
          },
        },
      ],
    },
  },
  'ecs:DescribeContainerInstances': {
    service: 'ecs',
    command: DescribeContainerInstancesCommand,
    input: { cluster: CLUSTER, containerInstances: ['f2756532-8f13-4d53-87c9-aed50dc94cd7'] },
    output: { containerInstances: [{ ec2InstanceId: 'i-0c5b7e9d6a1f3e2d4', agentConnected: true, versionInfo: { agentVersion: '1.50.1' } }] },
  },
  'ecs:ListContainerInstances': {
    service: 'ecs',
    command: ListContainerInstancesCommand,
    input: { cluster: CLUSTER },
    output: { containerInstanceArns: [`arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${CLUSTER}/f2756532-8f13-4d53-87c9-aed50dc94cd7`] },
  },
  'ec2:DescribeSubnets': {
    service: 'ec2',
    command: DescribeSubnetsCommand,
    input: { SubnetIds: [SUBNET] },
    output: { Subnets: [{ SubnetId: SUBNET, VpcId: VPC, AvailabilityZone: 'us-east-1a', CidrBlock: '10.0.1.0/28', AvailableIpAddressCount: 0 }] },
  },
  'ec2:DescribeRouteTables': {
    service: 'ec2',
    command: DescribeRouteTablesCommand,
    input: { Filters: [{ Name: 'association.subnet-id', Values: [SUBNET] }] },
    output: { RouteTables: [{ RouteTableId: 'rtb-0a1b2c3d', Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0f1e2d3c' }] }] },
  },
  'ec2:DescribeVpcEndpoints': {
    service: 'ec2',
    command: DescribeVpcEndpointsCommand,
    input: { Filters: [{ Name: 'vpc-id', Values: [VPC] }] },
    output: { VpcEndpoints: [{ VpcEndpointId: 'vpce-0a1b2c3d4e5f', ServiceName: 'com.amazonaws.us-east-1.secretsmanager', VpcEndpointType: 'Interface' }] },
  },
  'ec2:DescribeInstanceTypes': {
    service: 'ec2',
    command: DescribeInstanceTypesCommand,
    input: { InstanceTypes: ['c5.large'] },
    output: { InstanceTypes: [{ InstanceType: 'c5.large', NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 } }] },
  },
  'ec2:DescribeSecurityGroups': {
    service: 'ec2',
    command: DescribeSecurityGroupsCommand,
    input: { GroupIds: ['sg-0a1b2c3d4e5f'] },
    output: { SecurityGroups: [{ GroupId: 'sg-0a1b2c3d4e5f', IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }] },
  },
  'elasticloadbalancing:DescribeTargetGroups': {
    service: 'elbv2',
    command: DescribeTargetGroupsCommand,
    input: { TargetGroupArns: [TARGET_GROUP] },
    output: { TargetGroups: [{ TargetGroupArn: TARGET_GROUP, HealthCheckIntervalSeconds: 30, UnhealthyThresholdCount: 2, HealthCheckPath: '/health' }] },
  },
  'elasticloadbalancing:DescribeTargetHealth': {
    service: 'elbv2',
    command: DescribeTargetHealthCommand,
    input: { TargetGroupArn: TARGET_GROUP },
    output: {
      TargetHealthDescriptions: [{ Target: { Id: '10.0.1.5', Port: 80 }, TargetHealth: { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch' } }],
    },
  },
  'logs:DescribeLogGroups': {
    service: 'logs',
    command: DescribeLogGroupsCommand,
    input: { logGroupNamePrefix: '/ecs/webserver' },
    output: { logGroups: [] },
  },
  'iam:SimulatePrincipalPolicy': {
    service: 'iam',
    command: SimulatePrincipalPolicyCommand,
    input: { PolicySourceArn: EXECUTION_ROLE, ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [SECRET] },
    output: {
      EvaluationResults: [{ EvalActionName: 'secretsmanager:GetSecretValue', EvalResourceName: SECRET, EvalDecision: 'implicitDeny' }],
      IsTruncated: false,
    },
  },
  'kms:DescribeKey': {
    service: 'kms',
    command: DescribeKeyCommand,
    input: { KeyId: KEY },
    output: { KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: KEY, KeyManager: 'CUSTOMER', KeyState: 'Enabled' } },
  },
  'kms:GetKeyPolicy': {
    service: 'kms',
    command: GetKeyPolicyCommand,
    input: { KeyId: KEY, PolicyName: 'default' },
    output: { PolicyName: 'default', Policy: '{"Version":"2012-10-17","Statement":[]}' },
  },
  'secretsmanager:DescribeSecret': {
    service: 'secretsManager',
    command: DescribeSecretCommand,
    input: { SecretId: SECRET },
    output: { ARN: SECRET, Name: 'prod/db', KmsKeyId: KEY },
  },
  'ssm:DescribeParameters': {
    service: 'ssm',
    command: DescribeParametersCommand,
    input: { ParameterFilters: [{ Key: 'Name', Values: ['/prod/db/password'] }] },
    output: { Parameters: [{ Name: '/prod/db/password', Type: 'SecureString', KeyId: KEY }] },
  },
  'autoscaling:DescribeAutoScalingGroups': {
    service: 'autoScaling',
    command: DescribeAutoScalingGroupsCommand,
    input: { AutoScalingGroupNames: ['ecs-asg'] },
    output: {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'ecs-asg',
          MinSize: 0,
          MaxSize: 4,
          DesiredCapacity: 4,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date('2025-01-01T00:00:00.000Z'),
        },
      ],
    },
  },
  'application-autoscaling:DescribeScalableTargets': {
    service: 'applicationAutoScaling',
    command: DescribeScalableTargetsCommand,
    input: { ServiceNamespace: 'ecs', ResourceIds: [SCALABLE_RESOURCE] },
    output: {
      ScalableTargets: [
        {
          ServiceNamespace: 'ecs',
          ResourceId: SCALABLE_RESOURCE,
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: 1,
          MaxCapacity: 4,
          RoleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
          CreationTime: new Date('2025-01-01T00:00:00.000Z'),
        },
      ],
    },
  },
  'application-autoscaling:DescribeScalingActivities': {
    service: 'applicationAutoScaling',
    command: DescribeScalingActivitiesCommand,
    input: { ServiceNamespace: 'ecs', ResourceId: SCALABLE_RESOURCE, ScalableDimension: 'ecs:service:DesiredCount' },
    output: {
      ScalingActivities: [
        {
          ActivityId: 'e6c5f7d1-1b2a-4c3d-9e8f-0a1b2c3d4e5f',
          ServiceNamespace: 'ecs',
          ResourceId: SCALABLE_RESOURCE,
          ScalableDimension: 'ecs:service:DesiredCount',
          Description: 'Setting desired count to 4.',
          Cause: 'monitor alarm TargetTracking-service/example-cluster/webserver-AlarmHigh in state ALARM triggered policy cpu',
          StartTime: new Date('2025-05-06T11:00:00.000Z'),
          StatusCode: 'Successful',
        },
      ],
    },
  },
};

function mockAll() {
  return {
    ecs: mockClient(ECSClient),
    ec2: mockClient(EC2Client),
    elbv2: mockClient(ElasticLoadBalancingV2Client),
    logs: mockClient(CloudWatchLogsClient),
    iam: mockClient(IAMClient),
    kms: mockClient(KMSClient),
    secretsManager: mockClient(SecretsManagerClient),
    ssm: mockClient(SSMClient),
    autoScaling: mockClient(AutoScalingClient),
    applicationAutoScaling: mockClient(ApplicationAutoScalingClient),
  } satisfies Record<Service, unknown>;
}

/** What the per-operation test needs of a stub, whichever service it mocks. */
interface CaseStub {
  onAnyCommand(): { resolves(output: never): unknown };
  calls(): unknown[];
  call(index: number): { args: unknown[] };
}

const metadata = { httpStatusCode: 200, requestId: '2ba9b1c8-5c5c-4b1e-9f3a-1d2c3b4a5f6e', attempts: 1, totalRetryDelay: 0 };

describe('the live reader, with mocked SDK clients', () => {
  let mocks: ReturnType<typeof mockAll>;
  beforeAll(() => {
    mocks = mockAll();
  });
  beforeEach(() => {
    for (const mock of Object.values(mocks)) mock.reset();
  });
  afterAll(() => {
    for (const mock of Object.values(mocks)) mock.restore();
  });

  it('has a binding for exactly the operations of the reader port', () => {
    expect([...liveOperations].sort()).toEqual([...readerOperations].sort());
  });

  it.each(readerOperations)('%s sends its Command with the exact input, once, and returns the answer unchanged', async (operation) => {
    const { service, command, input, output } = cases[operation];
    const stub: CaseStub = mocks[service];
    stub.onAnyCommand().resolves({ ...structuredClone(output), $metadata: metadata } as never);

    const answer = await liveReader({ region: 'us-east-1' }).read(operation, input);

    // The snapshot reader's shape: the service's answer, Dates and all, without the transport $metadata.
    expect(answer).toStrictEqual(output);
    for (const [name, mock] of Object.entries(mocks)) expect(mock.calls(), name).toHaveLength(name === service ? 1 : 0);
    const [sent] = stub.call(0).args;
    expect(sent).toBeInstanceOf(command);
    expect((sent as { input: unknown }).input).toStrictEqual(input);
  });

  it.each([
    ['a throttled call', new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' })],
    [
      'an access denial',
      new AccessDeniedException({
        $metadata: { httpStatusCode: 400 },
        message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/ecs-medic/diagnose is not authorized to perform: ecs:DescribeServices`,
      }),
    ],
  ])('lets %s propagate with its name and message', async (_label, error) => {
    mocks.ecs.on(DescribeServicesCommand).rejects(error);
    await expect(liveReader().read('ecs:DescribeServices', cases['ecs:DescribeServices'].input)).rejects.toMatchObject({
      name: error.name,
      message: error.message,
    });
  });

  it('ends a read that does not answer within its timeout, and aborts the request', async () => {
    mocks.ecs.on(DescribeServicesCommand).callsFake(() => new Promise(() => {}));
    await expect(liveReader({ timeoutMs: 20 }).read('ecs:DescribeServices', { services: ['webserver'] })).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'ecs:DescribeServices did not answer within 20 ms',
    });
    const [, options] = mocks.ecs.call(0).args as unknown[] as [unknown, { abortSignal: AbortSignal }];
    expect(options.abortSignal.aborted).toBe(true);
  });

  it('creates each client once per region and profile, and only for the services read', async () => {
    const senders: { client: unknown; region: string }[] = [];
    mocks.ecs.onAnyCommand().callsFake(async (_input, getClient) => {
      senders.push({ client: getClient(), region: await getClient().config.region() });
      return {};
    });
    mocks.logs.onAnyCommand().callsFake(async (_input, getClient) => {
      senders.push({ client: getClient(), region: await getClient().config.region() });
      return {};
    });
    const read = (region: string, profile?: string) =>
      liveReader({ region, profile }).read('ecs:DescribeTaskDefinition', { taskDefinition: TASK_DEFINITION });

    // Two readers of one region (two Lambda invocations), then another region, then a profile.
    await read('eu-central-1');
    await read('eu-central-1');
    await read('eu-west-2');
    await read('eu-central-1', 'audit');
    await liveReader({ region: 'eu-central-1' }).read('logs:DescribeLogGroups', { logGroupNamePrefix: '/ecs' });

    expect(senders.map((s) => s.region)).toEqual(['eu-central-1', 'eu-central-1', 'eu-west-2', 'eu-central-1', 'eu-central-1']);
    const [first, second, otherRegion, otherProfile, logs] = senders.map((s) => s.client);
    expect(second).toBe(first);
    expect(otherRegion).not.toBe(first);
    expect(otherProfile).not.toBe(first);
    expect(otherRegion).toBeInstanceOf(ECSClient);
    expect(logs).toBeInstanceOf(CloudWatchLogsClient);
    // Only ECS and CloudWatch Logs were read: no other client was constructed, so none sent.
    expect(mocks.ec2.calls()).toHaveLength(0);
  });

  it('uses the clients it is given', async () => {
    const given = new ECSClient({ region: 'sa-east-1' });
    let sender: unknown;
    mocks.ecs.onAnyCommand().callsFake((_input, getClient) => {
      sender = getClient();
      return {};
    });
    await liveReader({ region: 'us-east-1', clients: { ecs: given } }).read('ecs:ListTasks', { cluster: CLUSTER });
    expect(sender).toBe(given);
  });

  it('diagnoses a stopped task through the live reader exactly as through a snapshot of the same answers', async () => {
    const reason =
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';
    const event = stoppedTaskEvent({ stoppedReason: reason, stopCode: 'TaskFailedToStart' });
    const taskDefinition = cases['ecs:DescribeTaskDefinition'];
    const logGroups = cases['logs:DescribeLogGroups'];
    mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({ ...taskDefinition.output, $metadata: metadata });
    mocks.logs.on(DescribeLogGroupsCommand).resolves({ ...logGroups.output, $metadata: metadata });
    const snapshot = {
      'ecs:DescribeTaskDefinition': [{ input: taskDefinition.input, output: taskDefinition.output }],
      'logs:DescribeLogGroups': [{ input: logGroups.input, output: logGroups.output }],
    };

    const live = await diagnoseEvent(event, liveReader());
    const replayed = await diagnoseEvent(event, snapshotReader(snapshot));

    expect(live).toStrictEqual(replayed);
    expect(live.status === 'diagnosed' && live.findings[0]).toMatchObject({
      rule: 'log-group-missing',
      fix: 'aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1',
      unchecked: [],
    });
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(mocks.ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toStrictEqual(taskDefinition.input);
    expect(mocks.logs).toHaveReceivedCommandTimes(DescribeLogGroupsCommand, 1);
    expect(mocks.logs.commandCalls(DescribeLogGroupsCommand)[0]?.args[0].input).toStrictEqual(logGroups.input);
    const calls = Object.values(mocks).reduce((total, mock) => total + mock.calls().length, 0);
    expect(calls).toBe(2);
  });

  it('records a denied read as unchecked with the error name, and still gives the finding', async () => {
    const event = stoppedTaskEvent({
      stoppedReason:
        'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
      stopCode: 'TaskFailedToStart',
    });
    mocks.ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(new AccessDeniedException({ $metadata: {}, message: 'not authorized to perform: ecs:DescribeTaskDefinition' }));

    const result = await diagnoseEvent(event, liveReader());

    expect(result.status === 'diagnosed' && result.findings[0]?.unchecked).toEqual([
      { check: "the task definition's log configuration", reason: 'AccessDeniedException: not authorized to perform: ecs:DescribeTaskDefinition' },
    ]);
    expect(mocks.logs.calls()).toHaveLength(0);
  });
});

describe('the live reader over a real connection that never answers', () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    // The SDK reads service endpoints from the environment (AWS_ENDPOINT_URL_<SERVICE>): nothing leaves the machine.
    vi.stubEnv('AWS_ENDPOINT_URL_ECS', `http://127.0.0.1:${port}`);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('cuts a hung attempt after 3 s, retries it, and gives up at the read timeout', async () => {
    const started = Date.now();
    const reader = liveReader({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      timeoutMs: 4_000,
    });
    await expect(reader.read('ecs:DescribeServices', { services: ['webserver'] })).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'ecs:DescribeServices did not answer within 4000 ms',
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(4_000);
    expect(elapsed).toBeLessThan(5_000);
    // Two connections: the first attempt was cut by requestTimeout (it would hang for ever if the handler only warned) and retried.
    expect(sockets).toHaveLength(2);
  });
});
