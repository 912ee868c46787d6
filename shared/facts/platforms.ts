/** The current Fargate platform versions: a snapshot, with where and when it was read. */
import { isOlder } from './versions';

export type PlatformFamily = 'LINUX' | 'WINDOWS';

export const currentPlatform: Record<PlatformFamily, string> = { LINUX: '1.4.0', WINDOWS: '1.0.0' };

export const currentPlatformSource =
  'ECS Developer Guide, "Fargate platform versions for Amazon ECS" (platform-fargate.html): the latest Linux platform version is 1.4.0, the latest Windows platform version is 1.0.0 (read 2026-11-26)';

/** Fargate reports platformFamily as e.g. "Linux" or "WINDOWS_SERVER_2019_CORE"; absent means Linux. */
export function familyOf(platformFamily: unknown): PlatformFamily {
  return typeof platformFamily === 'string' && /windows/i.test(platformFamily) ? 'WINDOWS' : 'LINUX';
}

/** True when a concrete version (not LATEST) is older than the current one for its family. */
export function isBehind(version: string | undefined, family: PlatformFamily): boolean {
  return isOlder(version, currentPlatform[family]);
}

/** What changes below Linux 1.4.0, in plain words (ECS Developer Guide, platform-linux-fargate.html). */
export const below14 =
  'Below Linux 1.4.0 a task has no ECS Exec, no Amazon EFS volumes and no 20 GiB ephemeral storage, and its image pulls, secrets and logs go over the Fargate-managed network instead of the task ENI, so moving to 1.4.0 also changes networking: in private subnets 1.4.0 needs a NAT gateway or VPC endpoints for ecr.api, ecr.dkr, S3 (gateway), logs and, if secrets are used, Secrets Manager/SSM.';
