/**
 * What a service's tasks stuck before RUNNING say by themselves (the bot's
 * PENDING re-check): which phase each is stuck in, and on what.
 */
import type { Service, Task } from '@aws-sdk/client-ecs';
import { arnName } from '../../arn';
import { millis } from '../../facts/service';

/** Stuck tasks run on Fargate when their launch type or capacity provider says so. */
export function onFargate(task: Task): boolean {
  return task.launchType === 'FARGATE' || (task.capacityProviderName ?? '').startsWith('FARGATE');
}

/** Not yet placed on capacity: waiting for a capacity provider to launch an instance, or for Fargate. */
export function unplaced(task: Task): boolean {
  return task.lastStatus === 'PROVISIONING' || (task.lastStatus === 'PENDING' && !onFargate(task) && !task.containerInstanceArn);
}

type Phase = 'provisioning-ec2' | 'provisioning-fargate' | 'pulling' | 'agent' | 'starting';

function phaseOf(task: Task): Phase {
  if (unplaced(task)) return onFargate(task) ? 'provisioning-fargate' : 'provisioning-ec2';
  if (task.pullStartedAt && !task.pullStoppedAt) return 'pulling';
  if (!task.pullStartedAt && !onFargate(task)) return 'agent';
  return 'starting';
}

const phaseWords: Record<Phase, string> = {
  'provisioning-ec2': 'waiting for capacity: no instance has room, and ECS waits for the capacity provider to launch one',
  'provisioning-fargate': 'waiting for Fargate capacity and the task network interface',
  pulling: 'placed, still pulling the container image',
  agent: 'placed on an instance whose ECS agent has not started it (no image pull yet)',
  starting: 'placed, image pulled, containers not started yet',
};

/** "2 PROVISIONING (ASG-cp: …); 1 PENDING on container instance 2dd1… (…)". */
export function stuckSummary(tasks: readonly Task[], waitedSeconds: number): string {
  const groups = new Map<string, number>();
  for (const task of tasks) {
    const where = task.containerInstanceArn
      ? ` on container instance ${arnName(task.containerInstanceArn)}`
      : task.capacityProviderName
        ? ` on capacity provider ${task.capacityProviderName}`
        : '';
    const key = `${task.lastStatus ?? '?'}${where} (${phaseWords[phaseOf(task)]})`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const parts = [...groups.entries()].map(([key, n]) => `${n} ${key}`);
  return `${tasks.length} task(s) still before RUNNING after ${waitedSeconds} s: ${parts.join('; ')}`;
}

/** The explanation of a pileup from the stuck tasks alone. */
export function pileupExplanation(service: Service, tasks: readonly Task[], waitedSeconds: number): string {
  const name = service.serviceName ?? 'the service';
  const phases = new Set(tasks.map(phaseOf));
  const head = `${tasks.length} task(s) of service ${name} have not reached RUNNING after ${waitedSeconds} s (desired ${service.desiredCount ?? '?'}, running ${service.runningCount ?? '?'}, pending ${service.pendingCount ?? '?'}). A task stuck before RUNNING emits no further event, so this comes from the bot's re-check.`;
  const parts: string[] = [head];
  if (phases.has('provisioning-ec2')) {
    parts.push(
      'Tasks in PROVISIONING on an EC2 capacity provider wait for an instance with room: managed scaling must grow the Auto Scaling group, and the group must be allowed to grow. Service auto scaling only changes the number of tasks; it never adds EC2 instances.',
    );
  }
  if (phases.has('provisioning-fargate')) {
    parts.push(
      'Fargate tasks in PROVISIONING wait for Fargate capacity in their subnets\' Availability Zones and for their network interface; minutes of it mean capacity is short there (Fargate Spot first) or the subnets cannot give an address.',
    );
  }
  if (phases.has('pulling') || phases.has('agent') || phases.has('starting')) {
    parts.push(
      'Tasks in PENDING are already placed, so capacity is not what they wait for: a large image or a slow path to the registry (pull still running), a disconnected or busy ECS agent on the instance (no pull started), or containers waiting on dependencies or volumes.',
    );
  }
  return parts.join(' ');
}

const steadyState = /has reached a steady state/i;

/** The service's event messages since it last reached steady state, newest first: what went wrong this time. */
export function messagesSinceSteadyState(service: Service): string[] {
  const ordered = [...(service.events ?? [])]
    .map((event) => ({ at: millis(event.createdAt) ?? 0, message: event.message ?? '' }))
    .sort((a, b) => b.at - a.at);
  const messages: string[] = [];
  for (const event of ordered) {
    if (steadyState.test(event.message)) break;
    messages.push(event.message);
  }
  return messages;
}
