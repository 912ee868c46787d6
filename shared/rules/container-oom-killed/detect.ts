import type { Detection } from '../rule';
import type { Evidence } from '../../findings';
import type { ContainerStoppedSignal, TaskStoppedSignal, TextSignal, SignalOf } from '../../events/signals';
import { anyOf, matchesAny, quoted, shellArg } from '../text';

/** The texts detect.ts claims, all of them. */
const oomKilled = anyOf([
  // "Container killed due to memory usage"; matched without its end so truncated reasons still count.
  /OutOfMemoryError:?\s*Container killed/i,
  /container init was OOM-killed/i,
  // The EC2 agent's own log line for the same kill (agent/dockerclient/dockerapi/docker_client.go:1109).
  /DockerGoClient: process within container \S+ .*died due to OOM/i,
]);

export type OomSignal = TextSignal | TaskStoppedSignal | ContainerStoppedSignal;

/** Which limit the kernel enforced: the container's own hard limit, or the task's memory shared by all its containers. */
type OomCause = 'container-limit' | 'task-limit';

export function mib(value: string | number | undefined): number | undefined {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A container hard limit below the task's memory is the one that bites first. */
export function causeFor(containerLimit: number | undefined, taskMemory: number | undefined): OomCause | null {
  if (containerLimit !== undefined && (taskMemory === undefined || containerLimit < taskMemory)) return 'container-limit';
  if (taskMemory !== undefined) return 'task-limit';
  return null;
}

export const explanations: Record<OomCause | 'unknown', string> = {
  'container-limit':
    'The container used more memory than its own hard limit ("memory" in its container definition), so the kernel killed it (SIGKILL, exit code 137). ECS then stops the task because the container is essential, and a service starts a new one that will hit the same limit under the same load.',
  'task-limit':
    'The container has no hard limit of its own, so it shares the task\'s memory with the other containers; together they used more than the task-level "memory", and the kernel killed it (SIGKILL, exit code 137). A service keeps replacing the task, which fails again under the same load.',
  unknown:
    'The kernel\'s OOM killer stopped the container because it used more memory than it was allowed: its own hard limit ("memory" in the container definition) or, without one, the task-level "memory" it shares with the other containers (on EC2 without any limit, the instance\'s memory).',
};

function eventEvidence(signal: OomSignal): Evidence[] {
  const evidence = [quoted(signal.source, signal.text)];
  if (signal.kind !== 'container-stopped') return evidence;
  const { container, task } = signal;
  if (container.exitCode !== undefined) {
    evidence.push({ source: `detail.containers[${container.name}].exitCode`, observed: String(container.exitCode) });
  }
  const limits = [`container ${container.name} memory limit ${container.memory ?? 'not set'}`, `task memory ${task.memory ?? 'not set'}`];
  evidence.push({ source: 'detail', observed: `${limits.join('; ')} (MiB)` });
  return evidence;
}

/** Why an OOM reason can arrive with exit code 0 (aws/amazon-ecs-agent#2467). */
export const cleanExitNote =
  ' The exit code is 0 although the reason is an OOM kill: a process inside the container was killed and the main process then exited on its own; the memory limit was still reached.';

export function deployLine(signal: OomSignal, family: string | undefined): string {
  const taskDefinition = shellArg(family, 'task-family');
  const { cluster, service } = signal.resource;
  // A pasted text names no task: assume the common case, a service.
  if (service || signal.kind === 'text') {
    return `then deploy it:\naws ecs update-service --cluster ${shellArg(cluster, 'cluster')} --service ${shellArg(service, 'service')} --task-definition ${taskDefinition}`;
  }
  return `then start new tasks from it:\naws ecs run-task --cluster ${shellArg(cluster, 'cluster')} --task-definition ${taskDefinition}`;
}

function generalFix(signal: OomSignal): string {
  const container = shellArg(signal.resource.container, 'container');
  return [
    `Raise the memory the container may use by about 50%, in a new revision of task definition ${shellArg(signal.resource.taskFamily, 'task-family')}:`,
    `  container "${container}": "memory" (hard limit), and the task-level "memory" so it still covers every container's limit (on Fargate, a valid CPU/memory pair);`,
    deployLine(signal, signal.resource.taskFamily),
    'If memory keeps growing with uptime, look for a leak before raising the limit again.',
  ].join('\n');
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped'>): Detection | null {
  if (!matchesAny(signal.text, oomKilled)) return null;
  const cause =
    signal.kind === 'container-stopped' ? causeFor(mib(signal.container.memory), mib(signal.task.memory)) : null;
  const cleanExit = signal.kind === 'container-stopped' && signal.container.exitCode === 0 ? cleanExitNote : '';
  return {
    cause,
    specificity: 'root-cause',
    explanation: `${explanations[cause ?? 'unknown']}${cleanExit}`,
    fix: generalFix(signal),
    evidence: eventEvidence(signal),
  };
}

