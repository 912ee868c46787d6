import type { Detection } from '../rule';
import type { SignalOf } from '../../events/signals';
import { quoted, shellArg } from '../text';

/** The text of a retirement (AWS Fargate task maintenance), without the end of its sentence so a truncated reason still counts. */
const maintenance = /ECS is performing maintenance on the underlying infrastructure/i;

const howToSee = [
  'See upcoming retirements (AWS Health, scheduled changes):',
  'aws health describe-events --region us-east-1 --filter services=ECS,eventTypeCategories=scheduledChange',
].join('\n');
const waitPeriod = [
  'Choose when Fargate retires tasks after the notice — 0 (at once), 7 (the default) or 14 days:',
  'aws ecs put-account-setting-default --name fargateTaskRetirementWaitPeriod --value 14',
].join('\n');
const sigterm =
  'Handle SIGTERM so the stop is clean: the task gets SIGTERM, then SIGKILL after "stopTimeout" (up to 120 seconds on Fargate).';

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped'>): Detection | null {
  const byText = maintenance.test(signal.text);
  const byCode = signal.kind === 'task-stopped' && signal.task.stopCode === 'InfrastructureHealth';
  if (!byText && !byCode) return null;
  const evidence = [quoted(signal.source, signal.text || 'stopCode InfrastructureHealth')];
  const what = byText
    ? 'AWS stopped this task to retire the Fargate platform revision it ran on (a security or infrastructure update) or to move it off an unhealthy host.'
    : 'AWS stopped this task because the infrastructure under it was unhealthy (stop code InfrastructureHealth).';

  if (signal.kind === 'task-stopped' && !signal.resource.service) {
    return {
      cause: 'standalone-task',
      specificity: 'root-cause',
      severity: 'warning',
      explanation: `${what} It was a standalone task (RunTask, a schedule, Batch, Step Functions), so ECS does not start a replacement: its work stopped. AWS sends a retirement notice to the AWS Health Dashboard beforehand (default 7 days).`,
      fix: [
        'Start it again on the current platform revision (with the launch type and network configuration it ran with):',
        `aws ecs run-task --cluster ${shellArg(signal.resource.cluster, 'cluster')} --task-definition ${shellArg(signal.resource.taskFamily, 'task-family')}`,
        'Run long-lived work as a service (replaced automatically), or restart standalone tasks yourself when the retirement notice arrives.',
        howToSee,
        waitPeriod,
        sigterm,
      ].join('\n'),
      evidence,
    };
  }
  return {
    cause: null,
    specificity: 'root-cause',
    explanation: `${what} Nothing is broken: a service's scheduler starts a replacement on its own (a standalone task would not be restarted). Expect this from time to time; it only hurts when a service has a single task or stops abruptly.`,
    fix: [
      'Nothing to repair. To control the timing or absorb it:',
      howToSee,
      waitPeriod,
      'Run at least two tasks per service so a retirement never takes it to zero; replace tasks early with a new deployment:',
      `aws ecs update-service --cluster ${shellArg(signal.resource.cluster, 'cluster')} --service ${shellArg(signal.resource.service, 'service')} --force-new-deployment`,
      sigterm,
    ].join('\n'),
    evidence,
  };
}

