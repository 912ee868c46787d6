import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/efs-mount-failure';
import type { EFSVolumeConfiguration } from '@aws-sdk/client-ecs';
import { SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn, sampleTaskDefinition, stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const RESOLVE =
  'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-06642d00e4ec726.efs.ap-northeast-1.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail. Attempting to lookup mount target ip address using botocore. Failed to import necessary dependency botocore, please install botocore first. : unsuccessful EFS utils command execution; code: 1';
const RESOLVE_SOURCE = 'https://github.com/aws/copilot-cli/issues/5419';
const TIMED_OUT =
  "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: Connection timed out' : unsuccessful EFS utils command execution; code: 32";
const TIMED_OUT_SOURCE = 'https://github.com/andreav/my-aws-cdk-typescript-constructs/blob/c2cde69b7398597d5a84216ee5507bbb2d08b8bc/Notes.md';
const DENIED =
  "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting fs-065b374f6a1a6b4c8.efs.us-east-1.amazonaws.com:/' : unsuccessful EFS utils command execution; code: 32";
const DENIED_SOURCE = 'https://github.com/aws-samples/aws-cdk-examples/issues/920';
const NO_DIRECTORY =
  "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: mounting fs-06f98f3e7fbc8300c.efs.us-east-1.amazonaws.com:/data/airflow failed, reason given by server: No such file or directory' : unsuccessful EFS utils command execution; code: 32";
const NO_DIRECTORY_SOURCE = 'https://github.com/tcc-datalake/aws-datalake-core/blob/HEAD/terraforms/config/ecs.tf';

ruleTester(rule, {
  invalid: [
    {
      name: 'mount target name does not resolve (with the mount-target hint)',
      text: RESOLVE,
      source: RESOLVE_SOURCE,
      cause: 'network',
      fixIncludes: ['aws efs create-mount-target --file-system-id fs-06642d00e4ec726', '--region ap-northeast-1', '--enable-dns-hostnames'],
    },
    {
      name: 'mount target name does not resolve, lower-cased prefix',
      text: 'Resourceinitializationerror: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-<id>.efs.us-east-1.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail. Attempting to lookup mount target ip address using botocore. Failed to import necessary dependency botocore, please install botocore first. : unsuccessful EFS utils command execution; code: 1',
      source: 'https://github.com/rileydakota/valheim-ecs-fargate-cdk/issues/28',
      cause: 'network',
    },
    {
      name: 'older efs-utils wording, without the mount-target hint',
      text: 'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-00000000.efs.us-east-1.amazonaws.com" - check that your file system ID is correct.',
      source: 'https://github.com/aws/amazon-ecs-cli/issues/1083',
      cause: 'network',
    },
    {
      name: 'EC2 launch type: the ECS volume plugin cannot resolve the name',
      text: 'Error response from daemon: create ecs-td-metabase-6-metabase-volume-9eb7f486c9c6ae8d4600: VolumeDriver.Create: mounting volume failed: Failed to resolve "fs-02417eff7308d5026.efs.ap-northeast-1.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail. Attempting to lookup mount target ip address using botocore. Failed to import necessary dependency botocore, please install botocore first.',
      source: 'https://github.com/ydamni/cloud-is-free/issues/3',
      cause: 'network',
    },
    {
      name: 'NFS connection timed out (security group without 2049)',
      text: TIMED_OUT,
      source: TIMED_OUT_SOURCE,
      cause: 'network',
      fixIncludes: ['--protocol tcp --port 2049 --source-group <task-sg>'],
    },
    {
      name: 'NFS connection reset by peer',
      text: 'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection reset by peer : unsuccessful EFS utils command execution; code: 32',
      source: 'https://github.com/docker-archive/compose-cli/issues/1490',
      cause: 'network',
    },
    {
      name: 'access denied by the file system policy',
      text: DENIED,
      source: DENIED_SOURCE,
      cause: 'iam',
      fixIncludes: ['"authorizationConfig": {"iam": "ENABLED"}', 'file-system/fs-065b374f6a1a6b4c8'],
    },
    {
      name: 'root directory missing (placeholder file system id in the report)',
      text: "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: mounting fs-<some numbers>.efs.<region>.amazonaws.com:/grafana failed, reason given by server: No such file or directory' : unsuccessful EFS utils command execution; code: 32",
      source: 'https://github.com/acp-io/terraform-grafana/issues/4',
      cause: 'access-point',
      fixIncludes: ["Path=/grafana,CreationInfo="],
    },
    {
      name: 'root directory missing',
      text: NO_DIRECTORY,
      source: NO_DIRECTORY_SOURCE,
      cause: 'access-point',
      fixIncludes: ['aws efs create-access-point --file-system-id fs-06f98f3e7fbc8300c', 'Path=/data/airflow'],
    },
    {
      name: 'EFS on a Fargate platform version before 1.4.0',
      text: 'Error: Error executing request, Exception : EFS is supported for Fargate platform version 1.4.0.',
      source: 'https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1268',
      cause: 'platform-version',
      fixIncludes: ['--platform-version 1.4.0'],
    },
    {
      name: 'stopped Fargate task event',
      event: stoppedTaskEvent({ stoppedReason: TIMED_OUT, stopCode: 'TaskFailedToStart' }),
      source: TIMED_OUT_SOURCE,
      cause: 'network',
    },
  ],
  valid: [
    {
      name: 'a runtime error about a missing file is not an EFS mount',
      text: 'CannotStartContainerError: ResourceInitializationError: unable to create new container: mount callback failed on /tmp/containerd-mount916692511: open /tmp/containerd-mount916692511/etc/passwd: no such file or directory',
      source: 'https://github.com/aws-samples/net-modernization/issues/13',
    },
    {
      name: 'an executable missing from the image (container-start-failure)',
      text: 'CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "019552fb-18b7-72c3-8935-313f6668bb0b": executable file not found in $PATH: unknown',
      source: 'https://github.com/saebyn/glowing-telegram/issues/398',
    },
    {
      name: 'an image pull timeout (image-pull-failure)',
      text: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref quay.io/deepfenceio/cloud-scanner:latest: failed to do request: Head "https://quay.io/v2/deepfenceio/cloud-scanner/manifests/latest": dial tcp 3.210.148.47:443: i/o timeout',
      source: 'https://github.com/deepfence/terraform-aws-cloud-scanner/issues/13',
    },
    {
      name: 'a generic platform incompatibility does not say EFS (platform-version-drift)',
      text: 'botocore.errorfactory.PlatformTaskDefinitionIncompatibilityException: An error occurred (PlatformTaskDefinitionIncompatibilityException) when calling the CreateService operation: One or more of the requested capabilities are not supported.',
      source: 'https://github.com/jenkinsci/amazon-ecs-plugin/issues/218 and https://github.com/ansible/ansible/issues/70625',
    },
  ],
});

const subnet = 'subnet-0d0eab1bb38d5ca64';

function taskDefinition(efsVolumeConfiguration: EFSVolumeConfiguration, taskRoleArn?: string) {
  return sampleTaskDefinition({
    ...(taskRoleArn ? { taskRoleArn } : {}),
    containerDefinitions: [{ name: 'web', image: 'nginx', mountPoints: [{ sourceVolume: 'data', containerPath: '/usr/share/nginx/html' }] }],
    volumes: [{ name: 'data', efsVolumeConfiguration }],
  });
}

async function diagnose(stoppedReason: string, snapshot: Snapshot) {
  const result = await diagnoseEvent(stoppedTaskEvent({ stoppedReason, stopCode: 'TaskFailedToStart' }), snapshotReader(snapshot));
  const findings = result.status === 'diagnosed' ? result.findings : [];
  return findings.find((f) => f.rule === 'efs-mount-failure');
}

describe('efs-mount-failure investigation', () => {
  it('names the task AZ and fills the file system, subnet and port in the fix', async () => {
    const found = await diagnose(TIMED_OUT, {
      'ecs:DescribeTaskDefinition': [taskDefinition({ fileSystemId: 'fs-0123456789abcdef0', rootDirectory: '/' })],
      'ec2:DescribeSubnets': [
        { input: { SubnetIds: [subnet] }, output: { Subnets: [{ SubnetId: subnet, VpcId: 'vpc-0a1b2c3d4e5f60718', AvailabilityZone: 'us-east-1b' }] } },
      ],
    });
    expect(found?.cause).toBe('network');
    expect(found?.explanation).toContain(`subnet ${subnet} (us-east-1b)`);
    expect(found?.fix).toContain(`aws efs create-mount-target --file-system-id fs-0123456789abcdef0 --subnet-id ${subnet}`);
    expect(found?.fix).toContain('--port 2049');
    expect(found?.unchecked.map((u) => u.check)).toEqual(['mount targets and their security groups for fs-0123456789abcdef0']);
  });

  it('sees that the volume mounts without IAM authorization', async () => {
    const found = await diagnose(DENIED, {
      'ecs:DescribeTaskDefinition': [taskDefinition({ fileSystemId: 'fs-065b374f6a1a6b4c8', transitEncryption: 'ENABLED' })],
    });
    expect(found?.cause).toBe('iam');
    expect(found?.explanation).toContain('Volume data mounts fs-065b374f6a1a6b4c8 without IAM authorization');
    expect(found?.fix).toContain('"authorizationConfig": {"iam": "ENABLED"}');
  });

  it('blames the task role when IAM authorization is on', async () => {
    const found = await diagnose(DENIED, {
      'ecs:DescribeTaskDefinition': [
        taskDefinition(
          { fileSystemId: 'fs-065b374f6a1a6b4c8', transitEncryption: 'ENABLED', authorizationConfig: { iam: 'ENABLED' } },
          'arn:aws:iam::123456789012:role/webserver-task',
        ),
      ],
    });
    expect(found?.fix).toContain('aws iam put-role-policy --role-name webserver-task');
    expect(found?.fix).toContain('elasticfilesystem:ClientMount');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const found = await diagnose(NO_DIRECTORY, {
      'ecs:DescribeTaskDefinition': [
        { input: { taskDefinition: taskDefinitionArn }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeTaskDefinition' } },
      ],
    });
    expect(found?.cause).toBe('access-point');
    expect(found?.fix).toContain('Path=/data/airflow');
    expect(found?.unchecked).toEqual([
      { check: "the task definition's EFS volume", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTaskDefinition' },
    ]);
  });
});
