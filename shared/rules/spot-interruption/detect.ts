import type { Detection } from '../rule';
import type { TaskStoppedSignal, TextSignal, SignalOf } from '../../events/signals';
import { quoted, shellArg } from '../text';

type SpotSignal = TextSignal | TaskStoppedSignal;

const spotInterrupted = /Your Spot Task was interrupted/i;

function isSpotStop(signal: SpotSignal): boolean {
  if (spotInterrupted.test(signal.text)) return true;
  if (signal.kind !== 'task-stopped') return false;
  const { stopCode } = signal.task;
  // TerminationNotice without a text of its own; with another text (maintenance…), that text decides.
  return stopCode === 'SpotInterruption' || (stopCode === 'TerminationNotice' && signal.text.trim() === '');
}

function isStandalone(signal: SpotSignal): boolean {
  return signal.kind === 'task-stopped' && !signal.resource.service;
}

export const serviceExplanation =
  'AWS reclaimed the Spot capacity under this task: it got SIGTERM and a two-minute warning, then was stopped. This is how Spot works, not a fault; the service scheduler starts a replacement — on Spot again, if Spot capacity is available.';

export function mixedStrategyCommand(cluster: string | undefined, service: string | undefined): string {
  return `aws ecs update-service --cluster ${shellArg(cluster, 'cluster')} --service ${shellArg(service, 'service')} --capacity-provider-strategy capacityProvider=FARGATE,base=1,weight=1 capacityProvider=FARGATE_SPOT,weight=3 --force-new-deployment`;
}

export const sigtermAdvice =
  'Handle SIGTERM within the two-minute warning: stop taking work, finish or checkpoint in-flight work, and set "stopTimeout": 120 in the container definition (the Fargate maximum; the default is 30 seconds).';

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped'>): Detection | null {
  if (!isSpotStop(signal)) return null;
  const evidence = [quoted(signal.source, signal.text || `stopCode ${signal.kind === 'task-stopped' ? signal.task.stopCode : ''}`)];
  if (signal.kind === 'task-stopped' && signal.task.capacityProviderName) {
    evidence.push({ source: 'detail.capacityProviderName', observed: signal.task.capacityProviderName });
  }
  if (isStandalone(signal)) {
    return {
      cause: 'standalone-task',
      specificity: 'root-cause',
      severity: 'warning',
      explanation:
        'AWS reclaimed the Spot capacity under this task: it got SIGTERM and a two-minute warning, then was stopped. It was a standalone task (RunTask, a schedule, Batch, Step Functions), so nothing restarts it: its work is lost unless the caller retries.',
      fix: [
        'Retry interrupted runs in the caller (e.g. retry when stoppedReason is "Your Spot Task was interrupted."), or run work that must not be interrupted on FARGATE:',
        `aws ecs run-task --cluster ${shellArg(signal.resource.cluster, 'cluster')} --task-definition ${shellArg(signal.resource.taskFamily, 'task-family')} --capacity-provider-strategy capacityProvider=FARGATE,weight=1`,
        sigtermAdvice,
      ].join('\n'),
      evidence,
    };
  }
  return {
    cause: null,
    specificity: 'root-cause',
    explanation: serviceExplanation,
    fix: `If the service must not run below its desired count, keep an on-demand base:\n${mixedStrategyCommand(signal.resource.cluster, signal.resource.service)}\n${sigtermAdvice}`,
    evidence,
  };
}

