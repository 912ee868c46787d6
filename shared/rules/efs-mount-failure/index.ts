import type { EFSVolumeConfiguration } from '@aws-sdk/client-ecs';
import type { Signal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { parseArn } from '../../arn';
import { putRolePolicy } from '../../facts/iam';
import { taskOf, taskSubnet } from '../../facts/task';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { defineRule } from '../rule';
import { anyOf, firstMatch, type Patterns, quoted, shellArg } from '../text';

/**
 * The task's EFS volume could not be mounted. Fargate reports it as
 * "ResourceInitializationError: failed to invoke EFS utils commands to set up
 * EFS volumes: stderr: …", EC2 as a VolumeDriver.Create error.
 */
type EfsCause = 'network' | 'access-point' | 'iam' | 'platform-version';

const efsFailure =
  /EFS utils command|EFS volumes|mount\.nfs4?:|\.efs\.[a-z0-9-]+\.amazonaws\.com|VolumeDriver\.Create|EFS (is supported for|requires) Fargate platform version/i;

const causePatterns: readonly { cause: EfsCause; patterns: Patterns }[] = [
  { cause: 'platform-version', patterns: anyOf([/EFS (is supported for|requires) Fargate platform version 1\.4\.0/i]) },
  { cause: 'iam', patterns: anyOf([/access denied by server while mounting/i]) },
  { cause: 'access-point', patterns: anyOf([/reason given by server: No such file or directory/i]) },
  {
    cause: 'network',
    patterns: anyOf([
      /Failed to resolve "?(server )?fs-/i,
      /mount\.nfs4?: Connection (timed out|reset by peer)/i,
      /Mount attempt \d+\/\d+ failed due to timeout/i,
      /amazon-ecs-volume-plugin.*VolumeDriver\.Create: context deadline exceeded/i,
    ]),
  },
];

interface EfsTarget {
  fileSystem?: string | undefined;
  path?: string | undefined;
  region?: string | undefined;
  /** The DNS name did not resolve (no mount target in the VPC, or DNS hostnames off) rather than a connection timing out. */
  unresolved: boolean;
  /** "Connection reset by peer": usually a mount target that is not ready yet. */
  reset: boolean;
}

interface EfsDetection extends Detection {
  efs: EfsTarget;
}

function targetIn(text: string, signal: Signal): EfsTarget {
  return {
    fileSystem: /\bfs-[0-9a-f]{8,17}\b/i.exec(text)?.[0],
    path: /(?:amazonaws\.com|127\.0\.0\.1):(\/[^\s'"]*)/i.exec(text)?.[1],
    region: /\.efs\.([a-z0-9-]+)\.amazonaws\.com/i.exec(text)?.[1] ?? signal.resource.region,
    unresolved: /Failed to resolve/i.test(text),
    reset: /Connection reset by peer/i.test(text),
  };
}

const fsArg = (efs: EfsTarget) => shellArg(efs.fileSystem, 'file-system-id');
const regionArg = (efs: EfsTarget) => shellArg(efs.region, 'region');

function networkFix(efs: EfsTarget, subnet?: string, vpc?: string): string {
  const mountTargets = [
    `aws efs describe-mount-targets --file-system-id ${fsArg(efs)} --region ${regionArg(efs)} --query 'MountTargets[].[AvailabilityZoneName,SubnetId,LifeCycleState]'`,
    `aws efs create-mount-target --file-system-id ${fsArg(efs)} --subnet-id ${shellArg(subnet, 'task-subnet-id')} --security-groups <mount-target-sg> --region ${regionArg(efs)}   # one per Availability Zone the tasks run in`,
  ];
  return (
    efs.unresolved
      ? [...mountTargets, `aws ec2 modify-vpc-attribute --vpc-id ${shellArg(vpc, 'vpc-id')} --enable-dns-hostnames '{"Value":true}'   # and --enable-dns-support`]
      : [
          `aws ec2 authorize-security-group-ingress --group-id <mount-target-sg> --protocol tcp --port 2049 --source-group <task-sg> --region ${regionArg(efs)}`,
          ...mountTargets,
        ]
  ).join('\n');
}

const iamVolumeFix = (efs: EfsTarget) =>
  `In the task definition volume: "efsVolumeConfiguration": {"fileSystemId": "${efs.fileSystem ?? '<file-system-id>'}", "transitEncryption": "ENABLED", "authorizationConfig": {"iam": "ENABLED"}}, and give the task role elasticfilesystem:ClientMount and elasticfilesystem:ClientWrite on arn:aws:elasticfilesystem:${efs.region ?? '<region>'}:<account>:file-system/${efs.fileSystem ?? '<file-system-id>'}.`;

function accessPointFix(efs: EfsTarget): string {
  const path = efs.path && efs.path !== '/' ? efs.path : '/<directory>';
  return [
    `aws efs create-access-point --file-system-id ${fsArg(efs)} --root-directory 'Path=${path},CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=755}' --region ${regionArg(efs)}`,
    'then set "authorizationConfig": {"accessPointId": "<fsap-id>"} with "transitEncryption": "ENABLED" on the volume and drop rootDirectory (or create the directory on the file system first).',
  ].join('\n');
}

function describe(cause: EfsCause | null, efs: EfsTarget, signal: Signal): Pick<Detection, 'explanation' | 'fix'> {
  const fs = efs.fileSystem ?? 'the EFS file system';
  switch (cause) {
    case 'network':
      return efs.unresolved
        ? {
            explanation: `The task could not resolve the DNS name of ${fs}: the VPC has no mount target for it in the task's Availability Zone (or the mount target is still being created), or the VPC has DNS hostnames or DNS resolution turned off. The file system ID itself is usually right, whatever the message suggests.`,
            fix: networkFix(efs),
          }
        : {
            explanation: `The task reached no EFS mount target for ${fs} on NFS port 2049: the mount target's security group does not allow TCP 2049 from the task's security group, or there is no mount target in the task's Availability Zone.${
              efs.reset ? ' A connection reset right after the file system or its mount targets were created usually means they were not ready yet: retry before changing anything.' : ''
            }`,
            fix: networkFix(efs),
          };
    case 'iam':
      return {
        explanation: `EFS refused the mount of ${fs}. The file system policy requires IAM authorization (for example it denies anonymous access, as CDK and the console's defaults do) and the volume mounts without it, or it mounts with IAM but the task role is not allowed elasticfilesystem:ClientMount/ClientWrite.`,
        fix: iamVolumeFix(efs),
      };
    case 'access-point':
      return {
        explanation: `The directory ${efs.path ?? '(rootDirectory)'} does not exist on ${fs}. The volume's rootDirectory (or the access point's root path) must already exist; EFS only creates it for an access point that has creation info.`,
        fix: accessPointFix(efs),
      };
    case 'platform-version':
      return {
        explanation:
          'EFS volumes need Fargate platform version 1.4.0 or later; the task or job asked for an older one (LATEST meant 1.3.0 until 2021, and some tools still pin it).',
        fix: `aws ecs update-service --cluster ${shellArg(signal.resource.cluster, 'cluster')} --service ${shellArg(signal.resource.service, 'service')} --platform-version 1.4.0 --force-new-deployment`,
      };
    case null:
      return {
        explanation: `The EFS volume ${fs} could not be mounted. The usual causes: no mount target in the task's Availability Zone, a security group that blocks TCP 2049, IAM authorization refused by the file system policy, or a rootDirectory that does not exist.`,
        fix: networkFix(efs),
      };
  }
}

function classify(text: string): EfsCause | null | undefined {
  if (!efsFailure.test(text)) return undefined;
  for (const { cause, patterns } of causePatterns) if (firstMatch(text, patterns)) return cause;
  return /EFS utils command|EFS volumes|VolumeDriver\.Create: mounting volume failed/i.test(text) ? null : undefined;
}

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

export default defineRule({
  meta: {
    id: 'efs-mount-failure',
    title: 'The task could not mount its EFS volume',
    seed: null,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      '"failed to invoke EFS utils commands to set up EFS volumes" (ResourceInitializationError) or a VolumeDriver.Create mount error: unresolvable mount target, NFS connection timeout, "access denied by server", missing root directory, or EFS on a Fargate platform version before 1.4.0',
    checks: [
      "the task definition's EFS volume (file system, root directory, access point, IAM authorization) and task role",
      "the task subnet's Availability Zone and VPC",
    ],
    needs: ['ecs:DescribeTaskDefinition', 'ec2:DescribeSubnets'],
    causes: ['network', 'access-point', 'iam', 'platform-version'],
    autoFix: null,
  },

  detect(signal): EfsDetection | null {
    const cause = classify(signal.text);
    if (cause === undefined) return null;
    const efs = targetIn(signal.text, signal);
    return {
      cause,
      specificity: cause === null ? 'fallback' : 'root-cause',
      ...describe(cause, efs, signal),
      evidence: [quoted(signal.source, signal.text)],
      efs,
    };
  },

  async investigate(detection, signal, context) {
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
  },
});
