import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Evidence } from '../../findings';
import type { ContainerStoppedSignal, TaskStoppedSignal, TextSignal } from '../../events/signals';
import { defineRule, type Refinement } from '../rule';
import { anyOf, firstMatch, quoted, shellArg } from '../text';
import { fargateSizeFor, withHeadroom } from './sizing';

/**
 * A container was killed by the kernel's OOM killer. ECS reports it as the
 * container reason (exit code 137, sometimes 0: aws/amazon-ecs-agent#1187,
 * #2467), or, when even the container's init process cannot fit, as a
 * CannotStartContainerError (#3021).
 */
const oomKilled = anyOf([
  // "Container killed due to memory usage"; matched without its end so truncated reasons still count.
  /OutOfMemoryError:?\s*Container killed/i,
  /container init was OOM-killed/i,
  // The EC2 agent's own log line for the same kill (agent/dockerclient/dockerapi/docker_client.go:1109).
  /DockerGoClient: process within container \S+ .*died due to OOM/i,
]);

type OomSignal = TextSignal | TaskStoppedSignal | ContainerStoppedSignal;

/** Which limit the kernel enforced: the container's own hard limit, or the task's memory shared by all its containers. */
type OomCause = 'container-limit' | 'task-limit';

function mib(value: string | number | undefined): number | undefined {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A container hard limit below the task's memory is the one that bites first. */
function causeFor(containerLimit: number | undefined, taskMemory: number | undefined): OomCause | null {
  if (containerLimit !== undefined && (taskMemory === undefined || containerLimit < taskMemory)) return 'container-limit';
  if (taskMemory !== undefined) return 'task-limit';
  return null;
}

const explanations: Record<OomCause | 'unknown', string> = {
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
const cleanExitNote =
  ' The exit code is 0 although the reason is an OOM kill: a process inside the container was killed and the main process then exited on its own; the memory limit was still reached.';

function deployLine(signal: OomSignal, family: string | undefined): string {
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

interface Sizing {
  lines: string[];
  note?: string;
}

function newTaskMemory(definition: TaskDefinition, fargate: boolean, needed: number, current: number): Sizing {
  if (!fargate) return { lines: [`  task: "memory": "${needed}"   (now ${current} MiB)`] };
  const cpu = mib(definition.cpu) ?? 256;
  const size = fargateSizeFor(cpu, needed);
  if (!size) {
    return { lines: [], note: `Fargate's largest task size (16 vCPU, 120 GB) cannot give it ${needed} MiB: reduce the application's memory use or run it on EC2.` };
  }
  const lines = [`  task: "memory": "${size.memory}"   (now ${current} MiB; ${needed} MiB needed, rounded up to a valid Fargate size)`];
  if (size.cpu !== cpu) lines.push(`  task: "cpu": "${size.cpu}"   (now ${cpu}; Fargate has no ${size.memory} MiB size at ${cpu} CPU units)`);
  return { lines };
}

/** The exact task-definition change, with numbers, for the limit that was hit. */
function sizedRefinement(signal: OomSignal, definition: TaskDefinition, target: ContainerDefinition): Refinement {
  const containers = definition.containerDefinitions ?? [];
  const containerLimit = mib(target.memory);
  const taskMemory = mib(definition.memory);
  const cause = causeFor(containerLimit, taskMemory);
  const fargate =
    definition.requiresCompatibilities?.includes('FARGATE') === true || (signal.kind !== 'text' && signal.task.launchType === 'FARGATE');
  const name = target.name ?? '(unnamed)';
  const evidence: Evidence[] = [
    {
      source: 'ecs:DescribeTaskDefinition',
      observed: `${definition.family ?? ''}:${definition.revision ?? ''} container ${name}: memory ${containerLimit ?? 'not set'}, memoryReservation ${target.memoryReservation ?? 'not set'}; task memory ${taskMemory ?? 'not set'}, cpu ${definition.cpu ?? 'not set'}${fargate ? ' (FARGATE)' : ''}`,
    },
  ];
  if (cause === null) {
    return {
      cause: null,
      evidence,
      explanation: `${explanations.unknown} The task definition sets no memory limit for the container or the task, so the instance itself ran out of memory.`,
      fix: `Give container "${name}" a hard limit with headroom ("memory" in its container definition) and place the task on instances with enough free memory; ${deployLine(signal, definition.family)}`,
    };
  }

  const lines: string[] = [];
  let note: string | undefined;
  if (cause === 'container-limit' && containerLimit !== undefined) {
    const raised = withHeadroom(containerLimit);
    lines.push(`  container "${name}": "memory": ${raised}   (now ${containerLimit} MiB: +50%)`);
    // The other containers keep what they reserve; the task must still hold them all.
    const others = containers
      .filter((c) => c !== target)
      .reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
    if (taskMemory !== undefined && others + raised > taskMemory) {
      const sizing = newTaskMemory(definition, fargate, others + raised, taskMemory);
      lines.push(...sizing.lines);
      note = sizing.note;
    } else if (taskMemory !== undefined) {
      lines.push(`  (the task's ${taskMemory} MiB still holds every container's limit)`);
    }
  } else if (taskMemory !== undefined) {
    const sizing = newTaskMemory(definition, fargate, withHeadroom(taskMemory), taskMemory);
    lines.push(...sizing.lines);
    note = sizing.note;
  }

  const fix = note
    ? note
    : [`Register a new revision of task definition ${shellArg(definition.family, 'task-family')} with:`, ...lines, deployLine(signal, definition.family)].join('\n');
  const cleanExit = signal.kind === 'container-stopped' && signal.container.exitCode === 0 ? cleanExitNote : '';
  return {
    cause,
    evidence,
    resource: { container: name },
    explanation: `${explanations[cause]}${cleanExit}`,
    fix,
  };
}

/** The container definition the signal is about: the named container, or the only one. */
function targetContainer(signal: OomSignal, definition: TaskDefinition): ContainerDefinition | undefined {
  const containers = definition.containerDefinitions ?? [];
  const name = signal.resource.container;
  if (name) return containers.find((c) => c.name === name);
  return containers.length === 1 ? containers[0] : undefined;
}

export default defineRule({
  meta: {
    id: 'container-oom-killed',
    title: 'A container was killed for using more memory than its limit',
    seed: null,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped'],
    triggers:
      '"OutOfMemoryError: Container killed due to memory usage" in a container reason (exit code 137, sometimes 0), or "container init was OOM-killed (memory limit too low?)" in a CannotStartContainerError; the EC2 agent\'s log line "process within container … died due to OOM"',
    checks: [
      "the container's hard limit and reservation and the task's memory and CPU (ecs:DescribeTaskDefinition)",
      'which limit was hit, and a +50% limit rounded to a valid Fargate size',
    ],
    needs: ['ecs:DescribeTaskDefinition'],
    causes: ['container-limit', 'task-limit'],
    autoFix: null,
  },

  detect(signal) {
    if (!firstMatch(signal.text, oomKilled)) return null;
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
  },

  async investigate(_detection, signal, context) {
    const taskDefinition = signal.kind === 'text' ? undefined : signal.task.taskDefinitionArn;
    if (!taskDefinition) {
      context.unchecked('the memory limits in the task definition', 'the signal names no task definition');
      return undefined;
    }
    const described = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, 'the memory limits in the task definition');
    const definition = described?.taskDefinition;
    if (!definition) return undefined;
    const target = targetContainer(signal, definition);
    if (!target) {
      context.unchecked('the container\'s memory limit', `the task definition has no single container matching ${signal.resource.container ?? 'the signal'}`);
      return undefined;
    }
    return sizedRefinement(signal, definition, target);
  },
});
