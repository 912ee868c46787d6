import type { SignalOf } from '../../events/signals';
import type { ResourceRef } from '../../findings';
import { type Detection, defineRule } from '../rule';
import { anyOf, matchesAny, quoted, shellArg } from '../text';

/**
 * The catch-all beneath the catch-alls: a pasted failure text, or a service
 * WARN/ERROR event, that no rule recognises still gets one next step — the
 * command that shows the full stop reasons, with the values the text names —
 * instead of a dead end. Dropped whenever any other rule fits the same event.
 */
export const UNRECOGNISED_RULE_ID = 'unrecognised-failure';

/** ECS messages that report no failure (service-event-messages-list.html, INFO events; user and scaling stops). */
const benign = anyOf([
  /^Task stopped by user\.?$/i,
  /^Scaling activity initiated by/i,
  /has reached a steady state\.?$/i,
  /has (started|stopped) \d+ (running )?tasks?/i,
  /(registered|deregistered) \d+ targets? in/i,
  /deployment [\w-]+ (has )?completed\.?$/i,
]);

const region = (resource: ResourceRef) => (resource.region ? ` --region ${shellArg(resource.region, 'region')}` : '');

function describeTasks(resource: ResourceRef): string {
  return `aws ecs describe-tasks --cluster ${shellArg(resource.cluster, 'cluster')} --tasks ${shellArg(resource.task, 'task-id')}${region(resource)}`;
}

const whereTheCauseIs =
  "describe-tasks shows the task's full stoppedReason and stopCode and each container's exitCode and reason (consoles and CLIs cut them short); paste those into ecs-medic explain.";

function textDetection(signal: SignalOf<'text'>): Detection | null {
  const text = signal.text.trim();
  if (text === '' || matchesAny(text, benign)) return null;
  return {
    cause: null,
    specificity: 'unrecognised',
    explanation: `No ecs-medic rule recognises this text, so it names no cause. ${whereTheCauseIs}`,
    fix: describeTasks(signal.resource),
    evidence: [quoted(signal.source, text)],
  };
}

/** A service warning without a text any rule knows, such as SERVICE_TASK_START_IMPAIRED (which carries none). */
function serviceDetection(signal: SignalOf<'service-action'>): Detection | null {
  const { detail, resource } = signal;
  if (detail.eventType !== 'WARN' && detail.eventType !== 'ERROR') return null;
  const cluster = shellArg(resource.cluster, 'cluster');
  return {
    cause: null,
    specificity: 'unrecognised',
    explanation: `ECS reported ${detail.eventName} for ${resource.service ? `service ${resource.service}` : 'a service'}${signal.text ? `: ${signal.text}` : ''}, and no rule recognises why: the event does not carry the stopped tasks' reasons. ${whereTheCauseIs}`,
    fix: [
      `aws ecs list-tasks --cluster ${cluster} --service-name ${shellArg(resource.service, 'service')} --desired-status STOPPED${region(resource)}`,
      describeTasks(resource),
    ].join('\n'),
    evidence: [{ source: 'detail.eventName', observed: `${detail.eventType} ${detail.eventName}` }, ...(signal.text ? [quoted(signal.source, signal.text)] : [])],
  };
}

export default defineRule({
  meta: {
    id: UNRECOGNISED_RULE_ID,
    title: 'No rule recognises this failure: the full stop reasons name it',
    seed: null,
    severity: 'warning',
    signals: ['text', 'service-action'],
    triggers:
      'a pasted failure text, or a service action event of type WARN or ERROR (e.g. SERVICE_TASK_START_IMPAIRED), that no other rule recognises; never alongside another finding',
    checks: [],
    needs: [],
    causes: [],
    autoFix: null,
  },

  detect(signal) {
    return signal.kind === 'text' ? textDetection(signal) : serviceDetection(signal);
  },
});
