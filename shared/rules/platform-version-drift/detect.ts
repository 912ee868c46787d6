import { arnName } from '../../arn';
import type { SignalOf } from '../../events/signals';
import type { Evidence, ResourceRef } from '../../findings';
import type { Detection } from '../rule';
import { shellArg } from '../text';
import { below14, currentPlatform, currentPlatformSource, familyOf, isBehind, type PlatformFamily } from '../../facts/platforms';

const launchingCalls = new Set(['CreateService', 'UpdateService', 'RunTask']);

export interface PlatformDetection extends Detection {
  version: string;
}

function isFargateRequest(request: Record<string, unknown>, response: Record<string, unknown> | undefined): boolean {
  if (request.launchType === 'FARGATE' || response?.launchType === 'FARGATE') return true;
  const strategy = request.capacityProviderStrategy ?? response?.capacityProviderStrategy;
  return Array.isArray(strategy) && strategy.some((item) => /^FARGATE(_SPOT)?$/.test(String((item as { capacityProvider?: unknown }).capacityProvider)));
}

export function fix(resource: ResourceRef, family: PlatformFamily): string {
  const version = currentPlatform[family];
  if (!resource.service) {
    return [
      "Start the task with an explicit platform version (or set PlatformVersion in the schedule's ECS target):",
      `aws ecs run-task --cluster ${shellArg(resource.cluster, 'cluster')} --task-definition ${shellArg(resource.taskFamily, 'task-family')} --launch-type FARGATE --platform-version ${version}`,
    ].join('\n');
  }
  return `aws ecs update-service --cluster ${shellArg(resource.cluster, 'cluster')} --service ${shellArg(resource.service, 'service')} --platform-version ${version} --force-new-deployment`;
}

function behindDetection(version: string, family: PlatformFamily, resource: ResourceRef, evidence: Evidence[]): PlatformDetection {
  return {
    version,
    cause: 'behind-latest',
    specificity: 'root-cause',
    severity: 'warning',
    explanation: `${resource.service ? `Service ${resource.service}` : 'This task'} runs on Fargate platform version ${version}, older than the current ${family === 'LINUX' ? 'Linux' : 'Windows'} version ${currentPlatform[family]} (${currentPlatformSource}). Old platform versions miss features and patches and are eventually retired, forcing an unplanned move.${family === 'LINUX' ? ` ${below14}` : ''}`,
    fix: fix(resource, family),
    evidence,
    resource,
  };
}

function apiCallDetection(signal: SignalOf<'api-call'>): PlatformDetection | null {
  const { detail } = signal;
  if (detail.eventSource !== 'ecs.amazonaws.com' || !launchingCalls.has(detail.eventName) || detail.errorCode) return null;
  const request = (detail.requestParameters ?? {}) as Record<string, unknown>;
  const responseService = (detail.responseElements as { service?: Record<string, unknown> } | null | undefined)?.service;
  if (!isFargateRequest(request, responseService)) return null;
  const requested = typeof request.platformVersion === 'string' ? request.platformVersion : undefined;
  // UpdateService without a platform version keeps the service's current one: nothing changed.
  if (detail.eventName === 'UpdateService' && requested === undefined) return null;
  const service = [request.serviceName, request.service].find((v): v is string => typeof v === 'string');
  const resource: ResourceRef = {};
  const cluster = typeof request.cluster === 'string' ? (arnName(request.cluster) ?? request.cluster) : undefined;
  if (cluster) resource.cluster = cluster;
  if (service) resource.service = arnName(service) ?? service;
  const family = familyOf(responseService?.platformFamily);
  const evidence: Evidence[] = [
    { source: `detail.requestParameters.platformVersion (${detail.eventName})`, observed: requested ?? 'not set (ECS uses LATEST)' },
  ];
  if (requested === undefined || /^latest$/i.test(requested)) {
    return {
      version: 'LATEST',
      cause: 'unpinned',
      specificity: 'root-cause',
      severity: 'info',
      explanation: `${detail.eventName} asks for Fargate platform LATEST${requested ? '' : ' (by omitting platformVersion)'}. LATEST is resolved when each task starts; today it means ${currentPlatform[family]}. That is the patched, recommended choice (Security Hub ECS.10 checks for it), but it is not reproducible: when AWS moves LATEST, tasks started after the move run a different kernel and runtime than tasks started before, even within one deployment (LATEST moved from 1.3.0 to 1.4.0 on 2021-03-19 and changed how tasks reach ECR, Secrets Manager and CloudWatch Logs). Keep LATEST deliberately and watch for mixed versions, or pin and test upgrades explicitly.`,
      fix: `To pin:\n${fix(resource, family).replace(' --force-new-deployment', '')}\nTo keep LATEST, nothing to change; ecs-medic reports when tasks of one service run on different platform versions.`,
      evidence,
      resource,
    };
  }
  if (!isBehind(requested, family)) return null;
  return behindDetection(requested, family, resource, evidence);
}

/**
 * The API's platform-version errors (ECS API Reference, Errors: PlatformUnknownException,
 * PlatformTaskDefinitionIncompatibilityException), from any SDK or the CLI.
 */
const unknownPlatform = /PlatformUnknownException|The specified platform (version )?does not exist/i;
const incompatiblePlatform =
  /PlatformTaskDefinitionIncompatibilityException|One or more of the requested capabilities are not supported|platform version (doesn.t|does not) satisfy the required capabilities/i;

function platformErrorDetection(text: string, source: string): PlatformDetection | null {
  const pinTo = currentPlatform.LINUX;
  const fix = [
    `# pin a full version (${pinTo}) or LATEST, on the service or on run-task:`,
    `aws ecs update-service --cluster <cluster> --service <service> --platform-version ${pinTo} --force-new-deployment`,
  ].join('\n');
  const evidence = [{ source, observed: text.length > 600 ? `${text.slice(0, 600)}…` : text }];
  if (unknownPlatform.test(text)) {
    return {
      version: 'unknown',
      cause: 'unknown-version',
      specificity: 'root-cause',
      severity: 'critical',
      explanation: `ECS does not know the Fargate platform version that was asked for. Versions are full triples (1.4.0, not 1.4) or LATEST, and Linux and Windows have their own (1.4.0 and 1.0.0); a version for the other family, or one that was retired, is unknown too.`,
      fix,
      evidence,
    };
  }
  if (!incompatiblePlatform.test(text)) return null;
  return {
    version: 'unknown',
    cause: null,
    specificity: 'root-cause',
    severity: 'critical',
    explanation: `The Fargate platform version the task would run on lacks a capability its task definition requires, so ECS refused to start it. ${below14} The text does not say which capability: EFS volumes, ephemeral storage above 20 GiB, secrets as environment variables, FireLens and the ECS Exec agent are among those that need 1.4.0.`,
    fix,
    evidence,
  };
}

function taskDetection(signal: SignalOf<'task-state'>): PlatformDetection | null {
  const { task } = signal;
  const fargate = task.launchType === 'FARGATE' || /^FARGATE/.test(task.capacityProviderName ?? '');
  // One claim per task: RUNNING, not each PROVISIONING/PENDING step.
  if (!fargate || task.lastStatus !== 'RUNNING' || !task.platformVersion) return null;
  const family = familyOf(task.platformFamily);
  if (!isBehind(task.platformVersion, family)) return null;
  return behindDetection(task.platformVersion, family, signal.resource, [{ source: 'detail.platformVersion', observed: `${task.platformVersion} (task ${signal.resource.task ?? task.taskArn})` }]);
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'api-call' | 'task-state' | 'text'>): Detection | null {
  if (signal.kind === 'text') return platformErrorDetection(signal.text, signal.source);
  if (signal.kind === 'task-state') return taskDetection(signal);
  return signal.detail.errorCode ? platformErrorDetection(`${signal.detail.errorCode}: ${signal.text}`, signal.source) : apiCallDetection(signal);
}

