import type { DeploymentSignal, ServiceActionSignal, SignalOf } from '../../events/signals';
import {
  serviceNamedIn,
} from '../../facts/service';
import type { Detection } from '../rule';
import { anyOf, firstMatch, matchesAny, type Patterns, quoted, shellArg } from '../text';

type Cause = 'tasks-failed-to-start' | 'alarm';

/** Scheduler texts saying a deployment failed, by cause. The event-driven path reads eventName first. */
const failurePatterns: [Cause, Patterns][] = [
  ['alarm', anyOf([/deployment failed:?\s*alarms? detected/i])],
  [
    'tasks-failed-to-start',
    anyOf([
      /ECS deployment circuit breaker:?\s*tasks? failed to start/i,
      /deployment failed:?\s*tasks? failed to start/i,
      // CloudFormation's wording when the breaker stops a stack update.
      /ECS Deployment Circuit Breaker was triggered/i,
    ]),
  ],
];

const anyFailure = anyOf(failurePatterns.flatMap(([, p]) => p.list));

/** "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/…" (event, rolloutStateReason) or "rolling back to deployment ecs-svc/…" (service event). */
export const ROLLBACK = /\brolling back to deployment/i;
/** The deployment a rollback returns TO: the last completed one (AWS: "the reason field provides the ID of the deployment the service is rolling back to"). */
export const ROLLED_BACK_TO = /rolling back to deployment(?:Id)?\s+(ecs-svc\/\d+)/i;
/** "(deployment ecs-svc/123) deployment failed" / "deployment ecs-svc/123 deployment failed": the deployment that failed. */
const FAILED_IN_TEXT = /\(?deployment (ecs-svc\/\d+)\)?\s*deployment failed/i;

export interface CircuitBreakerDetection extends Detection {
  cause: Cause;
  /** The signal announces the rollback (SERVICE_DEPLOYMENT_IN_PROGRESS "rolling back …"), not the failure. */
  rollback: boolean;
  /** The deployment that failed, when the signal names it (SERVICE_DEPLOYMENT_FAILED, a "deployment failed" service event). */
  failedDeploymentId: string | undefined;
  /** The deployment ECS rolls back to, when the signal names it (a rollback's reason). */
  rolledBackTo: string | undefined;
}

export const explanations: Record<Cause, string> = {
  'tasks-failed-to-start':
    "ECS marked the service's new deployment FAILED: its deployment circuit breaker counted too many tasks that failed to start or failed their health checks (half the desired count, at least 3 and at most 200). The new revision did not ship. If rollback is on, ECS is restoring the last completed deployment; if not, the service is left with whatever tasks still run. The tasks' stoppedReasons say why they failed.",
  alarm:
    "ECS marked the service's new deployment FAILED because one of its deployment CloudWatch alarms went into ALARM while the new tasks were running (during the rollout or its bake time). The new revision did not ship; with rollback on, ECS restores the last completed deployment.",
};

function rollbackExplanation(rolledBackTo: string | undefined): string {
  const to = rolledBackTo ? `deployment ${rolledBackTo}, its last completed deployment,` : 'its last completed deployment';
  return `ECS is rolling the service back to ${to} because the new deployment failed (deployment circuit breaker or alarm): the release did not ship. The failed tasks' stoppedReasons say why it failed.`;
}

/** What to run when the failed tasks could not be read: list them, then read their reasons. */
export function genericFix(cluster: string | undefined, service: string | undefined, deploymentId: string | undefined): string {
  const c = shellArg(cluster, 'cluster');
  return [
    `aws ecs describe-services --cluster ${c} --services ${shellArg(service, 'service')} --query 'services[0].deployments'`,
    `aws ecs list-tasks --cluster ${c} --service-name ${shellArg(service, 'service')} --desired-status STOPPED`,
    `# the tasks started by ${shellArg(deploymentId, 'failed-deployment-id')} say why it failed (ecs-medic explain names the cause of a stoppedReason):`,
    `aws ecs describe-tasks --cluster ${c} --tasks <task-arn> --query 'tasks[].[startedBy,stoppedReason,containers[].reason]'`,
  ].join('\n');
}

function causeOfText(text: string): Cause | null {
  if (matchesAny(text, anyFailure)) for (const [cause, patterns] of failurePatterns) if (firstMatch(text, patterns)) return cause;
  // A rollback follows a failure; only an alarm says so in its words.
  if (ROLLBACK.test(text)) return /alarm/i.test(text) ? 'alarm' : 'tasks-failed-to-start';
  return null;
}

/** Deployment and Service Action events: the eventName decides; COMPLETED and plain IN_PROGRESS are not failures. */
function causeOfEvent(signal: DeploymentSignal | ServiceActionSignal): Cause | null {
  const { eventName } = signal.detail;
  const failed = eventName === 'SERVICE_DEPLOYMENT_FAILED';
  if (!failed && !(eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' && ROLLBACK.test(signal.text))) return null;
  return /alarm/i.test(signal.text) ? 'alarm' : 'tasks-failed-to-start';
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'deployment' | 'service-action' | 'text'>): CircuitBreakerDetection | null {
  const cause = signal.kind === 'text' ? causeOfText(signal.text) : causeOfEvent(signal);
  if (!cause) return null;
  const rollback = signal.kind === 'text' ? ROLLBACK.test(signal.text) && !matchesAny(signal.text, anyFailure) : signal.detail.eventName !== 'SERVICE_DEPLOYMENT_FAILED';
  const service = signal.resource.service ?? serviceNamedIn(signal.text);
  const rolledBackTo = ROLLED_BACK_TO.exec(signal.text)?.[1];
  // A rollback event's own deploymentId is not claimed as the failed one: investigation reads which deployment FAILED.
  const failedDeploymentId = rollback
    ? undefined
    : (signal.kind === 'deployment' ? signal.detail.deploymentId : undefined) ?? FAILED_IN_TEXT.exec(signal.text)?.[1];
  const evidence = [quoted(signal.source, signal.text || (signal.kind === 'text' ? '' : signal.detail.eventName))];
  if (signal.kind === 'deployment') {
    const id = signal.detail.deploymentId;
    evidence.push({ source: 'detail.eventName', observed: `${signal.detail.eventName}${id ? ` (deploymentId ${id})` : ''}` });
  } else if (signal.kind === 'service-action') {
    evidence.push({ source: 'detail.eventName', observed: signal.detail.eventName });
  }
  return {
    cause,
    specificity: 'root-cause',
    explanation: rollback ? rollbackExplanation(rolledBackTo) : explanations[cause],
    fix: genericFix(signal.resource.cluster, service, failedDeploymentId),
    evidence,
    rollback,
    failedDeploymentId,
    rolledBackTo,
    ...(service && !signal.resource.service ? { resource: { service } } : {}),
  };
}

