import type { EFSVolumeConfiguration } from '@aws-sdk/client-ecs';
import type { Signal, SignalOf } from '../../events/signals';
import type { Evidence } from '../../findings';
import { parseArn } from '../../arn';
import { putRolePolicy } from '../../facts/iam';
import { taskOf, taskSubnet } from '../../facts/task';
import type { InvestigationContext, Refinement } from '../rule';
import { accessPointFix, describe, type EfsDetection, type EfsTarget, iamVolumeFix, networkFix } from './detect';

/** The task definition's EFS volume for this file system (or its only one). */
function efsVolume(
  volumes: readonly { name?: string | undefined; efsVolumeConfiguration?: EFSVolumeConfiguration | undefined }[],
  fileSystem: string | undefined,
): { name: string; config: EFSVolumeConfiguration } | undefined {
  const candidates = volumes.filter((v) => v.efsVolumeConfiguration);
  const volume = candidates.find((v) => v.efsVolumeConfiguration?.fileSystemId === fileSystem) ?? candidates[0];
  return volume?.efsVolumeConfiguration ? { name: volume.name ?? '(unnamed)', config: volume.efsVolumeConfiguration } : undefined;
}

async function refineNetwork(efs: EfsTarget, signal: Signal, context: InvestigationContext, evidence: Evidence[]): Promise<Refinement> {
  context.unchecked(
    `mount targets and their security groups for ${efs.fileSystem ?? 'the file system'}`,
    'efs:DescribeMountTargets and ec2:DescribeSecurityGroups are not reader operations yet',
  );
  const task = taskOf(signal);
  const subnet = task ? taskSubnet(task) : undefined;
  if (!subnet) return { evidence };
  const subnets = await context.read('ec2:DescribeSubnets', { SubnetIds: [subnet] }, `the Availability Zone of subnet ${subnet}`);
  const described = subnets?.Subnets?.[0];
  if (!described) return { evidence };
  evidence.push({ source: 'ec2:DescribeSubnets', observed: `${subnet} is in ${described.AvailabilityZone ?? '?'} (${described.VpcId ?? '?'})` });
  return {
    evidence,
    explanation: `${describe('network', efs, signal).explanation} The task ran in subnet ${subnet} (${described.AvailabilityZone ?? 'unknown AZ'}), so ${efs.fileSystem ?? 'the file system'} needs a mount target in that Availability Zone that accepts TCP 2049 from the task.`,
    fix: networkFix(efs, subnet, described.VpcId),
  };
}

export default async function investigate(detection: EfsDetection, signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>, context: InvestigationContext): Promise<Refinement | undefined> {
  if (detection.cause === 'platform-version') return undefined;
  const taskDefinition = taskOf(signal)?.taskDefinitionArn;
  if (!taskDefinition) {
    context.unchecked("the task definition's EFS volume", 'the signal names no task definition');
    return undefined;
  }
  const described = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, "the task definition's EFS volume");
  const definition = described?.taskDefinition;
  const volume = definition ? efsVolume(definition.volumes ?? [], detection.efs.fileSystem) : undefined;
  const efs: EfsTarget = { ...detection.efs, fileSystem: detection.efs.fileSystem ?? volume?.config.fileSystemId };
  const evidence: Evidence[] = [];
  if (volume) {
    const { config } = volume;
    evidence.push({
      source: 'ecs:DescribeTaskDefinition',
      observed: `volume ${volume.name}: ${config.fileSystemId ?? '?'} rootDirectory ${config.rootDirectory ?? '/'}, access point ${config.authorizationConfig?.accessPointId ?? 'none'}, IAM ${config.authorizationConfig?.iam ?? 'DISABLED'}, transit encryption ${config.transitEncryption ?? 'DISABLED'}; task role ${definition?.taskRoleArn ?? 'none'}`,
    });
  }

  switch (detection.cause) {
    case 'network':
      return refineNetwork(efs, signal, context, evidence);
    case 'iam': {
      context.unchecked(`the file system policy of ${efs.fileSystem ?? 'the file system'} and the task role's EFS permissions`, 'efs:DescribeFileSystemPolicy and IAM reads are not reader operations yet');
      if (!volume) return { evidence };
      if (volume.config.authorizationConfig?.iam !== 'ENABLED') {
        return {
          evidence,
          explanation: `Volume ${volume.name} mounts ${efs.fileSystem ?? 'the file system'} without IAM authorization, and the file system policy only lets IAM-authorized clients in, so EFS answers "access denied".`,
          fix: iamVolumeFix(efs),
        };
      }
      const role = definition?.taskRoleArn;
      return {
        evidence,
        explanation: role
          ? `Volume ${volume.name} mounts with IAM authorization as the task role ${role}, and EFS denied it: the role's policy or the file system policy does not allow elasticfilesystem:ClientMount (and ClientWrite for a writable mount).`
          : `Volume ${volume.name} mounts with IAM authorization but the task definition has no task role, so the mount carries no identity EFS can allow.`,
        fix: role
          ? putRolePolicy(
              role.split('/').pop(),
              'task-role',
              'efs-client',
              ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
              [`arn:aws:elasticfilesystem:${efs.region ?? '<region>'}:${parseArn(role)?.account ?? '<account-id>'}:file-system/${efs.fileSystem ?? '<file-system-id>'}`],
            )
          : `Set "taskRoleArn" in the task definition to a role allowed elasticfilesystem:ClientMount and ClientWrite on ${efs.fileSystem ?? 'the file system'}.`,
      };
    }
    case 'access-point': {
      if (!volume) return { evidence };
      const accessPoint = volume.config.authorizationConfig?.accessPointId;
      return {
        evidence,
        explanation: accessPoint
          ? `Volume ${volume.name} mounts through access point ${accessPoint}, whose root path ${efs.path ?? ''} does not exist on ${efs.fileSystem ?? 'the file system'}: the access point was created without creation info, so EFS does not create the directory.`
          : `Volume ${volume.name} mounts rootDirectory ${volume.config.rootDirectory ?? efs.path ?? '/'} of ${efs.fileSystem ?? 'the file system'}, and that directory does not exist. ECS does not create it.`,
        fix: accessPointFix({ ...efs, path: efs.path ?? volume.config.rootDirectory }),
      };
    }
    default:
      return { evidence };
  }
}
