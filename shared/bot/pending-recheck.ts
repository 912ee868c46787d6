import type { Task } from '@aws-sdk/client-ecs';
import { arnName } from '../arn';
import type { PendingRecheckSignal } from '../events/signals';
import type { AccountReader } from '../reader/port';
import type { RecheckRequest } from './recheck';

/** Validates a re-check message body; a string is the problem (permanent: the message goes to the DLQ). */
export function parseRecheckRequest(body: string): RecheckRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return `re-check message is not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 're-check message should be a JSON object';
  const message = value as Record<string, unknown>;
  if (message.kind !== 'pending-recheck') return `re-check message kind should be "pending-recheck", is ${JSON.stringify(message.kind)}`;
  for (const field of ['account', 'region', 'clusterArn', 'service', 'firstSeen'] as const) {
    if (typeof message[field] !== 'string' || message[field] === '') return `re-check message ${field} should be a non-empty string`;
  }
  if (Number.isNaN(Date.parse(message.firstSeen as string))) return 're-check message firstSeen should be an ISO-8601 time';
  return message as unknown as RecheckRequest;
}

const stuck = (task: Task) => task.lastStatus === 'PROVISIONING' || task.lastStatus === 'PENDING';

/**
 * Looks at the service again: ecs:DescribeServices, ecs:ListTasks (desired
 * RUNNING, which PENDING tasks are) and ONE ecs:DescribeTasks (the first 100).
 * Returns the signal when tasks are still PROVISIONING or PENDING, else
 * undefined. Read errors propagate: without the service there is nothing to judge.
 */
export async function pendingRecheckSignal(
  reader: AccountReader,
  request: RecheckRequest,
  now: Date,
): Promise<PendingRecheckSignal | undefined> {
  const cluster = arnName(request.clusterArn) ?? request.clusterArn;
  const { service: serviceName } = request;
  const described = await reader.read('ecs:DescribeServices', { cluster, services: [serviceName] });
  const service = described.services?.[0];
  if (!service) return undefined;
  const listed = await reader.read('ecs:ListTasks', { cluster, serviceName, desiredStatus: 'RUNNING' });
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return undefined;
  const tasks = (await reader.read('ecs:DescribeTasks', { cluster, tasks: arns.slice(0, 100) })).tasks ?? [];
  const stuckTasks = tasks.filter(stuck);
  if (stuckTasks.length === 0) return undefined;
  // Live answers carry Dates, snapshots ISO strings: new Date() reads both.
  const since = Math.min(...stuckTasks.map((task) => (task.createdAt ? new Date(task.createdAt).getTime() : Date.parse(request.firstSeen))));
  return {
    kind: 'pending-recheck',
    text: '',
    source: 'ecs:DescribeTasks',
    resource: { account: request.account, region: request.region, cluster, service: serviceName },
    service,
    stuckTasks,
    waitedSeconds: Math.max(0, Math.round((now.getTime() - since) / 1000)),
  };
}
