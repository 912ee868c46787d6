import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import { arnName, familyFromTaskDefinitionArn } from '../../arn';
import type { SignalOf, TextSignal } from '../../events/signals';
import type { Evidence, ResourceRef } from '../../findings';
import {
  describeService,
  missingTargetReason,
  serviceTarget,
  stoppedTasks,
} from '../../facts/service';
import type { Classification, InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { type CircuitBreakerDetection, explanations, genericFix, ROLLBACK, ROLLED_BACK_TO } from './detect';

function alarmFix(alarmNames: readonly string[]): string[] {
  const names = alarmNames.length > 0 ? alarmNames : ['<alarm-name>'];
  return [
    '# what the new revision made worse:',
    ...names.map((name) => `aws cloudwatch describe-alarm-history --alarm-name ${shellArg(name, 'alarm-name')} --history-item-type StateUpdate`),
  ];
}

/** The deployment whose tasks failed: the one the signal names, else the newest FAILED one that is not the rollback's target. */
function failedDeployment(service: Service, detection: CircuitBreakerDetection): Deployment | undefined {
  const deployments = service.deployments ?? [];
  return (
    deployments.find((d) => d.id !== undefined && d.id === detection.failedDeploymentId) ??
    deployments.find((d) => d.rolloutState === 'FAILED' && d.id !== detection.rolledBackTo)
  );
}

/** The deployment ECS restores: named by the rollback (event or the rolling-back deployment's rolloutStateReason). */
function rollbackTarget(service: Service, detection: CircuitBreakerDetection, failedId: string | undefined): { id: string | undefined; deployment: Deployment | undefined } | undefined {
  const deployments = service.deployments ?? [];
  const rolling = deployments.find((d) => d.id !== failedId && ROLLBACK.test(d.rolloutStateReason ?? ''));
  const id = detection.rolledBackTo ?? ROLLED_BACK_TO.exec(rolling?.rolloutStateReason ?? '')?.[1];
  if (!id && !rolling && !detection.rollback) return undefined;
  return { id: id ?? rolling?.id, deployment: deployments.find((d) => d.id === id) ?? rolling };
}

/** "servicetest:7" from a task definition ARN. */
function revisionOf(taskDefinition: string | undefined): string | undefined {
  return arnName(taskDefinition) ?? taskDefinition;
}

function describeDeployment(d: Deployment): string {
  const reason = d.rolloutStateReason ? ` ("${d.rolloutStateReason}")` : '';
  return `${d.id ?? '?'} ${d.status ?? ''} ${d.taskDefinition ?? ''}: rollout ${d.rolloutState ?? '?'}${reason}, ${d.runningCount ?? 0} running of ${d.desiredCount ?? '?'}, ${d.failedTasks ?? 0} failed`;
}

/** A stopped task's reasons in one line: the stoppedReason, then each container's reason or exit code. */
function reasonLine(task: Task): string {
  const containers = (task.containers ?? []).flatMap((c) => {
    // Fargate repeats the stoppedReason as the container's reason: quoted once.
    const reason = c.reason && c.reason !== task.stoppedReason ? c.reason : undefined;
    const exit = c.exitCode !== undefined ? `exit code ${c.exitCode}` : undefined;
    const said = reason && exit ? `${reason} (${exit})` : (reason ?? exit);
    return said ? [`${c.name ?? 'container'}: ${said}`] : [];
  });
  return [task.stoppedReason ?? 'no stoppedReason', ...containers].join('; ');
}

/** A stopped task's failure texts as the signals `classify` judges: its stoppedReason and each container's reason. */
function taskSignals(task: Task, resource: ResourceRef): TextSignal[] {
  const base: ResourceRef = { ...resource };
  const family = familyFromTaskDefinitionArn(task.taskDefinitionArn);
  if (family) base.taskFamily = family;
  const id = arnName(task.taskArn);
  if (id) base.task = id;
  const signals: TextSignal[] = [];
  if (task.stoppedReason) signals.push({ kind: 'text', text: task.stoppedReason, source: 'ecs:DescribeTasks stoppedReason', resource: base });
  for (const c of task.containers ?? []) {
    if (!c.reason) continue;
    const named = c.name ? { ...base, container: c.name } : base;
    signals.push({ kind: 'text', text: c.reason, source: `ecs:DescribeTasks containers[${c.name ?? '?'}].reason`, resource: named });
  }
  return signals;
}

/** What the failed deployment's tasks say: their most frequent stop reason, and what the catalogue makes of it. */
interface FailedTasks {
  reason: string;
  count: number;
  total: number;
  /** A task that stopped with that reason. */
  taskArn: string | undefined;
  rootCause: Classification | undefined;
}

/** The distinct stop reasons quoted as evidence, most frequent first. */
const MAX_REASONS_QUOTED = 3;

const LATEST_EVENTS = 3;

/**
 * The failed deployment's stopped tasks: the service's stopped tasks (one
 * ecs:ListTasks, one ecs:DescribeTasks batch of ≤ 100) that deployment started.
 */
async function readFailedTasks(
  context: InvestigationContext,
  target: { cluster: string; service: string },
  resource: ResourceRef,
  deploymentId: string | undefined,
  evidence: Evidence[],
): Promise<FailedTasks | undefined> {
  if (!deploymentId) {
    context.unchecked("why the failed deployment's tasks stopped", 'the service lists no failed deployment any more (ECS drops it once the rollback completes) and the event names none');
    return undefined;
  }
  const stopped = await stoppedTasks(context, target.cluster, target.service, `why the tasks of deployment ${deploymentId} stopped`);
  if (!stopped) return undefined;
  const tasks = stopped.filter((t) => t.startedBy === deploymentId);
  if (tasks.length === 0) {
    evidence.push({ source: 'ecs:ListTasks', observed: `no stopped task of deployment ${deploymentId} is left among the service's ${stopped.length} stopped tasks (ECS keeps stopped tasks about an hour)` });
    return undefined;
  }
  const groups = new Map<string, Task[]>();
  for (const task of tasks) {
    const line = reasonLine(task);
    groups.set(line, [...(groups.get(line) ?? []), task]);
  }
  const ranked = (
    await Promise.all(
      [...groups.entries()].map(async ([reason, group]) => {
        const representative = group[0] as Task;
        return { reason, count: group.length, taskArn: representative.taskArn, rootCause: await context.classify(taskSignals(representative, resource)) };
      }),
    )
  ).sort((a, b) => b.count - a.count);
  for (const { reason, count } of ranked.slice(0, MAX_REASONS_QUOTED)) {
    evidence.push({ source: 'ecs:DescribeTasks', observed: `${count} of ${tasks.length} stopped tasks of ${deploymentId}: ${reason}` });
  }
  // The most frequent reason a rule recognises: tasks the rollback itself stopped ("Scaling activity initiated by …") name no cause.
  const top = ranked.find((r) => r.rootCause) ?? ranked[0];
  return top ? { ...top, total: tasks.length } : undefined;
}

function rootCauseLabel(rootCause: Classification): string {
  return rootCause.cause ? `${rootCause.rule}, ${rootCause.cause}` : rootCause.rule;
}

function refinement(
  detection: CircuitBreakerDetection,
  service: Service,
  target: { cluster: string; service: string },
  failed: { id: string | undefined; taskDefinition: string | undefined },
  tasks: FailedTasks | undefined,
  evidence: Evidence[],
): Refinement {
  const config = service.deploymentConfiguration;
  const breaker = config?.deploymentCircuitBreaker;
  const alarmsOn = config?.alarms?.enable === true;
  const rollbackOn = breaker?.rollback === true || (alarmsOn && config?.alarms?.rollback === true);
  const rollbackTo = rollbackTarget(service, detection, failed.id);
  const revision = revisionOf(failed.taskDefinition);
  const rootCause = tasks?.rootCause;

  const what = failed.id
    ? `Deployment ${failed.id}${revision ? ` (${revision})` : ''} of service ${target.service} failed${detection.cause === 'alarm' ? ': a deployment alarm went into ALARM' : ': its circuit breaker counted too many tasks that failed to start or failed their health checks'}.`
    : explanations[detection.cause];
  let why = '';
  if (tasks && rootCause) {
    why = ` Root cause, from the stop reasons of ${tasks.count} of ${tasks.total} stopped tasks of that deployment: ${rootCause.title} (${rootCauseLabel(rootCause)}). ${rootCause.explanation}`;
  } else if (tasks) {
    why = ` Its tasks stopped with: "${tasks.reason}" (${tasks.count} of ${tasks.total} stopped tasks); no rule recognises that reason.`;
  } else if (detection.cause === 'alarm') {
    why = ` Alarms watched: ${(config?.alarms?.alarmNames ?? []).join(', ') || 'none listed'}.`;
  }
  const restoredDeployment = rollbackTo?.deployment;
  const restored = rollbackTo?.id
    ? `deployment ${rollbackTo.id}${restoredDeployment?.taskDefinition ? ` (${revisionOf(restoredDeployment.taskDefinition)})` : ''}`
    : 'the last completed deployment';
  const after = rollbackTo
    ? ` ECS is rolling the service back to ${restored}: it keeps running the previous revision, and the release did not ship.`
    : rollbackOn
      ? ` ECS rolls back to ${restored}.`
      : ' Rollback is off, so ECS does not restore the previous revision: the service keeps whatever tasks still run.';
  if (rollbackTo) evidence.push({ source: 'ecs-medic', observed: `failed deployment ${failed.id ?? 'unknown'}; rolled back to ${rollbackTo.id ?? 'the last completed deployment'}` });
  if (rootCause) {
    const where = [...new Set(rootCause.evidence.map((e) => e.source))].join(', ');
    evidence.push({ source: 'ecs-medic', observed: `root cause: ${rootCauseLabel(rootCause)} (${rootCause.title}), recognised in ${where}` });
  }

  const fixLines: string[] = [];
  if (rootCause) fixLines.push(`# the root cause (${rootCauseLabel(rootCause)}):`, rootCause.fix);
  if (detection.cause === 'alarm') fixLines.push(...alarmFix(config?.alarms?.alarmNames ?? []));
  else if (!tasks) fixLines.push(genericFix(target.cluster, target.service, failed.id));
  else if (!rootCause) {
    fixLines.push(
      '# read the full reasons (a stoppedReason is cut short):',
      `aws ecs describe-tasks --cluster ${shellArg(target.cluster, 'cluster')} --tasks ${shellArg(tasks.taskArn, 'task-arn')} --query 'tasks[].[stoppedReason,containers[].[name,reason,exitCode]]'`,
    );
  }
  const family = familyFromTaskDefinitionArn(failed.taskDefinition);
  fixLines.push(
    `# then register a fixed revision${revision ? ` (${revision} failed)` : ''} and deploy it${family ? '; the family name deploys its latest revision' : ''}:`,
    `aws ecs update-service --cluster ${shellArg(target.cluster, 'cluster')} --service ${shellArg(target.service, 'service')} --task-definition ${shellArg(family, 'fixed-revision')}`,
  );
  if (!rollbackOn) {
    // The structure is set as a whole: the service's own percentages and alarms go with the breaker, as they are.
    const alarms = config?.alarms;
    const kept = [
      config?.maximumPercent !== undefined ? `maximumPercent=${config.maximumPercent}` : '',
      config?.minimumHealthyPercent !== undefined ? `minimumHealthyPercent=${config.minimumHealthyPercent}` : '',
      alarms?.alarmNames?.length
        ? `alarms={alarmNames=[${alarms.alarmNames.join(',')}],enable=${alarms.enable === true},rollback=${alarms.rollback === true}}`
        : '',
    ].filter(Boolean);
    fixLines.push(
      '# so the next failed deployment rolls back by itself:',
      `aws ecs update-service --cluster ${shellArg(target.cluster, 'cluster')} --service ${shellArg(target.service, 'service')} --deployment-configuration "${['deploymentCircuitBreaker={enable=true,rollback=true}', ...kept].join(',')}"`,
    );
  }
  return { evidence, explanation: `${what}${why}${after}`, fix: fixLines.join('\n') };
}

export default async function investigate(detection: CircuitBreakerDetection, signal: SignalOf<'deployment' | 'service-action' | 'text'>, context: InvestigationContext): Promise<Refinement | undefined> {
  const resource = { ...signal.resource, ...detection.resource };
  const target = serviceTarget(resource);
  if (!target) {
    context.unchecked("the service's deployments and why their tasks stopped", missingTargetReason(resource));
    return undefined;
  }
  const service = await describeService(context, target, "the service's deployments and latest events");
  if (!service) return undefined;
  const evidence: Evidence[] = (service.deployments ?? []).map((d) => ({ source: 'ecs:DescribeServices', observed: describeDeployment(d) }));
  const latest = (service.events ?? []).slice(0, LATEST_EVENTS).map((e) => e.message ?? '').filter((m) => m !== '');
  if (latest.length > 0) evidence.push({ source: 'ecs:DescribeServices events', observed: latest.join('\n') });
  if (detection.cause === 'alarm') {
    context.unchecked('which deployment alarm is in ALARM', 'cloudwatch:DescribeAlarms is not among the reader operations yet');
  }
  const deployment = failedDeployment(service, detection);
  const failed = { id: deployment?.id ?? detection.failedDeploymentId, taskDefinition: deployment?.taskDefinition };
  const tasks = await readFailedTasks(context, target, resource, failed.id, evidence);
  return refinement(detection, service, target, failed, tasks, evidence);
}
