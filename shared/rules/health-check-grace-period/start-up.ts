/**
 * How long a service's tasks need to become healthy, and the grace period to
 * recommend from it. Pure functions over AWS SDK shapes, so they are tested
 * without an account.
 */
import type { ContainerDefinition, ServiceEvent, Task } from '@aws-sdk/client-ecs';
import type { TargetGroup, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { millis, secondsBetween } from '../../facts/service';

/** Grace periods are recommended in 30 s steps… */
const STEP_SECONDS = 30;
/** …and never above 10 minutes: a task that needs longer to boot needs a start-up fix, not a longer wait. */
export const MAX_RECOMMENDED_SECONDS = 600;
/** Container health-check defaults (ECS API reference, HealthCheck). */
const CONTAINER_CHECK_DEFAULTS = { interval: 30, retries: 3, startPeriod: 0 };
/** Steady-state messages repeat; a pair further apart than this measures nothing about start-up. */
const MAX_MEASURED_SECONDS = 1800;

export function roundUpToStep(seconds: number): number {
  return Math.max(STEP_SECONDS, Math.ceil(seconds / STEP_SECONDS) * STEP_SECONDS);
}

/** How long the load balancer takes to give up on a target that never answers: interval × unhealthy threshold. */
export function targetGroupWindow(group: TargetGroup): number | undefined {
  const interval = group.HealthCheckIntervalSeconds;
  const threshold = group.UnhealthyThresholdCount;
  return interval !== undefined && threshold !== undefined ? interval * threshold : undefined;
}

export function describeTargetGroup(group: TargetGroup): string {
  const name = group.TargetGroupName ?? group.TargetGroupArn ?? 'target group';
  const path = group.HealthCheckPath ? ` ${group.HealthCheckPath}` : '';
  const port = group.HealthCheckPort ? ` on port ${group.HealthCheckPort}` : '';
  const window = targetGroupWindow(group);
  return `${name}: ${group.HealthCheckProtocol ?? 'health check'}${path}${port}, every ${group.HealthCheckIntervalSeconds ?? '?'} s, unhealthy after ${group.UnhealthyThresholdCount ?? '?'} failures${window !== undefined ? ` (≈${window} s for a target that is not answering yet)` : ''}`;
}

export interface ContainerCheck {
  container: string;
  startPeriod: number;
  interval: number;
  retries: number;
  /** startPeriod + interval × retries: how long a container that is not ready yet survives. */
  window: number;
}

/** The health checks the task definition's containers define, with ECS's defaults filled in. */
export function containerChecks(containers: readonly ContainerDefinition[] | undefined): ContainerCheck[] {
  const checks: ContainerCheck[] = [];
  for (const container of containers ?? []) {
    if (!container.healthCheck) continue;
    const startPeriod = container.healthCheck.startPeriod ?? CONTAINER_CHECK_DEFAULTS.startPeriod;
    const interval = container.healthCheck.interval ?? CONTAINER_CHECK_DEFAULTS.interval;
    const retries = container.healthCheck.retries ?? CONTAINER_CHECK_DEFAULTS.retries;
    checks.push({ container: container.name ?? '(unnamed)', startPeriod, interval, retries, window: startPeriod + interval * retries });
  }
  return checks;
}

export function describeContainerCheck(check: ContainerCheck): string {
  return `container ${check.container}: healthCheck startPeriod ${check.startPeriod} s, interval ${check.interval} s, retries ${check.retries} (≈${check.window} s before a container that is not ready yet is UNHEALTHY)`;
}

/** How long each killed task lived: startedAt (RUNNING) → stoppingAt. Tasks that never ran are left out. */
export function lifetimes(tasks: readonly Task[]): number[] {
  const seconds: number[] = [];
  for (const task of tasks) {
    const lived = secondsBetween(task.startedAt, task.stoppingAt ?? task.stoppedAt);
    if (lived !== undefined) seconds.push(lived);
  }
  return seconds;
}

const startedTasks = /has started \d+ tasks?/i;
const registeredTargets = /registered \d+ targets? in/i;
const steadyState = /has reached a steady state/i;
const healthFailure = /is unhealthy in|failed container health checks|failed ELB health checks/i;

/** A start-up time the service measured, and from what. */
export interface Measurement {
  seconds: number;
  /** ISO time the measurement starts from. */
  from: string;
  /** What happened at `from`, in plain words. */
  anchor: string;
}

interface Anchor {
  at: number;
  anchor: string;
}

/**
 * Start-up times the service itself measured. ECS records no time for the
 * HEALTHY transition, but "has reached a steady state" needs every task
 * healthy, so the first steady state after a task began (with no
 * health-check failure in between) bounds its time-to-healthy from above.
 * What counts as "began", most precise first:
 * - RUNNING: a "registered N targets" event (ECS registers a task with its
 *   target group once it runs) or the startedAt of an earlier task of the
 *   service that was stopped for another reason (it had been healthy). The
 *   grace period also starts there.
 * - launch: a "has started N tasks" event, which also counts placement and
 *   image pull, so it overstates start-up.
 * The newest usable anchor of the most precise kind wins.
 */
export function measuredStartUp(events: readonly ServiceEvent[] | undefined, healthyBefore: readonly Task[] = []): Measurement | undefined {
  const ordered = [...(events ?? [])]
    .map((event) => ({ at: millis(event.createdAt), message: event.message ?? '' }))
    .filter((event): event is { at: number; message: string } => event.at !== undefined)
    .sort((a, b) => a.at - b.at);
  const steadyAfter = (at: number): number | undefined => {
    for (const event of ordered) {
      if (event.at <= at) continue;
      if (healthFailure.test(event.message)) return undefined;
      if (steadyState.test(event.message)) return event.at;
    }
    return undefined;
  };
  const fromRunning: Anchor[] = [
    ...ordered.filter((e) => registeredTargets.test(e.message)).map((e) => ({ at: e.at, anchor: 'a task was registered with its target group (it was RUNNING)' })),
    ...healthyBefore.flatMap((task) => {
      const at = millis(task.startedAt);
      return at === undefined ? [] : [{ at, anchor: `an earlier task of the service (stopped later for another reason: ${task.stoppedReason ?? 'no reason'}) started RUNNING` }];
    }),
  ];
  const fromLaunch = ordered
    .filter((e) => startedTasks.test(e.message))
    .map((e) => ({ at: e.at, anchor: 'the scheduler started tasks (this includes placement and image pull)' }));
  for (const anchors of [fromRunning, fromLaunch]) {
    for (const candidate of [...anchors].sort((a, b) => b.at - a.at)) {
      const steady = steadyAfter(candidate.at);
      if (steady === undefined) continue;
      const seconds = Math.round((steady - candidate.at) / 1000);
      if (seconds <= MAX_MEASURED_SECONDS) return { seconds, from: new Date(candidate.at).toISOString(), anchor: candidate.anchor };
    }
  }
  return undefined;
}

export interface Recommendation {
  seconds: number;
  /** In plain words, what the number rests on: the user must know whether it was measured or stepped up. */
  basis: string;
  /** True when the current grace period already covers the measured start-up: the grace period is not the problem. */
  alreadyCovered: boolean;
}

/**
 * The grace period to recommend. A measured time-to-healthy wins (1.5× it, the
 * usual rule of thumb). Otherwise looping tasks die before they are healthy, so
 * their lifetime is only a LOWER bound on start-up: step up to 2× it.
 */
export function recommendGrace(input: {
  currentGrace: number;
  measured?: Measurement | undefined;
  lifetimes: readonly number[];
  detectionWindow?: number | undefined;
}): Recommendation | undefined {
  const { currentGrace, measured } = input;
  const longest = input.lifetimes.length > 0 ? Math.max(...input.lifetimes) : undefined;
  // Killed tasks died before they were healthy: a measurement shorter than their lives is from a faster start-up than today's.
  const stale = measured !== undefined && longest !== undefined && measured.seconds <= longest;
  if (measured && !stale) {
    const seconds = Math.min(MAX_RECOMMENDED_SECONDS, roundUpToStep(measured.seconds * 1.5));
    return {
      seconds,
      basis: `measured: ${measured.anchor} at ${measured.from} and the service reached steady state ${measured.seconds} s later, an upper bound on its time-to-healthy; 1.5 × ${measured.seconds} s, rounded up to ${STEP_SECONDS} s`,
      alreadyCovered: currentGrace >= seconds,
    };
  }
  const lowerBound = longest ?? (input.detectionWindow !== undefined ? currentGrace + input.detectionWindow : undefined);
  if (lowerBound === undefined) return undefined;
  const doubled = roundUpToStep(lowerBound * 2);
  const aboveCurrent = roundUpToStep(currentGrace + STEP_SECONDS);
  const seconds = Math.min(MAX_RECOMMENDED_SECONDS, Math.max(doubled, aboveCurrent));
  // The sentence names the bound actually used: a lifetime the events showed, or an estimate from the settings.
  const [source, bound] =
    longest !== undefined
      ? [`the longest lifetime of the killed tasks (${longest} s)`, 'that lifetime']
      : [`the current grace period plus the health-check window (${lowerBound} s, estimated from the settings)`, 'that estimate'];
  const raised = aboveCurrent > doubled ? `, raised to the current grace period (${currentGrace} s) plus ${STEP_SECONDS} s` : '';
  return {
    seconds,
    basis: `${
      stale
        ? `not measured for today's start-up (the service measured ${measured.seconds} s from ${measured.from}, but the killed tasks lived longer than that without becoming healthy, so start-up has become slower)`
        : 'not measured (no task of this service reached steady state in the events ECS keeps)'
    }: 2 × ${source}, rounded up to ${STEP_SECONDS} s${raised}${seconds === MAX_RECOMMENDED_SECONDS ? `, capped at ${MAX_RECOMMENDED_SECONDS} s` : ''}; ${bound} is only a lower bound on start-up time`,
    alreadyCovered: false,
  };
}

/** What the load balancer thinks of the service's targets right now. */
export interface TargetsNow {
  text: string;
  /** Targets registered and not (yet) healthy: a loop still turning. */
  failing: number;
  /** The description of a target that answers with the wrong status code: the app is up, the check is wrong. */
  wrongAnswer: string | undefined;
}

export function targetsNow(descriptions: readonly TargetHealthDescription[]): TargetsNow {
  const counts = new Map<string, number>();
  for (const d of descriptions) {
    const health = d.TargetHealth;
    const key = `${health?.State ?? '?'}${health?.Reason ? ` (${health.Reason}${health.Description ? `: ${health.Description}` : ''})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const failing = descriptions.filter((d) => d.TargetHealth?.State === 'initial' || d.TargetHealth?.State === 'unhealthy').length;
  const mismatch = descriptions.find((d) => d.TargetHealth?.Reason === 'Target.ResponseCodeMismatch')?.TargetHealth;
  return {
    text: descriptions.length ? `${descriptions.length} target(s): ${[...counts].map(([key, n]) => `${n} ${key}`).join('; ')}` : 'no registered targets',
    failing,
    wrongAnswer: mismatch ? (mismatch.Description ?? 'Target.ResponseCodeMismatch') : undefined,
  };
}
