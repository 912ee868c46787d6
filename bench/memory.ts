/**
 * The storm through the deployed code: 1,000 ECS events (20 services in a restart loop across 3 clusters, each
 * loop ending in SERVICE_STEADY_STATE) handled by the bundled diagnose Lambda in 4 execution environments at
 * once (fresh Node processes, each taking its events one at a time, as Lambda does), sharing one incident
 * store (dynalite); then every incident event it published handled by the bundled notify Lambda, and each opened
 * incident by the bundled remediate Lambda (services opted in, dry-run). Figures:
 * each function's peak RSS (the most any of its environments reached), the alerts and resolutions published,
 * and DynamoDB calls per event.
 */
import { loadScenarios } from '../cli/scenarios';
import type { FunctionName } from '../infra/sizes';
import { INCIDENT_SOURCE } from '../shared/bot/incident-event';
import { awsSample } from '../tests/fixtures/events';
import { dynamoEnv, startDynalite } from '../tests/support/dynalite';
import { bundle, lambdaEnv, runDriver } from './lambda-bundle';
import type { DriverResult } from './lambda-driver';
import type { Snapshot } from '../shared/reader/snapshot';
import { REMEDIATION_DEFAULTS } from '../shared/remedy/config';

const SERVICES = 20;
const CLUSTERS = 3;
const EVENTS = 1000;
const ENVIRONMENTS = 4;

export interface StormFigures {
  events: number;
  storm_alerts: number;
  storm_resolutions: number;
  dynamodb_calls_per_event: number;
  /** Of the functions the storm runs through. */
  peak_rss_bytes: Partial<Record<FunctionName, number>>;
  failures: string[];
}

type Json = Record<string, unknown>;

/** The storm, in arrival order: the services' task kills interleaved, then each service's steady state. */
export function stormEvents(): unknown[] {
  const loop = loadScenarios().find((s) => s.id === 'health-check-grace-period');
  const kill = loop?.events[0] as (Json & { detail: Json; account: string; region: string; time: string }) | undefined;
  if (!kill) throw new Error('scenario health-check-grace-period is missing');
  const { account, region } = kill;
  const arn = (resource: string) => `arn:aws:ecs:${region}:${account}:${resource}`;
  const services = Array.from({ length: SERVICES }, (_, s) => ({ cluster: `cluster-${s % CLUSTERS}`, service: `service-${s}` }));
  const killsPerService = EVENTS / SERVICES - 1;
  const events: unknown[] = [];
  for (let k = 0; k < killsPerService; k++) {
    for (const [s, { cluster, service }] of services.entries()) {
      const task = arn(`task/${cluster}/${String(s).padStart(2, '0')}${String(k).padStart(30, '0')}`);
      events.push({
        ...kill,
        id: `00000000-0000-4000-8000-${String(s).padStart(4, '0')}${String(k).padStart(8, '0')}`,
        resources: [task],
        detail: { ...kill.detail, clusterArn: arn(`cluster/${cluster}`), group: `service:${service}`, taskArn: task },
      });
    }
  }
  const steady = awsSample('service-action-service-steady-state') as Json & { detail: Json };
  for (const [s, { cluster, service }] of services.entries()) {
    events.push({
      ...steady,
      id: `00000000-0000-4000-9000-${String(s).padStart(12, '0')}`,
      account,
      region,
      time: kill.time,
      resources: [arn(`service/${cluster}/${service}`)],
      detail: { ...steady.detail, clusterArn: arn(`cluster/${cluster}`) },
    });
  }
  return events;
}

/** The loop's account with its service tagged for the grace-period auto-fix, so remediate plans each change. */
function optedIn(snapshot: Snapshot): Snapshot {
  const copy = structuredClone(snapshot);
  for (const answer of copy['ecs:DescribeServices'] ?? []) {
    for (const service of (answer.output as { services?: Json[] } | undefined)?.services ?? []) {
      service.tags = [{ key: REMEDIATION_DEFAULTS.tagKey, value: 'grace-period' }];
    }
  }
  return copy;
}

export async function measureStorm(): Promise<StormFigures> {
  const loop = loadScenarios().find((s) => s.id === 'health-check-grace-period');
  if (!loop) throw new Error('scenario health-check-grace-period is missing');
  const events = stormEvents();
  const local = await startDynalite('bench');
  try {
    const env = lambdaEnv(dynamoEnv(local));
    const driver = await bundle('bench/lambda-driver.ts', 'storm-driver');
    local.resetRequests();
    // Environment e takes every ENVIRONMENTS-th event, so each sees all services and the loops race in the store.
    const shares = Array.from({ length: ENVIRONMENTS }, (_, e) => events.filter((_, i) => i % ENVIRONMENTS === e));
    const diagnoseRuns = await Promise.all(
      shares.map((share) => runDriver(driver.file, { function: 'diagnose', events: share, snapshot: loop.snapshot, lenient: true }, env)),
    );
    const dynamoCalls = local.requests.length;
    const published = diagnoseRuns.flatMap((run) => run.published);
    const states = published.map((p) => (JSON.parse(p.detail) as { state?: string }).state);
    const incidentEvents = published.map((p, i) => ({
      version: '0',
      id: `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`,
      'detail-type': p.detailType,
      source: INCIDENT_SOURCE,
      account: '111111111111',
      time: new Date().toISOString(),
      region: 'us-west-2',
      resources: [],
      detail: JSON.parse(p.detail) as unknown,
    }));
    const notifyRun: DriverResult = await runDriver(driver.file, { function: 'notify', events: incidentEvents, snapshot: {}, lenient: false }, env);
    // The opened incidents reach remediate (the stack's RemedyIncidents rule), each service opted in, in the default dry-run.
    const opened = incidentEvents.filter((e) => (e.detail as { state?: string }).state === 'opened');
    const remediateRun = await runDriver(driver.file, { function: 'remediate', events: opened, snapshot: optedIn(loop.snapshot), lenient: true }, env);
    if (remediateRun.incidentEvents !== opened.length) {
      throw new Error(`remediate published ${remediateRun.incidentEvents} outcomes for ${opened.length} opened incidents`);
    }
    if (notifyRun.snsPublishes !== incidentEvents.length) {
      throw new Error(`notify published ${notifyRun.snsPublishes} SNS messages for ${incidentEvents.length} incident events`);
    }
    return {
      events: events.length,
      storm_alerts: states.filter((s) => s === 'opened').length,
      storm_resolutions: states.filter((s) => s === 'resolved').length,
      dynamodb_calls_per_event: dynamoCalls / events.length,
      peak_rss_bytes: { diagnose: Math.max(...diagnoseRuns.map((r) => r.maxRssBytes)), notify: notifyRun.maxRssBytes, remediate: remediateRun.maxRssBytes },
      failures: [...diagnoseRuns.flatMap((r) => r.failures), ...notifyRun.failures, ...remediateRun.failures],
    };
  } finally {
    await local.stop();
  }
}
