import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/cloudwatch-logs-unreachable';
import { stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const CONNECTION =
  'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed';
const CONNECTION_SOURCE = 'https://github.com/civiform/civiform/issues/7648 (../shared/reference/ecs-events.md §8.4)';
const DOCKER_FORM =
  'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: RequestError: send request failed\ncaused by: Post https://logs.us-east-2.amazonaws.com/: dial tcp 10.20.10.16:443: i/o time';
const DOCKER_SOURCE = 'Seqera (Tower) docs, "AWS troubleshooting" (21 Apr 2023): "Workflow execution fails with CannotStartContainerError"';

function failedToStart() {
  return stoppedTaskEvent({ stoppedReason: CONNECTION, stopCode: 'TaskFailedToStart', group: 'service:webserver' });
}

ruleTester(rule, {
  invalid: [
    { name: 'Fargate 1.4 stoppedReason', text: CONNECTION, source: CONNECTION_SOURCE, cause: 'network', fixIncludes: ['com.amazonaws.<region>.logs'] },
    { name: 'Docker-era reason, truncated', text: DOCKER_FORM, source: DOCKER_SOURCE, cause: 'network' },
    { name: 'lower-cased', text: CONNECTION.toLowerCase(), source: CONNECTION_SOURCE, cause: 'network' },
    { name: 'cut after the first sentence', text: CONNECTION.slice(0, 150), source: CONNECTION_SOURCE, cause: 'network' },
    {
      name: 'stopped task event',
      event: failedToStart(),
      source: CONNECTION_SOURCE,
      cause: 'network',
      fixIncludes: ['com.amazonaws.us-east-1.logs'],
    },
  ],
  valid: [
    {
      name: 'the log group really is missing (log-group-missing)',
      text: 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
      source: '../shared/reference/ecs-events.md §8.4',
    },
    {
      name: 'the execution role is denied (task-execution-role-confusion)',
      text: 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::zzzzzzzzzzzz:assumed-role/ecs.task.minecraft-server/123456a999ee4b919...',
      source: 'https://github.com/doctorray117/minecraft-ondemand/issues/12',
    },
    {
      name: 'CloudWatch Logs throttling is reachable, just busy',
      text: 'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ThrottlingException: Rate exceeded status code: 400, request id: ',
      source: 'https://github.com/moby/moby/issues/42088',
    },
    {
      name: 'a malformed awslogs-region',
      text: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: MissingEndpoint: 'Endpoint' configuration is required for t",
      source: 'https://github.com/TechToSpeech/terraform-aws-serverless-static-wordpress/issues/74',
    },
  ],
});

const subnet = 'subnet-0d0eab1bb38d5ca64';
const vpc = 'vpc-0a1b2c3d4e5f60718';

function account(routes: Record<string, string>[], endpoints: Record<string, unknown>[]): Snapshot {
  return {
    'ec2:DescribeSubnets': [{ input: { SubnetIds: [subnet] }, output: { Subnets: [{ SubnetId: subnet, VpcId: vpc, MapPublicIpOnLaunch: false }] } }],
    'ec2:DescribeRouteTables': [
      {
        input: { Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] },
        output: {
          RouteTables: [
            {
              RouteTableId: 'rtb-0f4d2c9b994b1e666',
              VpcId: vpc,
              Associations: [{ SubnetId: subnet, Main: false }],
              Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }, ...routes],
            },
          ],
        },
      },
    ],
    'ec2:DescribeVpcEndpoints': [
      {
        input: { Filters: [{ Name: 'vpc-id', Values: [vpc] }] },
        output: { VpcEndpoints: endpoints },
      },
    ],
  };
}

async function firstFinding(snapshot: Snapshot) {
  const result = await diagnoseEvent(failedToStart(), snapshotReader(snapshot), [rule]);
  return result.status === 'diagnosed' ? result.findings[0] : undefined;
}

describe('cloudwatch-logs-unreachable investigation', () => {
  it('names a private subnet with no route and no endpoint, with the exact endpoint command', async () => {
    const finding = await firstFinding(account([], []));
    expect(finding?.rule).toBe('cloudwatch-logs-unreachable');
    expect(finding?.cause).toBe('no-route');
    expect(finding?.fix).toContain(
      `aws ec2 create-vpc-endpoint --vpc-id ${vpc} --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.logs --subnet-ids ${subnet}`,
    );
    expect(finding?.unchecked).toEqual([]);
  });

  it('names a public subnet without a public IP', async () => {
    const finding = await firstFinding(account([{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0c1d2e3f4a5b6c7d8', State: 'active' }], []));
    expect(finding?.cause).toBe('no-public-ip');
    expect(finding?.fix).toContain('aws ecs update-service --cluster example-cluster --service webserver --network-configuration');
    expect(finding?.fix).toContain('assignPublicIp=ENABLED');
  });

  it('names an endpoint whose private DNS is off', async () => {
    const endpoint = {
      VpcEndpointId: 'vpce-0123456789abcdef0',
      VpcEndpointType: 'Interface',
      VpcId: vpc,
      ServiceName: 'com.amazonaws.us-east-1.logs',
      State: 'available',
      PrivateDnsEnabled: false,
      SubnetIds: [subnet],
    };
    const finding = await firstFinding(account([], [endpoint]));
    expect(finding?.cause).toBe('endpoint-private-dns-off');
    expect(finding?.fix).toBe('aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0123456789abcdef0 --private-dns-enabled');
  });

  it('keeps the general network finding, naming what it could not check, when EC2 reads are refused', async () => {
    const denied = { name: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' };
    const finding = await firstFinding({ 'ec2:DescribeSubnets': [{ input: { SubnetIds: [subnet] }, error: denied }] });
    expect(finding?.rule).toBe('cloudwatch-logs-unreachable');
    expect(finding?.cause).toBe('network');
    expect(finding?.unchecked).toEqual([{ check: `the VPC of subnet ${subnet}`, reason: `UnauthorizedOperation: ${denied.message}` }]);
  });
});
