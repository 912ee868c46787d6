/**
 * The EventBridge patterns of the stack's rules, in EventBridge's own JSON
 * (the tests match fixtures against these very objects). Every pattern is as
 * narrow as the rule catalogue allows: an event reaches the diagnose Lambda
 * only when some rule could claim it, or when it resolves an incident.
 * Operators used: exact values, prefix, suffix, wildcard, anything-but, exists
 * and $or (tests/support/event-pattern.ts implements exactly these).
 */
import { INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE } from '../shared/bot/incident-event';
import { featureMinimums } from '../shared/facts/agent-features';
import { compareVersions, parseVersion } from '../shared/facts/versions';
import { currentPlatform } from '../shared/facts/platforms';

export type EventPattern = { [key: string]: unknown };
type Matcher = string | { [operator: string]: unknown };

export interface PatternOptions {
  /** Cluster names or ARNs to watch; empty watches every cluster of the account and Region. */
  clusters: readonly string[];
}

/**
 * Matchers for the versions strictly below `minimum` ("1.50.2" → "0.", "1.0."…"1.49.", "1.50.0", "1.50.1").
 * EventBridge cannot compare versions, but each lower version shares one of these prefixes with no higher one.
 */
export function versionsBelow(minimum: string): Matcher[] {
  const parts = parseVersion(minimum);
  if (!parts) throw new Error(`not a version: ${minimum}`);
  const matchers: Matcher[] = [];
  parts.forEach((part, depth) => {
    const head = parts.slice(0, depth);
    const last = depth === parts.length - 1;
    for (let lower = 0; lower < part; lower++) {
      const version = [...head, lower].join('.');
      matchers.push(last ? version : { prefix: `${version}.` });
    }
  });
  return matchers;
}

const clusterName = (cluster: string) => (cluster.startsWith('arn:') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster);

/** A cluster ARN field (detail.clusterArn): the ARN as given, or any ARN ending in the cluster's name. */
function clusterArnMatchers(clusters: readonly string[]): Matcher[] {
  return clusters.map((c) => (c.startsWith('arn:') ? c : { suffix: `:cluster/${c}` }));
}

/** A service ARN (resources[0] of deployment events): arn:…:service/<cluster>/<service>. */
function serviceArnMatchers(clusters: readonly string[]): Matcher[] {
  return clusters.map((c) =>
    c.startsWith('arn:') ? { prefix: `${c.replace(':cluster/', ':service/')}/` } : { wildcard: `*:service/${c}/*` },
  );
}

/** The `cluster` request parameter of an API call: a name or an ARN, absent for the cluster named "default". */
function clusterParameterMatchers(clusters: readonly string[]): Matcher[] {
  return clusters.flatMap((c) => [
    ...clusterArnMatchers([c]),
    clusterName(c),
    ...(clusterName(c) === 'default' ? [{ exists: false }] : []),
  ]);
}

/** `{ [field]: matchers }` when clusters are configured, `{}` when every cluster is watched. */
function narrowed(field: string, matchers: Matcher[]): EventPattern {
  return matchers.length > 0 ? { [field]: matchers } : {};
}

const exists = [{ exists: true }];

/** Stop codes that always mean a failure (or an AWS-initiated stop a rule reports). */
const failedStopCodes = ['TaskFailedToStart', 'InfrastructureHealth'];
const spotStopCodes = ['SpotInterruption', 'TerminationNotice'];
/**
 * Health-check kills and Fargate task retirement carry ServiceSchedulerInitiated, the same stop code as a
 * scale-in ("Scaling activity initiated by (deployment …)"): only the reason tells them apart.
 */
const failureReasons = [
  { prefix: 'Task failed ELB health checks' },
  { prefix: 'Task failed container health checks' },
  { prefix: 'ECS is performing maintenance on the underlying infrastructure' },
];

function taskFailures(options: PatternOptions): EventPattern {
  const stopped = { lastStatus: ['STOPPED'] };
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(options.clusters)),
      $or: [
        // Only the final STOPPED event: the DEACTIVATING/STOPPING/DEPROVISIONING ones repeat the same reason.
        { ...stopped, stopCode: failedStopCodes },
        // An essential container exit is a failure when a container exited non-zero or has a reason (OOM can exit 0);
        // a batch task ending with exit code 0 is not.
        { ...stopped, stopCode: ['EssentialContainerExited'], containers: { exitCode: [{ 'anything-but': 0 }] } },
        { ...stopped, stopCode: ['EssentialContainerExited'], containers: { reason: exists } },
        { ...stopped, stoppedReason: failureReasons },
        // The Spot notice arrives while the task is still RUNNING, two minutes before it stops.
        { stopCode: spotStopCodes },
      ],
    },
  };
}

/** Tasks entering PROVISIONING or PENDING: the diagnose Lambda schedules one re-check per service. */
function tasksStarting(options: PatternOptions): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(options.clusters)),
      lastStatus: ['PROVISIONING', 'PENDING'],
      desiredStatus: ['RUNNING'],
      // Re-checks are per service: a standalone task stuck before RUNNING is reported by its STOPPED event.
      group: [{ prefix: 'service:' }],
    },
  };
}

/**
 * RUNNING Fargate tasks on a platform version below the current Linux one (platform-version-drift). A RUNNING
 * task on the current version is noise. Windows tasks report their own numbering (current 1.0.0), so a Windows
 * 1.0.x task also matches "1.0."; the rule ignores it.
 */
function outdatedPlatform(options: PatternOptions): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(options.clusters)),
      lastStatus: ['RUNNING'],
      platformVersion: versionsBelow(currentPlatform.LINUX),
    },
  };
}

/**
 * WARN/ERROR service actions, and SERVICE_STEADY_STATE, which resolves a service's incidents. The
 * SERVICE_DEPLOYMENT_* names are sent as Service Action and as Deployment State Change events: the deployment
 * rule takes them, once.
 */
function serviceActions(options: PatternOptions): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Service Action'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(options.clusters)),
      $or: [
        { eventType: ['WARN', 'ERROR'], eventName: [{ 'anything-but': ['SERVICE_DEPLOYMENT_FAILED'] }] },
        { eventName: ['SERVICE_STEADY_STATE'] },
      ],
    },
  };
}

/** Failed deployments, circuit-breaker or alarm rollbacks, and completed deployments (which resolve incidents). */
function deployments(options: PatternOptions): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Deployment State Change'],
    ...narrowed('resources', serviceArnMatchers(options.clusters)),
    detail: {
      $or: [
        { eventName: ['SERVICE_DEPLOYMENT_FAILED', 'SERVICE_DEPLOYMENT_COMPLETED'] },
        { eventName: ['SERVICE_DEPLOYMENT_IN_PROGRESS'], reason: [{ wildcard: '*rolling back*' }] },
      ],
    },
  };
}

/** The highest agent version any feature needs: below it, agent-version-drift has something to say. */
export const agentFeatureFloor = featureMinimums
  .map((f) => f.minimum)
  .reduce((a, b) => (compareVersions(parseVersion(a) ?? [], parseVersion(b) ?? []) >= 0 ? a : b));

/**
 * Container-instance events stream for every task placed or stopped and for agent reconnects, "several times
 * per hour as a part of normal operation" (ECS events doc). Only ACTIVE instances whose agent is below a
 * feature minimum can be claimed (agent-version-drift), so only those reach the Lambda; a fleet on current
 * agents never invokes it, and an old instance stops invoking it once upgraded.
 */
function containerInstances(options: PatternOptions): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Container Instance State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(options.clusters)),
      status: ['ACTIVE'],
      versionInfo: { agentVersion: versionsBelow(agentFeatureFloor) },
    },
  };
}

/**
 * ECS API calls recorded by CloudTrail (best effort; needs a trail). Each call is narrowed to what a rule reads:
 * RegisterTaskDefinition and CreateService always (rare, and their requests carry the footguns);
 * UpdateService when it fails or changes the deployment configuration or platform version (Application Auto
 * Scaling calls it for every desiredCount change); ExecuteCommand when it fails; RunTask when it fails, is
 * refused capacity (failures[]), overrides the task size, or pins an old platform version.
 */
function apiCalls(options: PatternOptions): EventPattern {
  const inCluster = options.clusters.length > 0 ? { requestParameters: { cluster: clusterParameterMatchers(options.clusters) } } : {};
  const failed = { errorCode: exists };
  return {
    source: ['aws.ecs'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ecs.amazonaws.com'],
      $or: [
        { eventName: ['RegisterTaskDefinition'] },
        { eventName: ['CreateService'], ...inCluster },
        {
          eventName: ['UpdateService'],
          ...inCluster,
          $or: [
            failed,
            { requestParameters: { deploymentConfiguration: { minimumHealthyPercent: exists } } },
            { requestParameters: { deploymentConfiguration: { maximumPercent: exists } } },
            { requestParameters: { platformVersion: exists } },
          ],
        },
        { eventName: ['ExecuteCommand'], ...inCluster, ...failed },
        {
          eventName: ['RunTask'],
          ...inCluster,
          $or: [
            failed,
            { responseElements: { failures: { reason: exists } } },
            { requestParameters: { overrides: { cpu: exists } } },
            { requestParameters: { overrides: { memory: exists } } },
            { requestParameters: { platformVersion: versionsBelow(currentPlatform.LINUX) } },
          ],
        },
      ],
    },
  };
}

/** The rules that invoke the diagnose Lambda, by construct id. */
export function diagnosePatterns(options: PatternOptions) {
  return {
    TaskFailures: taskFailures(options),
    TasksStarting: tasksStarting(options),
    OutdatedPlatform: outdatedPlatform(options),
    ServiceActions: serviceActions(options),
    Deployments: deployments(options),
    ContainerInstances: containerInstances(options),
    ApiCalls: apiCalls(options),
  } satisfies Record<string, EventPattern>;
}

export type DiagnoseRuleId = keyof ReturnType<typeof diagnosePatterns>;

/** Incident events the diagnose Lambda publishes (opened and resolved) → the notify Lambda. */
export const incidentPattern: EventPattern = {
  source: [INCIDENT_SOURCE],
  'detail-type': [INCIDENT_DETAIL_TYPE],
};
