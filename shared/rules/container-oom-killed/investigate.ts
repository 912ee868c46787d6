import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import type { SignalOf } from '../../events/signals';
import type { Evidence } from '../../findings';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { fargateSizeFor, withHeadroom } from './sizing';
import { causeFor, cleanExitNote, deployLine, explanations, mib, type OomSignal } from './detect';

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

export default async function investigate(_detection: Detection, signal: SignalOf<'text' | 'task-stopped' | 'container-stopped'>, context: InvestigationContext): Promise<Refinement | undefined> {
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
}
