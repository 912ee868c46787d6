/**
 * Reads and text helpers about one ECS service and its deployments, for the
 * service-level rules (health checks, deployment configuration, circuit
 * breaker), and the timestamps ECS answers in.
 */
import type { Service, Task } from '@aws-sdk/client-ecs';
import { arnName } from '../arn';
import type { ResourceRef } from '../findings';
import type { InvestigationContext } from '../rules/rule';

/**
 * A timestamp as milliseconds. The SDK returns Date objects, the CLI and
 * recorded snapshots ISO strings or epoch seconds, events ISO strings.
 */
export function millis(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** Whole seconds between two timestamps, or undefined when either is missing. */
export function secondsBetween(from: unknown, to: unknown): number | undefined {
  const start = millis(from);
  const end = millis(to);
  if (start === undefined || end === undefined || end < start) return undefined;
  return Math.round((end - start) / 1000);
}

/**
 * The service a scheduler message names: "(service web) …" (current form) or
 * "service web …" (older form, and the AWS doc's templates).
 */
export function serviceNamedIn(text: string): string | undefined {
  const match = /\(service ([A-Za-z0-9_.-]+)[),]/i.exec(text) ?? /^\s*service ([A-Za-z0-9_.-]+)\s/i.exec(text);
  const name = match?.[1];
  // The AWS doc's own templates say "service (service-name)": not a real name.
  return name && name !== 'service-name' ? name : undefined;
}

/** The cluster and service to read, from the signal's resource (or a name the text gave). */
export function serviceTarget(resource: ResourceRef): { cluster: string; service: string } | undefined {
  if (!resource.cluster || !resource.service) return undefined;
  return { cluster: resource.cluster, service: resource.service };
}

/** The reason a service-level check cannot run, for `context.unchecked`. */
export function missingTargetReason(resource: ResourceRef): string {
  if (!resource.service) return 'the input names no service';
  return `the input names service ${resource.service} but not its cluster`;
}

/** ecs:DescribeServices for one service; records a missing service as unchecked. */
export async function describeService(
  context: InvestigationContext,
  target: { cluster: string; service: string },
  purpose: string,
): Promise<Service | undefined> {
  const answer = await context.read('ecs:DescribeServices', { cluster: target.cluster, services: [target.service] }, purpose);
  if (!answer) return undefined;
  const service = answer.services?.find((s) => s.serviceName === target.service || arnName(s.serviceArn) === target.service);
  if (!service) {
    const failure = answer.failures?.[0];
    context.unchecked(purpose, `service ${target.service} not found in cluster ${target.cluster}${failure?.reason ? ` (${failure.reason})` : ''}`);
  }
  return service;
}

/** DescribeTasks takes at most 100 tasks: one batch is all a rule may read. */
const DESCRIBE_TASKS_BATCH = 100;

/**
 * A service's recently stopped tasks (ECS keeps them about an hour), newest
 * first as ECS lists them: one ecs:ListTasks, then ONE ecs:DescribeTasks batch.
 * By service, never by startedBy: the API reference allows startedBy only as
 * the sole filter, and desiredStatus STOPPED is one; filter on task.startedBy.
 */
export async function stoppedTasks(
  context: InvestigationContext,
  cluster: string,
  serviceName: string,
  purpose: string,
): Promise<Task[] | undefined> {
  const listed = await context.read('ecs:ListTasks', { cluster, serviceName, desiredStatus: 'STOPPED' }, purpose);
  if (!listed) return undefined;
  const arns = (listed.taskArns ?? []).slice(0, DESCRIBE_TASKS_BATCH);
  if (arns.length === 0) return [];
  const described = await context.read('ecs:DescribeTasks', { cluster, tasks: arns }, purpose);
  return described?.tasks;
}

/** How a deployment configuration reads in an alert: "minimumHealthyPercent 100, maximumPercent 200". */
export function percentsText(min: number | undefined, max: number | undefined): string {
  const part = (name: string, value: number | undefined) => `${name} ${value ?? 'not set'}`;
  return `${part('minimumHealthyPercent', min)}, ${part('maximumPercent', max)}`;
}

/** "default" from "arn:aws:ecs:…:cluster/default", or the value unchanged when it is already a name. */
export function clusterName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return arnName(value) ?? value;
}
