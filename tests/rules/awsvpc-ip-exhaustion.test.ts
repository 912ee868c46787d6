import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/awsvpc-ip-exhaustion';
import { awsSample, serviceActionEvent, stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const NABU = 'https://github.com/paradisec-archive/nabu/blob/main/docs/mediaflux-backup-event-loss.md (151 stopped tasks: TaskFailedToStart / InsufficientFreeAddressesInSubnet)';
const API_FAILURES_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html';
const SERVICE_ACTION_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html';
const APP_MESH_ENI =
  'service appmesh-dev-ecs-colorapp-TcpEchoService-14M0PCTB9QFKJ was unable to place a task because no container instance met all of its requirements. The closest matching container-instance acf43593-6b86-4838-86e5-46d896fdc8b3 encountered error "RESOURCE:ENI". For more information, see the Troubleshooting section.';

const subnetStop = (group?: string) =>
  stoppedTaskEvent({ stoppedReason: 'InsufficientFreeAddressesInSubnet', stopCode: 'TaskFailedToStart', ...(group ? { group } : {}) });
const eniPlacementFailure = serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: 'RESOURCE:ENI' });

ruleTester(rule, {
  invalid: [
    { name: 'Fargate task stopped: InsufficientFreeAddressesInSubnet', event: subnetStop(), source: NABU, cause: 'subnet-ips', fixIncludes: ['aws ec2 describe-subnets'] },
    {
      name: 'the EC2 API error behind it, naming a subnet',
      text: 'Failed to allocate a private IP/Prefix addresses on ENI eni-01f879673fc5fd14d: InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses to satisfy the request.\n\tstatus code: 400, request id: aeac321e-be9f-4a13-9b2f-e6ef5985689a',
      source: 'https://github.com/aws/amazon-vpc-cni-k8s/pull/1773',
      cause: 'subnet-ips',
    },
    {
      name: 'the EC2 message alone, lower-cased',
      text: 'the specified subnet does not have enough free addresses to satisfy the request.',
      source: 'https://github.com/aws/amazon-vpc-cni-k8s/pull/1773 (the EC2 message, lower-cased by a log pipeline)',
      cause: 'subnet-ips',
    },
    {
      name: 'an Auto Scaling launch into a full subnet names it in the fix',
      text: "There are not enough free addresses in subnet 'subnet-66d3dd2c' to satisfy the requested number of instances. Launching EC2 instance failed.",
      source: 'https://github.com/PrairieLearn/PrairieLearn/issues/3271',
      cause: 'subnet-ips',
      fixIncludes: ['--subnet-ids subnet-66d3dd2c'],
    },
    {
      name: 'the CreateNetworkInterface wording AWS Support quotes',
      text: "Client.InvalidParameterValue : There aren't sufficient free Ipv4 addresses or prefixes",
      source: 'https://github.com/cilium/cilium/pull/31016',
      cause: 'subnet-ips',
    },
    { name: 'service event: RESOURCE:ENI', text: APP_MESH_ENI, source: 'https://github.com/aws/aws-app-mesh-examples/issues/342', cause: 'eni-limit', fixIncludes: ['awsvpcTrunking'] },
    {
      name: 'service event: RESOURCE:ENI with placeholders',
      text: 'service <service> was unable to place a task because no container instance met all of its requirements. The closest matching container-instance <uid> encountered error "RESOURCE:ENI". For more information, see the Troubleshooting section.',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/2448',
      cause: 'eni-limit',
    },
    { name: 'SERVICE_TASK_PLACEMENT_FAILURE RESOURCE:ENI', event: eniPlacementFailure, source: `${SERVICE_ACTION_DOC} (event shape); ${API_FAILURES_DOC} (RESOURCE:ENI)`, cause: 'eni-limit' },
    {
      name: 'the documented meaning of RESOURCE:ENI',
      text: "your cluster doesn't have any available elastic network interface attachment points, which are required for tasks that use the awsvpc network mode",
      source: API_FAILURES_DOC,
      cause: 'eni-limit',
    },
    {
      name: 'stopped task: no free device index for the task ENI',
      event: stoppedTaskEvent({ stoppedReason: 'Unable to attach network interface to unused device index.', stopCode: 'TaskFailedToStart', launchType: 'EC2' }),
      source: 'https://github.com/aws/containers-roadmap/issues/1545',
      cause: 'eni-limit',
    },
  ],
  valid: [
    {
      name: 'an ENI attach timeout (agent/instance problem, not exhaustion)',
      text: 'Timeout waiting for network interface provisioning to complete.',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/4825',
    },
    { name: 'AWS sample: RESOURCE:CPU (capacity-pending)', event: awsSample('service-action-service-task-placement-failure-cpu'), source: SERVICE_ACTION_DOC },
    {
      name: 'Fargate capacity (capacity-pending)',
      text: 'service (service-name) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html',
    },
    {
      name: 'the Elastic IP address limit',
      text: 'An error occurred (AddressLimitExceeded) when calling the AllocateAddress operation: The maximum number of addresses has been reached.',
      source: 'https://github.com/jaredhocutt/openshift4-deploy/issues/56',
    },
    {
      name: 'a network path problem to CloudWatch Logs',
      text: 'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed',
      source: '../shared/reference/ecs-events.md §8.4',
    },
    {
      name: 'a missing attribute (agent rules)',
      text: 'service neo4j-stack-ecs-28-Neo4jClusterECSservice-1111111111 was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 11111-2222-3333-444-5555 is missing an attribute required by your task. For more information, see the Troubleshooting section.',
      source: 'https://github.com/getsocial-rnd/neo4j-aws-causal-cluster/issues/4',
    },
  ],
});

async function firstFinding(event: unknown, snapshot: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snapshot));
  return result.status === 'diagnosed' ? result.findings.find((f) => f.rule === 'awsvpc-ip-exhaustion') : undefined;
}

const trunkSettingUnchecked = {
  check:
    "whether the awsvpcTrunking account setting is on for the container instance role (trunking was judged from the instances' ecs.awsvpc-trunk-id attribute: instances launched before the opt-in have none)",
  reason: 'ecs:ListAccountSettings is not a reader operation',
};
const denied = (operation: string) => ({ name: 'AccessDeniedException', message: `User is not authorized to perform: ${operation}` });
const serviceSubnets = ['subnet-05d93362e947058bc', 'subnet-0ed390a90922cd9af', 'subnet-05125623fb0c0050a'];

describe('awsvpc-ip-exhaustion investigation: subnet-ips', () => {
  const snapshot: Snapshot = {
    'ecs:DescribeServices': [
      {
        input: { cluster: 'example-cluster', services: ['webserver'] },
        output: {
          services: [
            {
              serviceName: 'webserver',
              desiredCount: 10,
              runningCount: 8,
              pendingCount: 0,
              launchType: 'FARGATE',
              deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
              networkConfiguration: {
                awsvpcConfiguration: { subnets: serviceSubnets, securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
              },
            },
          ],
        },
      },
    ],
    'ec2:DescribeSubnets': [
      {
        input: { SubnetIds: serviceSubnets },
        output: {
          Subnets: [
            { SubnetId: serviceSubnets[0], AvailabilityZone: 'ap-southeast-2a', CidrBlock: '10.122.113.48/28', AvailableIpAddressCount: 0 },
            { SubnetId: serviceSubnets[1], AvailabilityZone: 'ap-southeast-2b', CidrBlock: '10.122.113.64/28', AvailableIpAddressCount: 0 },
            { SubnetId: serviceSubnets[2], AvailabilityZone: 'ap-southeast-2c', CidrBlock: '10.122.113.80/28', AvailableIpAddressCount: 1 },
          ],
        },
      },
    ],
  };

  it('compares free addresses with what a deployment at maximumPercent needs, and keeps the subnets with room', async () => {
    const finding = await firstFinding(subnetStop('service:webserver'), snapshot);
    expect(finding?.cause).toBe('subnet-ips');
    expect(finding?.explanation).toContain('have 1 free address(es) in total');
    expect(finding?.explanation).toContain('runs up to 20 tasks at once (desired 10); 8 are running, so it needs 12 more addresses, 11 more than the subnets have');
    expect(finding?.explanation).toContain('subnet-05d93362e947058bc, subnet-0ed390a90922cd9af have no free address');
    expect(finding?.fix).toContain(
      "aws ecs update-service --cluster example-cluster --service webserver --network-configuration 'awsvpcConfiguration={subnets=[subnet-05125623fb0c0050a,<new-subnet-a>,<new-subnet-b>],securityGroups=[sg-0123456789abcdef0],assignPublicIp=DISABLED}'",
    );
    expect(finding?.evidence.map((e) => e.source)).toEqual(['detail.stoppedReason', 'ecs:DescribeServices', 'ec2:DescribeSubnets']);
    expect(finding?.unchecked).toEqual([]);
  });

  it('reads the subnet of a standalone task from its ENI attachment', async () => {
    const finding = await firstFinding(subnetStop(), {
      'ec2:DescribeSubnets': [
        {
          input: { SubnetIds: ['subnet-0d0eab1bb38d5ca64'] },
          output: { Subnets: [{ SubnetId: 'subnet-0d0eab1bb38d5ca64', AvailabilityZone: 'us-east-1b', CidrBlock: '10.0.1.0/28', AvailableIpAddressCount: 0 }] },
        },
      ],
    });
    expect(finding?.explanation).toContain('subnet-0d0eab1bb38d5ca64 has no free address');
    expect(finding?.unchecked).toEqual([]);
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const finding = await firstFinding(subnetStop('service:webserver'), {
      'ecs:DescribeServices': [{ input: { cluster: 'example-cluster', services: ['webserver'] }, error: denied('ecs:DescribeServices') }],
      'ec2:DescribeSubnets': [{ input: { SubnetIds: ['subnet-0d0eab1bb38d5ca64'] }, error: denied('ec2:DescribeSubnets') }],
    });
    expect(finding?.cause).toBe('subnet-ips');
    expect(finding?.fix).toContain('aws ec2 describe-subnets --subnet-ids subnet-0d0eab1bb38d5ca64');
    expect(finding?.unchecked).toEqual([
      { check: "the service's subnets and deployment size", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeServices' },
      { check: 'free addresses in the task subnets', reason: 'AccessDeniedException: User is not authorized to perform: ec2:DescribeSubnets' },
    ]);
  });
});

describe('awsvpc-ip-exhaustion investigation: eni-limit', () => {
  const instances = [
    'arn:aws:ecs:us-west-2:111122223333:container-instance/default/2dd1b186f39845a584488d2ef155c131',
    'arn:aws:ecs:us-west-2:111122223333:container-instance/default/5a9f0e2c7b1d4e3f8a6b0c1d2e3f4a5b',
  ];
  const cluster = (trunking: boolean): Snapshot => ({
    'ecs:ListContainerInstances': [{ input: { cluster: 'default' }, output: { containerInstanceArns: instances } }],
    'ecs:DescribeContainerInstances': [
      {
        input: { cluster: 'default', containerInstances: instances },
        output: {
          containerInstances: [
            {
              containerInstanceArn: instances[0],
              ec2InstanceId: 'i-0a1b2c3d4e5f60718',
              attributes: [
                { name: 'ecs.instance-type', value: 'c5.large' },
                ...(trunking ? [{ name: 'ecs.awsvpc-trunk-id', value: 'eni-0abc1234def567890' }] : []),
              ],
            },
            { containerInstanceArn: instances[1], ec2InstanceId: 'i-0f1e2d3c4b5a69788', attributes: [{ name: 'ecs.instance-type', value: 'm6i.xlarge' }] },
          ],
        },
      },
    ],
    'ec2:DescribeInstanceTypes': [
      { input: { InstanceTypes: ['m6i.xlarge'] }, output: { InstanceTypes: [{ InstanceType: 'm6i.xlarge', NetworkInfo: { MaximumNetworkInterfaces: 4 } }] } },
    ],
  });

  it('names each instance type, its awsvpc task limit and trunking, and asks for trunking', async () => {
    const finding = await firstFinding(eniPlacementFailure, cluster(false));
    expect(finding?.cause).toBe('eni-limit');
    expect(finding?.evidence.find((e) => e.source === 'ecs:DescribeContainerInstances')?.observed).toBe(
      '1 × c5.large: 3 ENIs → 2 awsvpc tasks each, trunking off (10 with trunking); 1 × m6i.xlarge: 4 ENIs → 3 awsvpc tasks each, trunking off (20 with trunking)',
    );
    expect(finding?.fix).toContain('aws ecs put-account-setting --name awsvpcTrunking --value enabled');
    expect(finding?.explanation).toContain('without ENI trunking (no ecs.awsvpc-trunk-id attribute)');
    expect(finding?.unchecked).toEqual([trunkSettingUnchecked]);
  });

  it('degrades when instance types cannot be looked up: the ENI count is unknown, the finding stays', async () => {
    const snapshot = cluster(false);
    snapshot['ec2:DescribeInstanceTypes'] = [{ input: { InstanceTypes: ['m6i.xlarge'] }, error: { name: 'RequestLimitExceeded', message: 'Request limit exceeded.' } }];
    const finding = await firstFinding(eniPlacementFailure, snapshot);
    expect(finding?.cause).toBe('eni-limit');
    expect(finding?.evidence.find((e) => e.source === 'ecs:DescribeContainerInstances')?.observed).toBe(
      '1 × c5.large: 3 ENIs → 2 awsvpc tasks each, trunking off (10 with trunking); 1 × m6i.xlarge: ENI count unknown, trunking off (20 with trunking)',
    );
    expect(finding?.fix).toContain('aws ecs put-account-setting --name awsvpcTrunking --value enabled');
    expect(finding?.unchecked).toEqual([
      { check: 'network interfaces per instance type', reason: 'RequestLimitExceeded: Request limit exceeded.' },
      trunkSettingUnchecked,
    ]);
  });

  it('looks up only the instance types missing from the table, in one call', async () => {
    const calls: string[] = [];
    const inner = snapshotReader(cluster(false));
    await diagnoseEvent(eniPlacementFailure, {
      read(operation, input) {
        calls.push(`${operation} ${JSON.stringify(input)}`);
        return inner.read(operation, input);
      },
    });
    expect(calls.filter((c) => c.startsWith('ec2:DescribeInstanceTypes'))).toEqual(['ec2:DescribeInstanceTypes {"InstanceTypes":["m6i.xlarge"]}']);
    expect(calls).toHaveLength(3);
  });

  it('asks for more instances when trunking is already on everywhere', async () => {
    const snapshot = cluster(true);
    const described = snapshot['ecs:DescribeContainerInstances']?.[0]?.output as { containerInstances: { attributes: object[] }[] };
    described.containerInstances[1]?.attributes.push({ name: 'ecs.awsvpc-trunk-id', value: 'eni-0def5678abc123450' });
    const finding = await firstFinding(eniPlacementFailure, snapshot);
    expect(finding?.explanation).toContain('ENI trunking is already on');
    expect(finding?.fix).toContain('Add container instances');
  });

  it('degrades when the container instances cannot be listed', async () => {
    const finding = await firstFinding(eniPlacementFailure, {
      'ecs:ListContainerInstances': [{ input: { cluster: 'default' }, error: denied('ecs:ListContainerInstances') }],
    });
    expect(finding?.cause).toBe('eni-limit');
    expect(finding?.fix).toContain('awsvpcTrunking');
    expect(finding?.unchecked).toEqual([
      { check: 'the container instances in the cluster', reason: 'AccessDeniedException: User is not authorized to perform: ecs:ListContainerInstances' },
    ]);
  });
});
