import { arnName } from '../../arn';
import type { SignalOf } from '../../events/signals';
import type { Detection } from '../rule';
import { anyOf, deniedPrincipal, firstMatch, quoted, shellArg } from '../text';
import { type ExecTarget, execTarget } from './target';

// InvalidParameterException. AWS prints "isn’t" with a typographic apostrophe; pasted copies often have a straight one.
const notEnabled = anyOf([
  /execute command was not enabled when the task was run/i,
  /execute command agent (?:isn['’]t|is not) running/i,
]);
// TargetNotConnectedException: IAM, the SSM agent, or no route to Session Manager (API reference).
const notConnected = anyOf([/TargetNotConnectedException/i, /The execute command failed due to an internal error/i]);
const callerDenied = anyOf([/not authorized to perform:?\s*ecs:ExecuteCommand/i]);
// The session opened, but the command is not an executable in the container (no bash, or shell syntax).
const commandMissing = anyOf([/Failed to start pty:.*(?:no such file or directory|executable file not found)/i]);

export const SSM_ACTIONS = 'ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel and ssmmessages:OpenDataChannel';

export interface ExecDetection extends Detection {
  target: ExecTarget;
}

function textOf(signal: SignalOf<'text' | 'api-call'>): string | null {
  if (signal.kind === 'text') return signal.text;
  const { detail } = signal;
  if (detail.eventSource !== 'ecs.amazonaws.com' || detail.eventName !== 'ExecuteCommand' || !detail.errorCode) return null;
  return `${detail.errorCode}: ${signal.text}`;
}

export function serviceFix(target: ExecTarget, service?: string): string {
  return [
    `aws ecs update-service --cluster ${shellArg(target.cluster, 'cluster')} --service ${shellArg(service, 'service')} --enable-execute-command --force-new-deployment`,
    'Then exec into a task started by the new deployment:',
    `aws ecs list-tasks --cluster ${shellArg(target.cluster, 'cluster')} --service-name ${shellArg(service, 'service')}`,
  ].join('\n');
}

export function standaloneFix(target: ExecTarget): string {
  return [
    'ECS Exec is fixed when a task starts: run a new task with it (with the launch type and network configuration it ran with):',
    `aws ecs run-task --cluster ${shellArg(target.cluster, 'cluster')} --task-definition <family:revision> --enable-execute-command`,
  ].join('\n');
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'api-call'>): ExecDetection | null {
  const text = textOf(signal);
  if (text === null) return null;
  const target = execTarget(signal);
  const evidence = [quoted(signal.kind === 'api-call' ? 'detail.errorCode + detail.errorMessage' : signal.source, text)];
  const resource = { ...(target.cluster ? { cluster: target.cluster } : {}), ...(target.task ? { task: arnName(target.task) ?? target.task } : {}), ...(target.container ? { container: target.container } : {}) };
  if (firstMatch(text, callerDenied) || (signal.kind === 'api-call' && /^AccessDenied/i.test(signal.detail.errorCode ?? ''))) {
    const { principal } = deniedPrincipal(text);
    const who = principal ?? (signal.kind === 'api-call' ? signal.detail.userIdentity?.arn : undefined);
    return {
      target,
      resource,
      cause: 'caller-permissions',
      specificity: 'root-cause',
      explanation: `${who ? `${who} is` : 'The person or role running the command is'} not allowed to call ecs:ExecuteCommand, so ECS refused before looking at the task. This is about the caller's IAM policy, not the task role. (Some tools, e.g. Copilot, scope that permission to tasks with ECS Exec turned on, so also check that the service has it.)`,
      fix: `Allow the caller ecs:ExecuteCommand on the task: add to ${who ? shellArg(who, 'caller') : "the caller's"} IAM policy\n{"Effect": "Allow", "Action": "ecs:ExecuteCommand", "Resource": "arn:aws:ecs:${signal.resource.region ?? '<region>'}:${signal.resource.account ?? '<account>'}:task/${target.cluster ?? '<cluster>'}/*"}`,
      evidence,
    };
  }
  if (firstMatch(text, commandMissing)) {
    return {
      target,
      resource,
      cause: 'command-not-found',
      specificity: 'root-cause',
      severity: 'info',
      explanation:
        'ECS Exec worked and opened a session, but the command is not an executable in the container. Either the image has no such shell (slim and distroless images often have /bin/sh but no /bin/bash, or no shell at all), or the command used shell syntax (VAR=value, pipes, &&): ECS Exec runs the first word as a program, not through a shell.',
      fix: `aws ecs execute-command --cluster ${shellArg(target.cluster, 'cluster')} --task ${shellArg(target.task, 'task')} --container ${shellArg(target.container, 'container')} --interactive --command "/bin/sh"\nFor shell syntax wrap it: --command "sh -c 'VAR=value your-command'"`,
      evidence,
    };
  }
  if (firstMatch(text, notEnabled)) {
    return {
      target,
      resource,
      cause: 'not-enabled',
      specificity: 'root-cause',
      explanation:
        'ECS Exec was not turned on for this task, or its execute command agent (the SSM agent ECS runs beside your container) is not running yet. ECS Exec is decided when a task starts: turning it on for a service (update-service --enable-execute-command) does not change tasks already running, they keep it off until replaced.',
      fix: `For a service's task:\n${serviceFix(target)}\nFor a standalone task:\n${standaloneFix(target)}`,
      evidence,
    };
  }
  if (firstMatch(text, notConnected)) {
    return {
      target,
      resource,
      cause: null,
      specificity: 'symptom',
      explanation: `ECS Exec could not reach the SSM agent inside the task ("internal error" is misleading). The documented causes are: the task role is missing or lacks ${SSM_ACTIONS}; the SSM agent is not running; or the task cannot reach Session Manager (private subnet without a NAT gateway, or an interface VPC endpoint for ECS but none for ssmmessages). AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY set in the container's environment also break it (the agent uses them instead of the task role). Right after a task starts it can also be transient: retry after a few seconds.`,
      fix: `Add to the task role: {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], "Resource": "*"}; give private subnets a NAT gateway or a com.amazonaws.${signal.resource.region ?? '<region>'}.ssmmessages interface endpoint; then run https://github.com/aws-containers/amazon-ecs-exec-checker against the task.`,
      evidence,
    };
  }
  return null;
}

