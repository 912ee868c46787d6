import type { Signal, SignalOf } from '../../events/signals';
import type { Detection } from '../rule';
import { anyOf, firstMatch, type Patterns, quoted, shellArg } from '../text';

/** What every EFS mount failure detect.ts claims says: the EFS mount helper, NFS, an EFS DNS name or the volume driver. */
const efsFailure =
  /EFS utils command|EFS volumes|mount\.nfs4?:|\.efs\.[a-z0-9-]+\.amazonaws\.com|VolumeDriver\.Create|EFS (is supported for|requires) Fargate platform version/i;

type EfsCause = 'network' | 'access-point' | 'iam' | 'platform-version';

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

export interface EfsTarget {
  fileSystem?: string | undefined;
  path?: string | undefined;
  region?: string | undefined;
  /** The DNS name did not resolve (no mount target in the VPC, or DNS hostnames off) rather than a connection timing out. */
  unresolved: boolean;
  /** "Connection reset by peer": usually a mount target that is not ready yet. */
  reset: boolean;
}

export interface EfsDetection extends Detection {
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

export function networkFix(efs: EfsTarget, subnet?: string, vpc?: string): string {
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

export const iamVolumeFix = (efs: EfsTarget) =>
  `In the task definition volume: "efsVolumeConfiguration": {"fileSystemId": "${efs.fileSystem ?? '<file-system-id>'}", "transitEncryption": "ENABLED", "authorizationConfig": {"iam": "ENABLED"}}, and give the task role elasticfilesystem:ClientMount and elasticfilesystem:ClientWrite on arn:aws:elasticfilesystem:${efs.region ?? '<region>'}:<account>:file-system/${efs.fileSystem ?? '<file-system-id>'}.`;

export function accessPointFix(efs: EfsTarget): string {
  const path = efs.path && efs.path !== '/' ? efs.path : '/<directory>';
  return [
    `aws efs create-access-point --file-system-id ${fsArg(efs)} --root-directory 'Path=${path},CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=755}' --region ${regionArg(efs)}`,
    'then set "authorizationConfig": {"accessPointId": "<fsap-id>"} with "transitEncryption": "ENABLED" on the volume and drop rootDirectory (or create the directory on the file system first).',
  ].join('\n');
}

export function describe(cause: EfsCause | null, efs: EfsTarget, signal: Signal): Pick<Detection, 'explanation' | 'fix'> {
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

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>): EfsDetection | null {
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
}

