/** Which task an ECS Exec failure was about: from the CloudTrail request, or from an ARN in a pasted text. */
import { arnName, parseArn } from '../../arn';
import type { SignalOf } from '../../events/signals';
import { arnsIn } from '../text';

export interface ExecTarget {
  cluster?: string;
  /** The task ARN or id, as the caller gave it. */
  task?: string;
  container?: string;
}

/** `…:task/<cluster>/<id>` (the only form ECS Exec accepts tasks in besides a bare id). */
function fromTaskArn(arn: string): ExecTarget {
  const segments = parseArn(arn)?.resource.split('/') ?? [];
  if (segments[0] !== 'task' || segments.length < 3) return {};
  return { cluster: segments[1] as string, task: arn };
}

export function execTarget(signal: SignalOf<'text' | 'api-call'>): ExecTarget {
  if (signal.kind === 'api-call') {
    const request = (signal.detail.requestParameters ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof request[key] === 'string' ? (request[key] as string) : undefined);
    const task = text('task');
    const cluster = text('cluster');
    const target: ExecTarget = task ? fromTaskArn(task) : {};
    if (task) target.task = task;
    if (cluster) target.cluster = arnName(cluster) ?? cluster;
    const container = text('container');
    if (container) target.container = container;
    return target;
  }
  const taskArn = arnsIn(signal.text, 'ecs').find((arn) => /:task\//.test(arn));
  return taskArn ? fromTaskArn(taskArn) : {};
}
