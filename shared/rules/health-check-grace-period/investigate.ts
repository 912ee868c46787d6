import type { Service, Task } from '@aws-sdk/client-ecs';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SignalOf } from '../../events/signals';
import type { Evidence } from '../../findings';
import type { InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { describeService, missingTargetReason, serviceTarget, stoppedTasks } from '../../facts/service';
import {
  type ContainerCheck,
  containerChecks,
  describeContainerCheck,
  describeTargetGroup,
  lifetimes,
  MAX_RECOMMENDED_SECONDS,
  measuredStartUp,
  type Recommendation,
  recommendGrace,
  type TargetsNow,
  targetGroupWindow,
  targetsNow,
} from './start-up';
import { LOOP_ONGOING, otherContainerCauses, otherElbCauses, recommendationEvidence } from './verdict';
import type { HealthCheckDetection, HealthCheckKind } from './detect';

/** Texts of the same kill, to pick this service's looping tasks out of its stopped tasks. */
const sameKill: Record<HealthCheckKind, RegExp> = {
  elb: /failed ELB health checks/i,
  container: /failed container health checks/i,
};

const anyKill = /failed (?:ELB|container) health checks/i;

/** A task that lived this long past grace + health-check window became healthy first: not a start-up loop. */
const AFTER_START_UP_SLACK_SECONDS = 300;

/** Assumed health-check window when the target group or task definition could not be read. */
const UNKNOWN_WINDOW_SECONDS = 60;

/** What the account says about one health-check kill, gathered before wording the finding. */
interface Findings {
  target: { cluster: string; service: string };
  service: Service;
  grace: number;
  window: number | undefined;
  killed: Task[];
  lived: number[];
  recommendation: Recommendation | undefined;
  /** The killing target group's targets now (ELB checks only). */
  targets: TargetsNow | undefined;
}

async function readTargetGroups(context: InvestigationContext, arns: string[], evidence: Evidence[]): Promise<TargetGroup[]> {
  if (arns.length === 0) return [];
  const answer = await context.read(
    'elasticloadbalancing:DescribeTargetGroups',
    { TargetGroupArns: arns },
    "the target group's health-check interval and unhealthy threshold",
  );
  const groups = answer?.TargetGroups ?? [];
  for (const group of groups) evidence.push({ source: 'elasticloadbalancing:DescribeTargetGroups', observed: describeTargetGroup(group) });
  return groups;
}

async function readTargetHealth(context: InvestigationContext, arn: string | undefined, evidence: Evidence[]): Promise<TargetsNow | undefined> {
  if (!arn) return undefined;
  const answer = await context.read(
    'elasticloadbalancing:DescribeTargetHealth',
    { TargetGroupArn: arn },
    "the target group's targets now: still failing, and why",
  );
  if (!answer) return undefined;
  const now = targetsNow(answer.TargetHealthDescriptions ?? []);
  evidence.push({ source: 'elasticloadbalancing:DescribeTargetHealth', observed: now.text });
  return now;
}

async function readContainerChecks(context: InvestigationContext, taskDefinition: string | undefined, evidence: Evidence[]): Promise<ContainerCheck[]> {
  if (!taskDefinition) return [];
  const answer = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, "the containers' health checks (startPeriod, interval, retries)");
  if (!answer) return [];
  const checks = containerChecks(answer.taskDefinition?.containerDefinitions);
  evidence.push({
    source: 'ecs:DescribeTaskDefinition',
    observed: checks.length > 0 ? checks.map(describeContainerCheck).join('; ') : `${taskDefinition}: no container defines a health check`,
  });
  return checks;
}

function longestWindow(kind: HealthCheckKind, groups: TargetGroup[], checks: ContainerCheck[]): number | undefined {
  const windows = kind === 'elb' ? groups.map(targetGroupWindow) : checks.map((c) => c.window);
  const known = windows.filter((w): w is number => w !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}

function lifetimeRange(lived: number[]): string {
  const low = Math.min(...lived);
  const high = Math.max(...lived);
  return low === high ? `${low} s` : `${low}–${high} s`;
}

function loopState(f: Findings): { ongoing: boolean; text: string } {
  const running = f.service.runningCount ?? 0;
  const desired = f.service.desiredCount ?? 0;
  const kills = `${f.killed.length} task${f.killed.length === 1 ? '' : 's'} of service ${f.target.service} failed the same health check in the last hour (ECS keeps stopped tasks about an hour)`;
  const failingNow = f.targets?.failing ?? 0;
  // Still short of desired after repeated kills, or a target failing its checks right now.
  const ongoing = f.killed.length >= 1 && ((f.killed.length >= 2 && running < desired) || failingNow > 0);
  const state = ongoing
    ? `${LOOP_ONGOING} ${running} of ${desired} desired tasks are running${failingNow > 0 ? `, and ${failingNow} target(s) are failing or still in their first health checks now` : ''}.`
    : running >= desired
      ? `The service is at its desired count (${running} of ${desired}) now, so the loop may have ended.`
      : `${running} of ${desired} desired tasks are running.`;
  return { ongoing, text: `${kills}. ${state}` };
}

function refine(kind: HealthCheckKind, f: Findings, evidence: Evidence[]): Refinement {
  const { cluster, service } = f.target;
  const loop = loopState(f);
  const graceText = `The service's health-check grace period is ${f.grace} s${f.grace === 0 ? ' (not set)' : ''}`;
  const windowText =
    f.window !== undefined
      ? kind === 'elb'
        ? `, and the target group gives up on a target that is not answering after ≈${f.window} s`
        : `, and the container health check gives up on a container that is not ready after ≈${f.window} s`
      : '';
  const others = kind === 'elb' ? otherElbCauses : otherContainerCauses;
  const severity = loop.ongoing || f.killed.length >= 2 ? 'critical' : 'warning';

  const afterStartUp =
    f.lived.length > 0 && Math.min(...f.lived) > f.grace + (f.window ?? UNKNOWN_WINDOW_SECONDS) + AFTER_START_UP_SLACK_SECONDS;
  const wrongAnswer = kind === 'elb' ? f.targets?.wrongAnswer : undefined;
  if (wrongAnswer || afterStartUp || f.recommendation?.alreadyCovered) {
    const why = wrongAnswer
      ? `The load balancer reaches the app and gets the wrong status code (${wrongAnswer}): the app is up, and the health check's path, port or success codes do not match what it answers. A longer grace period would only delay the kill.`
      : afterStartUp
        ? `The killed tasks ran ${lifetimeRange(f.lived)} before failing, long after start-up: they were healthy first and became unhealthy while serving, so the grace period (which only covers start-up) is not the cause.`
        : `The grace period already covers the start-up the service measured (${f.recommendation?.basis}), so it is not the cause.`;
    const targetGroup = shellArg(f.service.loadBalancers?.[0]?.targetGroupArn, 'target-group-arn');
    return {
      severity,
      evidence,
      explanation: `${loop.text} ${graceText}${windowText}. ${why} ${others}`,
      fix: wrongAnswer
        ? `Point the health check at a path the app answers with 200, or accept the code it returns:\naws elbv2 modify-target-group --target-group-arn ${targetGroup} --health-check-path <path-that-returns-200>\naws elbv2 modify-target-group --target-group-arn ${targetGroup} --matcher HttpCode=200-399`
        : kind === 'elb'
          ? `aws elbv2 describe-target-health --target-group-arn ${targetGroup}\nthen check the app's logs and CPU/memory at the time the checks failed`
          : `aws ecs describe-tasks --cluster ${shellArg(cluster, 'cluster')} --tasks ${shellArg(f.killed[0]?.taskArn, 'task-arn')} --query 'tasks[].containers[].[name,healthStatus]'\nthen run the health-check command by hand in the image and read the app's logs`,
    };
  }

  const lifetimeText = f.lived.length > 0 ? ` The killed tasks lived only ${lifetimeRange(f.lived)} (started → stopping).` : '';
  const recommendation = f.recommendation;
  const seconds = recommendation?.seconds;
  const update = `aws ecs update-service --cluster ${shellArg(cluster, 'cluster')} --service ${shellArg(service, 'service')} --health-check-grace-period-seconds ${seconds ?? '<1.5 × start-up seconds>'}`;
  const basis = recommendation ? `# ${seconds} s: ${recommendation.basis}.` : '# measure start-up (first log line → ready) and set 1.5× that.';
  const capNote =
    seconds === MAX_RECOMMENDED_SECONDS ? `\n# if tasks still fail with ${MAX_RECOMMENDED_SECONDS} s of grace, the grace period is not the cause: see the other causes above.` : '';
  const containerStep =
    kind === 'container' && seconds !== undefined
      ? `\nand in the task definition set the container's "healthCheck": { …, "startPeriod": ${Math.min(seconds, 300)} } (at most 300), then register the revision and update the service.`
      : '';
  if (recommendation) evidence.push(recommendationEvidence(recommendation.seconds, recommendation.basis));
  return {
    severity,
    evidence,
    explanation: `${loop.text} ${graceText}${windowText}.${lifetimeText} A task that needs longer than that to boot is killed before it can answer, and its replacement boots just as slowly. If a longer grace period does not end the loop, look at the other causes. ${others}`,
    fix: `${update}\n${basis}${capNote}${containerStep}`,
  };
}

export default async function investigate(detection: HealthCheckDetection, signal: SignalOf<'text' | 'task-stopped'>, context: InvestigationContext): Promise<Refinement | undefined> {
  const resource = { ...signal.resource, ...detection.resource };
  const target = serviceTarget(resource);
  if (!target) {
    context.unchecked("the service's grace period, health-check settings and restart history", missingTargetReason(resource));
    return undefined;
  }
  const service = await describeService(context, target, "the service's health-check grace period and load balancers");
  if (!service) return undefined;
  const grace = service.healthCheckGracePeriodSeconds ?? 0;
  const evidence: Evidence[] = [
    {
      source: 'ecs:DescribeServices',
      observed: `healthCheckGracePeriodSeconds ${service.healthCheckGracePeriodSeconds ?? 'not set (0)'}; ${service.runningCount ?? '?'} of ${service.desiredCount ?? '?'} desired tasks running; load balancers: ${
        (service.loadBalancers ?? []).map((lb) => lb.targetGroupArn ?? lb.loadBalancerName).join(', ') || 'none'
      }`,
    },
  ];

  const serviceGroups = (service.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((arn): arn is string => arn !== undefined);
  const groups = detection.kind === 'elb' ? await readTargetGroups(context, [...new Set([...detection.targetGroups, ...serviceGroups])], evidence) : [];
  const taskDefinition = 'task' in signal ? (signal.task.taskDefinitionArn ?? service.taskDefinition) : service.taskDefinition;
  const checks = await readContainerChecks(context, taskDefinition, evidence);

  const recent = (await stoppedTasks(context, target.cluster, target.service, "the service's recently stopped tasks and how long they lived")) ?? [];
  const killed = recent.filter((task) => sameKill[detection.kind].test(task.stoppedReason ?? ''));
  const lived = lifetimes(killed);
  // Tasks the scheduler or a user stopped for another reason had run, and their start-up can be measured.
  const healthyBefore = recent.filter(
    (task) => !anyKill.test(task.stoppedReason ?? '') && (task.stopCode === 'ServiceSchedulerInitiated' || task.stopCode === 'UserInitiated'),
  );
  if (recent.length > 0) {
    evidence.push({
      source: 'ecs:DescribeTasks',
      observed: `${killed.length} of ${recent.length} recently stopped tasks failed the same health check${lived.length > 0 ? `; they lived ${lifetimeRange(lived)} (started → stopping)` : ''}`,
    });
  }

  const targets = detection.kind === 'elb' ? await readTargetHealth(context, detection.targetGroups[0] ?? serviceGroups[0], evidence) : undefined;
  const window = longestWindow(detection.kind, groups, checks);
  const measured = measuredStartUp(service.events, healthyBefore);
  const recommendation = recommendGrace({ currentGrace: grace, measured, lifetimes: lived, detectionWindow: window });
  return refine(detection.kind, { target, service, grace, window, killed, lived, recommendation, targets }, evidence);
}
