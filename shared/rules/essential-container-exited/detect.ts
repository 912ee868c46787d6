import type { SignalOf, TaskStoppedSignal, TextSignal } from '../../events/signals';
import type { ContainerDetail } from '../../events/types';
import type { Evidence } from '../../findings';
import type { Detection } from '../rule';
import { quoted, shellArg } from '../text';
import { advice, exitCause, meaning } from './exit-codes';

const essentialExited = /Essential container in task exited/i;

/** The text, or the stop code an event carries without it. */
function isEssentialExit(signal: TextSignal | TaskStoppedSignal): boolean {
  return essentialExited.test(signal.text) || (signal.kind === 'task-stopped' && signal.task.stopCode === 'EssentialContainerExited');
}

/** A pasted text may carry the console's "Exit code: 137". */
const exitCodeInText = /exit\s*code:?\s*(\d{1,3})\b/i;

interface ExitedContainer {
  name: string;
  code: number;
}

function exitedContainers(containers: readonly ContainerDetail[] | undefined): ExitedContainer[] {
  return (containers ?? [])
    .filter((c) => c.exitCode !== undefined && c.exitCode !== 0)
    .map((c) => ({ name: c.name, code: c.exitCode as number }));
}

/**
 * When an essential container exits, ECS stops the others (SIGTERM → 143,
 * then SIGKILL → 137): the container that failed first is the one whose code
 * is neither.
 */
function culprit(exited: readonly ExitedContainer[]): ExitedContainer | undefined {
  return exited.find((c) => c.code !== 143 && c.code !== 137) ?? exited[0];
}

// `aws logs tail` exists only in AWS CLI v2: get-log-events and filter-log-events are in both.
function generalLogsCommand(container: string, task: string | undefined): string {
  return `aws logs get-log-events --log-group-name <awslogs-group> --log-stream-name <awslogs-stream-prefix>/${container}/${shellArg(task, 'task-id')} --limit 50 --query 'events[].message'   # group and prefix: logConfiguration.options in the container definition`;
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped'>): Detection | null {
  if (!isEssentialExit(signal)) return null;

  let failed: ExitedContainer | undefined;
  const evidence: Evidence[] = [quoted(signal.source, signal.text || 'EssentialContainerExited')];
  if (signal.kind === 'task-stopped') {
    const containers = signal.task.containers ?? [];
    const exited = exitedContainers(containers);
    // Every reported exit code is 0: the task's work finished (a job), nothing failed.
    if (exited.length === 0 && containers.some((c) => c.exitCode === 0)) return null;
    for (const c of exited) evidence.push({ source: `detail.containers[${c.name}].exitCode`, observed: String(c.code) });
    failed = culprit(exited);
  } else {
    const code = exitCodeInText.exec(signal.text)?.[1];
    if (code !== undefined && Number(code) === 0) return null;
    if (code !== undefined) failed = { name: '<container>', code: Number(code) };
  }

  // A pasted text names no task; a task's reason, or one a rule classifies for its tasks, does.
  const task = signal.resource.task;
  if (!failed) {
    return {
      cause: null,
      specificity: 'fallback',
      explanation:
        'An essential container exited, so ECS stopped every container in the task. The event gives no exit code; the container\'s exit code (aws ecs describe-tasks, within an hour) and its last log lines tell why.',
      fix: generalLogsCommand('<container>', task),
      evidence,
    };
  }
  const container = failed.name === '<container>' ? undefined : failed.name;
  return {
    cause: exitCause(failed.code),
    specificity: 'fallback',
    explanation: `${meaning(failed.code, container ?? 'the essential container')} Because it is essential, ECS stopped the whole task; a service starts a new one, which fails the same way until the cause is fixed.`,
    fix: `Read its last log lines:\n${generalLogsCommand(container ?? '<container>', task)}\n${advice(failed.code)}`,
    evidence,
    ...(container ? { resource: { container } } : {}),
  };
}

