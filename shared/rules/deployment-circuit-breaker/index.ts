import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import type { DeploymentSignal, ServiceActionSignal } from '../../events/signals';
import type { Evidence } from '../../findings';
import {
  describeService,
  missingTargetReason,
  serviceNamedIn,
  serviceTarget,
  stoppedTasks,
} from '../../facts/service';
import { type Detection, defineRule, type InvestigationContext, type Refinement } from '../rule';
import { firstMatch, quoted, shellArg } from '../text';

/**
 * A deployment that ECS marked FAILED: its circuit breaker counted too many
 * tasks that failed to start (or a deployment alarm fired), and with rollback
 * on ECS is restoring the last completed deployment. This rule says the
 * deployment failed and quotes WHY its tasks stopped; naming the root cause of
 * those stoppedReasons is the other rules' job.
 */
type Cause = 'tasks-failed-to-start' | 'rolled-back' | 'alarm';

/** Scheduler texts, by cause. The event-driven path reads eventName first. */
const textPatterns: [Cause, RegExp[]][] = [
  ['alarm', [/deployment failed:?\s*alarms? detected/i]],
  [
    'tasks-failed-to-start',
    [
      /ECS deployment circuit breaker:?\s*tasks? failed to start/i,
      /deployment failed:?\s*tasks? failed to start/i,
      // CloudFormation's wording when the breaker stops a stack update.
      /ECS Deployment Circuit Breaker was triggered/i,
    ],
  ],
  ['rolled-back', [/circuit breaker:?\s*rolling back to deployment/i, /\brolling back to deployment\b/i]],
];

const severityOf: Record<Cause, 'critical' | 'warning'> = {
  'tasks-failed-to-start': 'critical',
  alarm: 'critical',
  // The failed revision is being replaced by the last one that worked: the service recovers, the release did not ship.
  'rolled-back': 'warning',
};

interface CircuitBreakerDetection extends Detection {
  cause: Cause;
  /** The deployment the event is about (for a rollback, the new rollback deployment). */
  deploymentId: string | undefined;
}

const explanations: Record<Cause, string> = {
  'tasks-failed-to-start':
    "ECS marked the service's new deployment FAILED: its deployment circuit breaker counted too many tasks that failed to start or failed their health checks (half the desired count, at least 3 and at most 200). The new revision did not ship. If rollback is on, ECS is restoring the last completed deployment; if not, the service is left with whatever tasks still run. The tasks' stoppedReasons say why they failed.",
  alarm:
    "ECS marked the service's new deployment FAILED because one of its deployment CloudWatch alarms went into ALARM while the new tasks were running (during the rollout or its bake time). The new revision did not ship; with rollback on, ECS restores the last completed deployment.",
  'rolled-back':
    'ECS is rolling the service back to its last completed deployment because the new deployment failed (deployment circuit breaker or alarm). The release did not ship: the service is returning to the previous task definition. The failed tasks\' stoppedReasons say why it failed.',
};

function genericFix(cluster: string | undefined, service: string | undefined, deploymentId: string | undefined): string {
  return [
    `aws ecs describe-services --cluster ${shellArg(cluster, 'cluster')} --services ${shellArg(service, 'service')} --query 'services[0].deployments'`,
    `aws ecs list-tasks --cluster ${shellArg(cluster, 'cluster')} --started-by ${shellArg(deploymentId, 'failed-deployment-id')} --desired-status STOPPED, then describe-tasks to read their stoppedReasons (ecs-medic explain "<stoppedReason>" names the cause)`,
    'fix that cause in a new task definition revision, then deploy it again.',
  ].join('\n');
}

/** "deployment ecs-svc/123 deployment failed" / "(deployment ecs-svc/123)": the failed deployment a scheduler message names. */
function failedDeploymentIn(text: string, cause: Cause): string | undefined {
  // A rollback message names the deployment it returns TO, not the one that failed.
  if (cause === 'rolled-back') return undefined;
  return /\(?deployment (ecs-svc\/\d+)\)?/i.exec(text)?.[1];
}

function alarmFix(alarmNames: readonly string[]): string[] {
  const names = alarmNames.length > 0 ? alarmNames : ['<alarm-name>'];
  return names.map((name) => `aws cloudwatch describe-alarm-history --alarm-name ${shellArg(name, 'alarm-name')} --history-item-type StateUpdate  # what the new revision made worse`);
}

function causeOfText(text: string): Cause | null {
  for (const [cause, patterns] of textPatterns) if (firstMatch(text, patterns)) return cause;
  return null;
}

/** Deployment and Service Action events: the eventName decides; COMPLETED and plain IN_PROGRESS are not failures. */
function causeOfEvent(signal: DeploymentSignal | ServiceActionSignal): Cause | null {
  const { eventName } = signal.detail;
  if (eventName === 'SERVICE_DEPLOYMENT_FAILED') return /alarm/i.test(signal.text) ? 'alarm' : 'tasks-failed-to-start';
  if (eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' && /rolling back/i.test(signal.text)) return 'rolled-back';
  return null;
}

/** The deployment whose tasks failed: the one the event names if it failed, else the newest FAILED one. */
function failedDeployment(service: Service, deploymentId: string | undefined, cause: Cause): Deployment | undefined {
  const deployments = service.deployments ?? [];
  const named = deployments.find((d) => d.id === deploymentId);
  if (named && cause !== 'rolled-back') return named;
  return deployments.find((d) => d.rolloutState === 'FAILED');
}

function describeDeployment(d: Deployment): string {
  const reason = d.rolloutStateReason ? ` ("${d.rolloutStateReason}")` : '';
  return `${d.id ?? '?'} ${d.status ?? ''} ${d.taskDefinition ?? ''}: rollout ${d.rolloutState ?? '?'}${reason}, ${d.runningCount ?? 0} running of ${d.desiredCount ?? '?'}, ${d.failedTasks ?? 0} failed`;
}

/** Distinct stop reasons, most frequent first, with the containers' own reasons and exit codes. */
function stopReasons(tasks: readonly Task[]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const task of tasks) {
    const containers = (task.containers ?? [])
      .filter((c) => c.reason || c.exitCode !== undefined)
      .map((c) => `${c.name ?? 'container'}: ${c.reason ?? `exit code ${c.exitCode}`}${c.reason && c.exitCode !== undefined ? ` (exit code ${c.exitCode})` : ''}`);
    const reason = [task.stoppedReason ?? 'no stoppedReason', ...containers].join('; ');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}

const LATEST_EVENTS = 3;

async function quoteFailedTasks(
  context: InvestigationContext,
  cluster: string,
  deployment: Deployment | undefined,
  evidence: Evidence[],
): Promise<{ reason: string; count: number; total: number } | undefined> {
  if (!deployment?.id) {
    context.unchecked('why the failed deployment\'s tasks stopped', 'the service lists no failed deployment any more (ECS drops it once the rollback completes)');
    return undefined;
  }
  const tasks = await stoppedTasks(context, cluster, { startedBy: deployment.id }, `why the tasks of deployment ${deployment.id} stopped`);
  if (!tasks) return undefined;
  if (tasks.length === 0) {
    evidence.push({ source: 'ecs:ListTasks', observed: `no stopped task of deployment ${deployment.id} is left (ECS keeps stopped tasks about an hour)` });
    return undefined;
  }
  const reasons = stopReasons(tasks);
  for (const { reason, count } of reasons) evidence.push({ source: 'ecs:DescribeTasks', observed: `${count} of ${tasks.length} stopped tasks: ${reason}` });
  const top = reasons[0];
  return top ? { ...top, total: tasks.length } : undefined;
}

function refinement(
  detection: CircuitBreakerDetection,
  service: Service,
  target: { cluster: string; service: string },
  failed: Deployment | undefined,
  top: { reason: string; count: number; total: number } | undefined,
  evidence: Evidence[],
): Refinement {
  const config = service.deploymentConfiguration;
  const breaker = config?.deploymentCircuitBreaker;
  const alarmsOn = config?.alarms?.enable === true;
  const rollbackOn = breaker?.rollback === true || (alarmsOn && config?.alarms?.rollback === true);
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const revision = failed?.taskDefinition ? ` (${failed.taskDefinition})` : '';
  const why = top
    ? ` Its tasks stopped with: "${top.reason}" (${top.count} of ${top.total} stopped tasks).`
    : detection.cause === 'alarm'
      ? ` Alarms watched: ${(config?.alarms?.alarmNames ?? []).join(', ') || 'none listed'}.`
      : '';
  const restored = primary && primary.id !== failed?.id ? `${primary.id} (${primary.taskDefinition})` : 'the last completed deployment';
  const after = rollbackOn
    ? ` ECS rolls back to ${restored}.`
    : ' Rollback is off, so ECS does not restore the previous revision: the service keeps whatever tasks still run.';
  const deployment = failed?.id ? `Deployment ${failed.id}${revision} of service ${target.service} failed.` : explanations[detection.cause];
  const explanation =
    detection.cause === 'rolled-back'
      ? `ECS is rolling service ${target.service} back to ${restored}: the release did not ship. ${deployment}${why}`
      : `${deployment}${why}${after}`;
  const diagnose =
    detection.cause === 'alarm'
      ? alarmFix(config?.alarms?.alarmNames ?? [])
      : [
          top
            ? `ecs-medic explain ${shellArg(top.reason.split('; ')[0], 'stoppedReason')}  # names the cause of the stop reason`
            : genericFix(target.cluster, target.service, failed?.id),
        ];
  const fixLines = [
    ...diagnose,
    `fix that cause in a new revision of ${shellArg(failed?.taskDefinition, 'task-definition')}, then: aws ecs update-service --cluster ${shellArg(target.cluster, 'cluster')} --service ${shellArg(target.service, 'service')} --task-definition <fixed-revision>`,
  ];
  if (!rollbackOn) {
    fixLines.push(
      `aws ecs update-service --cluster ${shellArg(target.cluster, 'cluster')} --service ${shellArg(target.service, 'service')} --deployment-configuration "deploymentCircuitBreaker={enable=true,rollback=true}"  # so the next failed deployment rolls back by itself`,
    );
  }
  return { evidence, explanation, fix: fixLines.join('\n') };
}

export default defineRule({
  meta: {
    id: 'deployment-circuit-breaker',
    title: 'A service deployment failed (circuit breaker or alarm)',
    seed: null,
    severity: 'critical',
    signals: ['deployment', 'service-action', 'text'],
    triggers:
      'SERVICE_DEPLOYMENT_FAILED ("ECS deployment circuit breaker: task failed to start.", or a deployment alarm), the rollback SERVICE_DEPLOYMENT_IN_PROGRESS ("… rolling back to deploymentId …"), and service events "deployment failed: tasks failed to start." / "deployment failed: alarm detected."',
    checks: [
      "the service's deployments: rollout state and reason, failed task count, task definition",
      'the latest service event messages',
      "the failed deployment's stopped tasks and their stoppedReasons (quoted as evidence)",
      'whether circuit-breaker rollback or deployment alarms are on',
    ],
    needs: ['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks'],
    causes: ['tasks-failed-to-start', 'rolled-back', 'alarm'],
    autoFix: null,
  },

  detect(signal): CircuitBreakerDetection | null {
    const cause = signal.kind === 'text' ? causeOfText(signal.text) : causeOfEvent(signal);
    if (!cause) return null;
    const service = signal.resource.service ?? serviceNamedIn(signal.text);
    const deploymentId = signal.kind === 'deployment' ? signal.detail.deploymentId : failedDeploymentIn(signal.text, cause);
    const evidence = [quoted(signal.source, signal.text || (signal.kind === 'text' ? '' : signal.detail.eventName))];
    if (signal.kind !== 'text') evidence.push({ source: 'detail.eventName', observed: `${signal.detail.eventName}${deploymentId ? ` (${deploymentId})` : ''}` });
    return {
      cause,
      specificity: 'root-cause',
      severity: severityOf[cause],
      explanation: explanations[cause],
      fix: genericFix(signal.resource.cluster, service, cause === 'rolled-back' ? undefined : deploymentId),
      evidence,
      deploymentId,
      ...(service && !signal.resource.service ? { resource: { service } } : {}),
    };
  },

  async investigate(detection, signal, context) {
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
    const failed = failedDeployment(service, detection.deploymentId, detection.cause);
    const top = await quoteFailedTasks(context, target.cluster, failed, evidence);
    return refinement(detection, service, target, failed, top, evidence);
  },
});
