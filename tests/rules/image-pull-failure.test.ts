import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { snapshotReader, type Snapshot } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/image-pull-failure';
import { stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const S11 = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html (awsdocs/amazon-ecs-developer-guide doc_source/task_cannot_pull_image.md)';

const ECR_CONNECTION =
  'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 172.40.1.94:443: i/o timeout';
const ECR_CONNECTION_SOURCE = 'https://github.com/aws/copilot-cli/issues/5927';

ruleTester(rule, {
  invalid: [
    {
      name: 'containerd: digest not found (ghcr.io)',
      text: 'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ghcr.io/usdigitalresponse/usdr-gost-arpa-exporter:9f3f04ba74d338f28372c252c68e0e2eb8a65185@sha256:cca4a767de7ae6d33db8dcc9bb0452db96d042327c37a85515fe8612881477f7: ghcr.io/usdigitalresponse/usdr-gost-arpa-exporter:9f3f04ba74d338f28372c252c68e0e2eb8a65185@sha256:cca4a767de7ae6d33db8dcc9bb0452db96d042327c37a85515fe8612881477f7: not found',
      source: 'https://github.com/usdigitalresponse/usdr-gost/pull/4036',
      cause: 'not-found',
      fixIncludes: ['docker manifest inspect ghcr.io/usdigitalresponse/usdr-gost-arpa-exporter:9f3f04ba'],
    },
    {
      name: 'Docker era: ECR repository not found (API error 404)',
      text: 'CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/<repo>/<image> not found',
      source: S11,
      cause: 'not-found',
      explanationIncludes: ['task execution role'],
    },
    {
      name: 'Docker era: tag not found on Docker Hub',
      text: 'CannotPullContainerError: Tag latest not found in repository docker.io/library/owncloud',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/422',
      cause: 'not-found',
      fixIncludes: ['docker manifest inspect docker.io/library/owncloud:latest'],
    },
    {
      name: 'Docker era: request canceled while waiting for connection (ECR)',
      text: 'CannotPullContainerError: API error (500): Get https://111222333444.dkr.ecr.eu-west-1.amazonaws.com/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
      source: 'https://github.com/aws-samples/aws-modern-application-workshop/issues/71',
      cause: 'network',
      fixIncludes: ['com.amazonaws.eu-west-1.ecr.dkr', 'com.amazonaws.eu-west-1.s3'],
    },
    {
      name: 'containerd: i/o timeout to quay.io (no VPC endpoint can help)',
      text: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref quay.io/deepfenceio/cloud-scanner:latest: failed to do request: Head "https://quay.io/v2/deepfenceio/cloud-scanner/manifests/latest": dial tcp 3.210.148.47:443: i/o timeout',
      source: 'https://github.com/deepfence/terraform-aws-cloud-scanner/issues/13',
      cause: 'network',
      fixIncludes: ['--nat-gateway-id'],
      explanationIncludes: ['quay.io/deepfenceio/cloud-scanner:latest', 'VPC endpoints do not help'],
    },
    {
      name: 'ECR connectivity under the secrets prefix (PV 1.4)',
      text: ECR_CONNECTION,
      source: ECR_CONNECTION_SOURCE,
      cause: 'network',
      fixIncludes: ['com.amazonaws.us-east-1.ecr.api'],
    },
    {
      name: 'ECR auth retried 3 times, region redacted IP (lower-cased prefix)',
      text: 'Resourceinitializationerror: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-east-2.amazonaws.com/": dial tcp [ANIPADDRESSIDONTWANTTOSHARE]: i/o timeout. Please check your task network configuration.',
      source: 'https://github.com/doctorray117/minecraft-ondemand/issues/74 (prefix lower-cased as some consoles show it)',
      cause: 'network',
      fixIncludes: ['com.amazonaws.us-east-2.ecr.dkr'],
    },
    {
      name: 'ECR auth retried 1 time(s), truncated by ECS',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): RequestError: send request failed caused by: Post https://api.ecr....',
      source: 'https://github.com/aws-samples/aws-fargate-pipeline-lambda-autoscaling/issues/3',
      cause: 'network',
    },
    {
      name: 'Docker Hub rate limit (doc form)',
      text: 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits.',
      source: S11,
      cause: 'rate-limit',
      fixIncludes: ['aws ecr create-pull-through-cache-rule', '--upstream-registry-url registry-1.docker.io'],
    },
    {
      name: 'Docker Hub rate limit (containerd 429 form)',
      text: 'failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/cypress/included/manifests/sha256:86e3bff9634b85a5239a65974ac3c98f51277a8e1519fbd57b5e528f55ab8bf7: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
      source: 'https://github.com/apptension/saas-boilerplate/issues/204',
      cause: 'rate-limit',
      // The cached image: no upstream host inside the ECR path, and a digest joined with "@", not ":".
      fixIncludes: ['.amazonaws.com/docker-hub/cypress/included@sha256:86e3bff9634b85a5239a65974ac3c98f51277a8e1519fbd57b5e528f55ab8bf7 as the image'],
    },
    {
      name: 'ERROR: toomanyrequests (doc form)',
      text: 'ERROR: toomanyrequests: Too Many Requests.',
      source: S11,
      cause: 'rate-limit',
    },
    {
      name: 'PV 1.4: no descriptor for platform',
      text: 'CannotPullContainerError: failed to find a descriptor for platform {linux/amd64}',
      source: 'https://github.com/aws/containers-roadmap/issues/1120',
      cause: 'wrong-platform',
      fixIncludes: ['docker buildx build --platform linux/amd64,linux/arm64', 'runtimePlatform'],
      explanationIncludes: ['linux/amd64'],
    },
    {
      name: 'service event: manifest has no descriptor matching the platform, retried 7 time(s)',
      text: "(service relay-temporal-worker) was unable to place a task. Reason: CannotPullContainerError: pull image manifest has been retried 7 time(s): image Manifest does not contain descriptor matching platform 'linux/amd64'.",
      source: 'https://github.com/aviswerdlow/relay/issues/71',
      cause: 'wrong-platform',
    },
    {
      name: 'no matching manifest in the manifest list',
      text: 'no matching manifest for linux/amd64 in the manifest list entries',
      source: 'https://github.com/hashicorp/consul-ecs/issues/64',
      cause: 'wrong-platform',
    },
    {
      name: 'no space left on device while pulling (doc)',
      text: 'CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111111: no space left on device',
      source: S11,
      cause: 'disk-full',
      fixIncludes: ['ephemeralStorage', 'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION'],
    },
    {
      name: 'no space left on device while registering a layer',
      text: 'CannotPullContainerError: failed to register layer: Error processing tar file(exit status 1): write /tmp/my_large_file: no space left on device',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/1434',
      cause: 'disk-full',
    },
    {
      name: 'Docker Hub: pull access denied (private or misspelled repository)',
      text: "CannotPullContainerError: Error response from daemon: pull access denied for ecs-task-kite, repository does not exist or may require 'docker login'",
      source: 'https://github.com/awslabs/ecs-task-kite/issues/8',
      cause: 'registry-auth',
      fixIncludes: ['repositoryCredentials', 'docker manifest inspect ecs-task-kite'],
    },
    {
      name: 'private registry credentials secret could not be fetched',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 5 time(s): asm fetching secret from the service for ...',
      source: 'https://github.com/aws-samples/keycloak-on-aws/issues/222',
      cause: 'registry-auth',
    },
    {
      name: 'a bare CannotPullContainerError is the catch-all',
      text: 'CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code',
      source: S11,
      cause: null,
    },
    {
      name: 'stopped Fargate task event',
      event: stoppedTaskEvent({ stoppedReason: ECR_CONNECTION, stopCode: 'TaskFailedToStart' }),
      source: ECR_CONNECTION_SOURCE,
      cause: 'network',
    },
  ],
  valid: [
    {
      name: 'ECR 403 Forbidden (task execution role permissions: another rule)',
      text: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest: pulling from host 123456789012.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests latest]: 403 Forbidden',
      source: '../shared/reference/ecs-events.md §8.3 (containerd 403 form, observed)',
    },
    {
      name: 'secrets: Secrets Manager unreachable (secrets-pull-failure)',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-west-2:*:secret:DBPasswordSecret-* from secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.',
      source: 'https://github.com/Releem/releem-agent/issues/195',
    },
    {
      name: 'secrets: SSM AccessDenied (secrets-pull-failure)',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: ....',
      source: 'https://github.com/aws/copilot-cli/issues/3104',
    },
    {
      name: 'exec format error at start (container-start-failure)',
      text: 'exec /usr/local/bin/streamlit: exec format error',
      source: 'https://github.com/aws-samples/amazon-bedrock-serverless-prompt-chaining/issues/213',
    },
    {
      name: 'devmapper thin pool full at create (container-start-failure)',
      text: 'CannotCreateContainerError: API error (500): devmapper: Thin Pool has 4350 free data blocks which is less than minimum required 4454 free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior',
      source: 'awsdocs/amazon-ecs-developer-guide doc_source/CannotCreateContainerError.md',
    },
    {
      name: 'CloudWatch Logs connection issue (cloudwatch-logs-unreachable)',
      text: 'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed',
      source: '../shared/reference/ecs-events.md §8.4',
    },
  ],
});

const subnet = 'subnet-0d0eab1bb38d5ca64';
const vpc = 'vpc-0a1b2c3d4e5f60718';
const privateTable = {
  RouteTableId: 'rtb-0f1e2d3c4b5a69788',
  VpcId: vpc,
  Associations: [{ Main: false, RouteTableAssociationId: 'rtbassoc-0a1b2c3d4e5f60718', RouteTableId: 'rtb-0f1e2d3c4b5a69788', SubnetId: subnet }],
  Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }],
};

function networkSnapshot(endpoints: unknown[], routes: unknown = privateTable): Snapshot {
  return {
    'ec2:DescribeSubnets': [{ input: { SubnetIds: [subnet] }, output: { Subnets: [{ SubnetId: subnet, VpcId: vpc, AvailabilityZone: 'us-east-1b' }] } }],
    'ec2:DescribeRouteTables': [{ input: { Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] }, output: { RouteTables: [routes] } }],
    'ec2:DescribeVpcEndpoints': [{ input: { Filters: [{ Name: 'vpc-id', Values: [vpc] }] }, output: { VpcEndpoints: endpoints } }],
  };
}

describe('image-pull-failure investigation', () => {
  const event = stoppedTaskEvent({ stoppedReason: ECR_CONNECTION, stopCode: 'TaskFailedToStart', group: 'service:webserver' });

  async function finding(snapshot: Snapshot) {
    const result = await diagnoseEvent(event, snapshotReader(snapshot));
    const findings = result.status === 'diagnosed' ? result.findings : [];
    return findings.find((f) => f.rule === 'image-pull-failure');
  }

  it('names the missing ECR and S3 endpoints of a private subnet and fills in the VPC', async () => {
    const found = await finding(networkSnapshot([]));
    expect(found?.cause).toBe('network');
    expect(found?.explanation).toContain(`Subnet ${subnet} has no route to the internet`);
    expect(found?.fix).toContain(`--vpc-id ${vpc} --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.ecr.api --subnet-ids ${subnet}`);
    expect(found?.fix).toContain('--service-name com.amazonaws.us-east-1.s3 --route-table-ids rtb-0f1e2d3c4b5a69788');
    expect(found?.evidence.map((e) => e.source)).toEqual(['detail.stoppedReason', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcEndpoints']);
    expect(found?.unchecked.map((u) => u.check)).toEqual(['whether the task and endpoint security groups allow outbound/inbound 443']);
  });

  it('asks only for what is missing when some endpoints exist', async () => {
    const found = await finding(
      networkSnapshot([
        { VpcEndpointId: 'vpce-0aaa', VpcEndpointType: 'Interface', VpcId: vpc, ServiceName: 'com.amazonaws.us-east-1.ecr.api', State: 'available', PrivateDnsEnabled: true },
        { VpcEndpointId: 'vpce-0bbb', VpcEndpointType: 'Interface', VpcId: vpc, ServiceName: 'com.amazonaws.us-east-1.ecr.dkr', State: 'available', PrivateDnsEnabled: false },
      ]),
    );
    expect(found?.fix).not.toContain('com.amazonaws.us-east-1.ecr.api');
    expect(found?.fix).toContain('com.amazonaws.us-east-1.s3');
    expect(found?.fix).toContain('aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0bbb --private-dns-enabled');
  });

  it('tells a public subnet without a public IP apart', async () => {
    const publicTable = {
      ...privateTable,
      Routes: [...privateTable.Routes, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0', Origin: 'CreateRoute', State: 'active' }],
    };
    const found = await finding(networkSnapshot([], publicTable));
    expect(found?.explanation).toContain('internet gateway (igw-0123456789abcdef0)');
    expect(found?.fix).toContain('--cluster example-cluster --service webserver');
    expect(found?.fix).toContain('assignPublicIp=ENABLED');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const found = await finding({
      'ec2:DescribeSubnets': [{ input: { SubnetIds: [subnet] }, error: { name: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' } }],
    });
    expect(found?.cause).toBe('network');
    expect(found?.fix).toContain('com.amazonaws.us-east-1.ecr.dkr');
    expect(found?.unchecked).toEqual([{ check: `the VPC of subnet ${subnet}`, reason: 'UnauthorizedOperation: You are not authorized to perform this operation.' }]);
  });
});
