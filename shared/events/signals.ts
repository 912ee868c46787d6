import type { Service, Task } from '@aws-sdk/client-ecs';
import { arnName, familyFromTaskDefinitionArn, serviceFromArn } from '../arn';
import type { Evidence, ResourceRef } from '../findings';
import type {
  CloudTrailDetail,
  ContainerDetail,
  ContainerInstanceDetail,
  ContainerInstanceStateChangeEvent,
  DeploymentDetail,
  DeploymentStateChangeEvent,
  EcsApiCallEvent,
  EcsEvent,
  ServiceActionDetail,
  ServiceActionEvent,
  TaskDetail,
  TaskStateChangeEvent,
} from './types';
import { unwrap } from './unwrap';

/**
 * A signal is one thing a rule can judge: a failure text with where it came
 * from, plus the event part it belongs to. One event yields one or more.
 */
interface SignalBase {
  /** The failure text (stoppedReason, container reason, service reason, API error); '' when there is none. */
  text: string;
  /** Where `text` came from, e.g. `detail.stoppedReason`; `input` for text given to `explain`. */
  source: string;
  resource: ResourceRef;
}

export interface TextSignal extends SignalBase {
  kind: 'text';
  /** What surrounded the failure in a pasted text (ARNs, request ids, timestamps), kept as evidence. */
  facts?: Evidence[];
}
export interface TaskStoppedSignal extends SignalBase {
  kind: 'task-stopped';
  task: TaskDetail;
  event: TaskStateChangeEvent;
}
export interface ContainerStoppedSignal extends SignalBase {
  kind: 'container-stopped';
  task: TaskDetail;
  container: ContainerDetail;
  event: TaskStateChangeEvent;
}
/** A task that is not stopping: PROVISIONING, PENDING, RUNNING… */
export interface TaskStateSignal extends SignalBase {
  kind: 'task-state';
  task: TaskDetail;
  event: TaskStateChangeEvent;
}
export interface ServiceActionSignal extends SignalBase {
  kind: 'service-action';
  detail: ServiceActionDetail;
  event: ServiceActionEvent;
}
export interface DeploymentSignal extends SignalBase {
  kind: 'deployment';
  detail: DeploymentDetail;
  event: DeploymentStateChangeEvent;
}
export interface ContainerInstanceSignal extends SignalBase {
  kind: 'container-instance';
  detail: ContainerInstanceDetail;
  event: ContainerInstanceStateChangeEvent;
}
export interface ApiCallSignal extends SignalBase {
  kind: 'api-call';
  detail: CloudTrailDetail;
  event: EcsApiCallEvent;
}

/**
 * Not from an event: a task stuck before RUNNING emits nothing more, so the
 * bot comes back to its service after a delay and reports what it finds.
 */
export interface PendingRecheckSignal extends SignalBase {
  kind: 'pending-recheck';
  /** The service as ecs:DescribeServices returned it at re-check time. */
  service: Service;
  /** Its tasks still PROVISIONING or PENDING (ecs:DescribeTasks). */
  stuckTasks: Task[];
  /** How long the oldest stuck task has waited, in seconds. */
  waitedSeconds: number;
}

export type Signal =
  | TextSignal
  | PendingRecheckSignal
  | TaskStoppedSignal
  | ContainerStoppedSignal
  | TaskStateSignal
  | ServiceActionSignal
  | DeploymentSignal
  | ContainerInstanceSignal
  | ApiCallSignal;

export type SignalKind = Signal['kind'];
export type SignalOf<K extends SignalKind> = Extract<Signal, { kind: K }>;

/** A text a user pasted: the failure is found inside its surroundings first (see unwrap). */
export function textSignal(pasted: string): TextSignal {
  const { text, facts, resource } = unwrap(pasted);
  return { kind: 'text', text, source: 'input', resource, facts };
}

function envelopeResource(event: EcsEvent): ResourceRef {
  const resource: ResourceRef = { account: event.account };
  if (event.region) resource.region = event.region;
  return resource;
}

export function taskResource(event: TaskStateChangeEvent): ResourceRef {
  const task = event.detail;
  const resource = envelopeResource(event);
  const cluster = arnName(task.clusterArn);
  if (cluster) resource.cluster = cluster;
  if (task.group?.startsWith('service:')) resource.service = task.group.slice('service:'.length);
  const family = familyFromTaskDefinitionArn(task.taskDefinitionArn) ??
    (task.group?.startsWith('family:') ? task.group.slice('family:'.length) : undefined);
  if (family) resource.taskFamily = family;
  const id = arnName(task.taskArn);
  if (id) resource.task = id;
  return resource;
}

function serviceResource(event: ServiceActionEvent | DeploymentStateChangeEvent): ResourceRef {
  const resource = envelopeResource(event);
  const { cluster, service } = serviceFromArn(event.resources?.[0]);
  const clusterArn = event['detail-type'] === 'ECS Service Action' ? event.detail.clusterArn : undefined;
  const clusterName = cluster ?? arnName(clusterArn);
  if (clusterName) resource.cluster = clusterName;
  if (service) resource.service = service;
  return resource;
}

/** Service-scoped events carry their failure text, if any, in `detail.reason`. */
function serviceReason(event: ServiceActionEvent | DeploymentStateChangeEvent): SignalBase {
  return { text: event.detail.reason ?? '', source: 'detail.reason', resource: serviceResource(event) };
}

/** A task counts as stopping once ECS gives a reason or says STOPPED (Spot notices arrive while still RUNNING). */
export function isStopping(task: TaskDetail): boolean {
  return task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED' || task.stoppedReason !== undefined;
}

function taskSignals(event: TaskStateChangeEvent): Signal[] {
  const task = event.detail;
  const resource = taskResource(event);
  if (!isStopping(task)) return [{ kind: 'task-state', text: '', source: 'detail.lastStatus', resource, task, event }];
  const signals: Signal[] = [
    { kind: 'task-stopped', text: task.stoppedReason ?? '', source: 'detail.stoppedReason', resource, task, event },
  ];
  for (const container of task.containers ?? []) {
    if (container.reason === undefined && container.exitCode === undefined) continue;
    signals.push({
      kind: 'container-stopped',
      text: container.reason ?? '',
      source: `detail.containers[${container.name}].reason`,
      // Object.assign, not spread: V8's spread-plus-a-key is several times slower, and this runs for every event.
      resource: Object.assign({}, resource, { container: container.name }),
      task,
      container,
      event,
    });
  }
  return signals;
}

/** Splits a valid event into the signals rules judge. */
export function signalsOf(event: EcsEvent): Signal[] {
  switch (event['detail-type']) {
    case 'ECS Task State Change':
      return taskSignals(event);
    case 'ECS Service Action':
      return [{ kind: 'service-action', ...serviceReason(event), detail: event.detail, event }];
    case 'ECS Deployment State Change':
      return [{ kind: 'deployment', ...serviceReason(event), detail: event.detail, event }];
    case 'ECS Container Instance State Change': {
      const resource = envelopeResource(event);
      const cluster = arnName(event.detail.clusterArn);
      if (cluster) resource.cluster = cluster;
      const instance = event.detail.ec2InstanceId ?? arnName(event.detail.containerInstanceArn);
      if (instance) resource.containerInstance = instance;
      return [
        { kind: 'container-instance', text: '', source: 'detail', resource, detail: event.detail, event },
      ];
    }
    case 'AWS API Call via CloudTrail':
      return [
        {
          kind: 'api-call',
          text: event.detail.errorMessage ?? '',
          source: 'detail.errorMessage',
          resource: envelopeResource(event),
          detail: event.detail,
          event,
        },
      ];
  }
}
