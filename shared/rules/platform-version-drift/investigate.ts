import type { Task } from '@aws-sdk/client-ecs';
import type { SignalOf } from '../../events/signals';
import { arnName } from '../../arn';
import type { Evidence } from '../../findings';
import type { InvestigationContext, Refinement } from '../rule';
import { below14, familyOf, isBehind } from '../../facts/platforms';
import { fix, type PlatformDetection } from './detect';

function versionsOf(tasks: readonly Task[]): Map<string, string[]> {
  const versions = new Map<string, string[]>();
  for (const task of tasks) {
    const version = task.platformVersion ?? 'unknown';
    versions.set(version, [...(versions.get(version) ?? []), arnName(task.taskArn) ?? '?']);
  }
  return versions;
}

export default async function investigate(detection: PlatformDetection, signal: SignalOf<'api-call' | 'task-state' | 'text'>, context: InvestigationContext): Promise<Refinement | undefined> {
  const { cluster, service } = { ...signal.resource, ...detection.resource };
  // Only a service's tasks have siblings to compare; a standalone task or an API call stands alone.
  if (signal.kind !== 'task-state' || !cluster || !service) return undefined;
  const evidence: Evidence[] = [];
  const services = await context.read('ecs:DescribeServices', { cluster, services: [service] }, `the platform version service ${service} requests`);
  const requested = services?.services?.[0]?.platformVersion;
  if (requested) evidence.push({ source: 'ecs:DescribeServices', observed: `service ${service} requests platform version ${requested}` });
  const listed = await context.read('ecs:ListTasks', { cluster, serviceName: service }, `the running tasks of service ${service}`);
  const arns = listed?.taskArns ?? [];
  if (arns.length === 0) return { evidence };
  const described = await context.read('ecs:DescribeTasks', { cluster, tasks: arns.slice(0, 100) }, `the platform versions of service ${service}'s tasks`);
  if (!described) return { evidence };
  const versions = versionsOf(described.tasks ?? []);
  evidence.push({
    source: 'ecs:DescribeTasks',
    observed: [...versions].map(([version, ids]) => `${version}: ${ids.length} task(s) (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`).join('; '),
  });
  const family = familyOf(described.tasks?.[0]?.platformFamily);
  if (versions.size < 2) {
    return requested && !/^latest$/i.test(requested)
      ? { evidence, explanation: `${detection.explanation} The service pins ${requested}, so every new task starts on it too.` }
      : { evidence };
  }
  const summary = [...versions].map(([version, ids]) => `${ids.length} on ${version}`).join(', ');
  return {
    cause: 'mixed-versions',
    severity: 'warning',
    evidence,
    explanation: `The running tasks of service ${service} are on different Fargate platform versions (${summary}). Tasks keep the platform they started on, so tasks from an older deployment or pinned version, or started before LATEST moved, still run beside newer ones: the same service behaves differently depending on which task serves a request, and a problem on one version cannot be reproduced on the other. A new deployment puts every task on one version. ${detection.version !== 'LATEST' && family === 'LINUX' && isBehind(detection.version, 'LINUX') ? below14 : ''}`.trim(),
    fix: fix({ cluster, service }, family),
  };
}
