/**
 * The EventBridge patterns of the stack's rules, in EventBridge's own JSON
 * (the tests match fixtures against these very objects). Every pattern is as
 * narrow as the rule catalogue allows: an event reaches the diagnose Lambda
 * only when some rule could claim it, or when it resolves an incident.
 * Operators used: exact values, prefix, suffix, wildcard, anything-but, exists
 * and $or (tests/support/event-pattern.ts implements exactly these).
 */
import { INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE } from '../shared/bot/incident-event';
import { REMEDY_DETAIL_TYPE } from '../shared/remedy/outcome';
import { featureMinimums } from '../shared/facts/agent-features';
import { compareVersions, parseVersion } from '../shared/facts/versions';
import { currentPlatform } from '../shared/facts/platforms';

export type EventPattern = { [key: string]: unknown };
type Matcher = string | { [operator: string]: unknown };

export interface PatternOptions {
  /** Cluster names or ARNs to watch; empty watches every cluster of the account and Region. */
  clusters: readonly string[];
}

/** EventBridge's default quota on the length of one rule's event pattern (eb-quota.html), in characters. */
export const EVENT_PATTERN_LIMIT = 2048;

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

function taskFailures(clusters: readonly string[]): EventPattern {
  const stopped = { lastStatus: ['STOPPED'] };
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(clusters)),
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
function tasksStarting(clusters: readonly string[]): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(clusters)),
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
function outdatedPlatform(clusters: readonly string[]): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(clusters)),
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
function serviceActions(clusters: readonly string[]): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Service Action'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(clusters)),
      $or: [
        { eventType: ['WARN', 'ERROR'], eventName: [{ 'anything-but': ['SERVICE_DEPLOYMENT_FAILED'] }] },
        { eventName: ['SERVICE_STEADY_STATE'] },
      ],
    },
  };
}

/** Failed deployments, circuit-breaker or alarm rollbacks, and completed deployments (which resolve incidents). */
function deployments(clusters: readonly string[]): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Deployment State Change'],
    ...narrowed('resources', serviceArnMatchers(clusters)),
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
function containerInstances(clusters: readonly string[]): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Container Instance State Change'],
    detail: {
      ...narrowed('clusterArn', clusterArnMatchers(clusters)),
      status: ['ACTIVE'],
      versionInfo: { agentVersion: versionsBelow(agentFeatureFloor) },
    },
  };
}

/** RegisterTaskDefinition calls recorded by CloudTrail (best effort; needs a trail): rare, and their requests carry the footguns. */
function taskDefinitionCalls(): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: ['ecs.amazonaws.com'], eventName: ['RegisterTaskDefinition'] },
  };
}

/**
 * ECS API calls on a cluster recorded by CloudTrail, each narrowed to what a rule reads: CreateService always;
 * UpdateService when it fails or changes the deployment configuration or platform version (Application Auto
 * Scaling calls it for every desiredCount change); ExecuteCommand when it fails; RunTask when it fails, is
 * refused capacity (failures[]), overrides the task size, or pins an old platform version. The cluster is
 * named once for all of them, so each watched cluster costs its few matchers only once.
 */
function clusterCalls(clusters: readonly string[]): EventPattern {
  const failed = { errorCode: exists };
  return {
    source: ['aws.ecs'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ecs.amazonaws.com'],
      ...(clusters.length > 0 ? { requestParameters: { cluster: clusterParameterMatchers(clusters) } } : {}),
      $or: [
        { eventName: ['CreateService'] },
        {
          eventName: ['UpdateService'],
          $or: [
            failed,
            { requestParameters: { deploymentConfiguration: { minimumHealthyPercent: exists } } },
            { requestParameters: { deploymentConfiguration: { maximumPercent: exists } } },
            { requestParameters: { platformVersion: exists } },
          ],
        },
        { eventName: ['ExecuteCommand'], ...failed },
        {
          eventName: ['RunTask'],
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

const patternLength = (pattern: EventPattern) => JSON.stringify(pattern).length;

/**
 * One rule per group of watched clusters, each group as large as fits within EVENT_PATTERN_LIMIT, so any cluster
 * list fits: `id` for the first group (or for every cluster), `${id}2`, `${id}3`… for the next. The groups do not
 * overlap, so an event still reaches the Lambda through exactly one rule.
 */
function perClusterGroup(id: string, pattern: (clusters: readonly string[]) => EventPattern, clusters: readonly string[]): [string, EventPattern][] {
  const groups: string[][] = [];
  let group: string[] = [];
  for (const cluster of clusters) {
    if (group.length > 0 && patternLength(pattern([...group, cluster])) > EVENT_PATTERN_LIMIT) {
      groups.push(group);
      group = [];
    }
    group.push(cluster);
  }
  groups.push(group);
  return groups.map((members, i) => {
    const rule = pattern(members);
    if (patternLength(rule) > EVENT_PATTERN_LIMIT) {
      throw new Error(`${id}: cluster ${members[0]} alone makes a ${patternLength(rule)}-character pattern (EventBridge takes ${EVENT_PATTERN_LIMIT})`);
    }
    return [i === 0 ? id : `${id}${i + 1}`, rule];
  });
}

/**
 * The rules that invoke the diagnose Lambda, by construct id. With `clusters` set, each cluster-narrowed pattern
 * becomes as many rules as its cluster list needs to stay within EventBridge's pattern limit.
 */
export function diagnosePatterns(options: PatternOptions): Record<string, EventPattern> {
  const { clusters } = options;
  const narrowedByCluster = {
    TaskFailures: taskFailures,
    TasksStarting: tasksStarting,
    OutdatedPlatform: outdatedPlatform,
    ServiceActions: serviceActions,
    Deployments: deployments,
    ContainerInstances: containerInstances,
    ApiCalls: clusterCalls,
  };
  return Object.fromEntries([
    ...Object.entries(narrowedByCluster).flatMap(([id, pattern]) => perClusterGroup(id, pattern, clusters)),
    ['TaskDefinitionCalls', taskDefinitionCalls()],
  ]);
}

/** Incident events the diagnose Lambda publishes (opened and resolved), and remedy outcomes → the notify Lambda. */
export const incidentPattern: EventPattern = {
  source: [INCIDENT_SOURCE],
  'detail-type': [INCIDENT_DETAIL_TYPE, REMEDY_DETAIL_TYPE],
};

/** Opened incidents of the rules whose remedy is not off → the remediate Lambda. Its own outcomes never match: no loop. */
export function remedyIncidentPattern(rules: readonly string[]): EventPattern {
  return {
    source: [INCIDENT_SOURCE],
    'detail-type': [INCIDENT_DETAIL_TYPE],
    detail: { state: ['opened'], finding: { rule: [...rules] } },
  };
}
