import { parseArn } from '../arn';
import { type Candidate, detect, investigate } from '../diagnose';
import { parseEvent } from '../events/parse';
import { type Signal, signalsOf, taskResource } from '../events/signals';
import type { EcsEvent, TaskStateChangeEvent } from '../events/types';
import { fingerprintOf, serviceKeyOf } from '../incidents/fingerprint';
import { type IncidentRecord, type IncidentStore, MAX_DELIVERY_ID_BYTES, MAX_KEY_BYTES } from '../incidents/store';
import type { Finding } from '../findings';
import { type AccountReader, cachingReader } from '../reader/port';
import { catalogue } from '../rules/catalogue';
import type { AnyRule } from '../rules/rule';
import { type IncidentDetail, incidentDetail } from './incident-event';
import { parseRecheckRequest, pendingRecheckSignal } from './pending-recheck';
import type { RecheckRequest } from './recheck';

/** What the flow logs through (Powertools Logger fits). */
export interface FlowLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface DiagnoseFlowDependencies {
  store: IncidentStore;
  /** The account, read-only (the live reader in the Lambda). */
  reader: AccountReader;
  publish(detail: IncidentDetail): Promise<void>;
  /** Permanent failures: to the function's DLQ, explicitly, then acknowledged. */
  deadLetter(raw: unknown, reason: string): Promise<void>;
  scheduleRecheck(request: RecheckRequest): Promise<void>;
  /** How long one service's re-check claim holds: at most one re-check is scheduled per service in that time. */
  recheckClaimSeconds: number;
  clock: () => Date;
  logger: FlowLogger;
  rules?: readonly AnyRule[];
}

/** The invocation the work runs in: others leave its unannounced opens to it until it would be killed. */
export interface Invocation {
  deadline: Date;
}

export interface FlowOutcome {
  status: 'processed' | 'duplicate' | 'rejected';
  /** Rule ids, one per incident, for the dashboard metrics. */
  opened: string[];
  repeated: string[];
  /** Rule ids of findings that add nothing to an incident already open for the service (not recorded). */
  covered: string[];
  resolved: string[];
  rechecksScheduled: number;
}

type Trigger = IncidentDetail['trigger'];

/** Others leave an unannounced open to its opener until its invocation would be killed, plus this margin. */
const LEASE_MARGIN_SECONDS = 5;

const RESOLVING_EVENTS: Partial<Record<EcsEvent['detail-type'], string>> = {
  'ECS Service Action': 'SERVICE_STEADY_STATE',
  'ECS Deployment State Change': 'SERVICE_DEPLOYMENT_COMPLETED',
};

function isResolution(event: EcsEvent): boolean {
  const eventName = Object.hasOwn(RESOLVING_EVENTS, event['detail-type']) ? RESOLVING_EVENTS[event['detail-type']] : undefined;
  return eventName !== undefined && 'eventName' in event.detail && event.detail.eventName === eventName;
}

/** A task of a service entering PROVISIONING or PENDING: it emits nothing more if it stays there. */
function isStartingServiceTask(event: EcsEvent): event is TaskStateChangeEvent {
  if (event['detail-type'] !== 'ECS Task State Change') return false;
  const { lastStatus, desiredStatus, group } = event.detail;
  return (lastStatus === 'PROVISIONING' || lastStatus === 'PENDING') && desiredStatus !== 'STOPPED' && group?.startsWith('service:') === true;
}

function triggerOf(event: EcsEvent): Trigger {
  const eventName = 'eventName' in event.detail ? event.detail.eventName : undefined;
  return { id: event.id, detailType: event['detail-type'], ...(typeof eventName === 'string' ? { eventName } : {}) };
}

/** When it happened, not when it arrived: the envelope's `time`, else the clock. */
function eventTimeOf(event: EcsEvent, clock: () => Date): number {
  const time = event.time === undefined ? Number.NaN : Date.parse(event.time);
  return Number.isFinite(time) ? time : clock().getTime();
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A key the incident store cannot hold is a property of the event: permanent. */
function oversizedKey(keys: Record<string, string | undefined>, limit: number): string | undefined {
  for (const [name, key] of Object.entries(keys)) {
    const bytes = key === undefined ? 0 : Buffer.byteLength(key);
    if (bytes > limit) return `${name} is ${bytes} bytes, more than the ${limit} the incident store accepts`;
  }
  return undefined;
}

/** The incident a candidate belongs to, and its service. */
function incidentKeys(candidate: Candidate): { fingerprint: string; serviceKey: string | undefined } {
  const resource = { ...candidate.signal.resource, ...candidate.detection.resource };
  return { fingerprint: fingerprintOf(resource, candidate.rule.meta.id, candidate.detection.cause), serviceKey: serviceKeyOf(resource) };
}

/**
 * The diagnose Lambda's work, with every dependency injected: validate,
 * resolve or detect from the event alone, record each candidate in the
 * incident store BEFORE any read of the account, and only for an incident
 * this delivery holds the announcement of, investigate and publish.
 *
 * Nothing is undone on failure: what a delivery claimed stays claimed by it,
 * as unfinished, and its retry finishes it (incidents/store.ts). Permanent
 * failures (malformed, unsupported, oversized, a rule crashing on the event)
 * are dead-lettered before anything is written, and acknowledged. Anything
 * else that fails (the store, EventBridge, SQS) throws, so Lambda retries and,
 * after its retries, the failure destination keeps the event.
 */
export function diagnoseFlow(dependencies: DiagnoseFlowDependencies) {
  const { store, publish, deadLetter, scheduleRecheck, clock, logger, recheckClaimSeconds } = dependencies;
  const rules = dependencies.rules ?? catalogue;
  const outcome = (status: FlowOutcome['status']): FlowOutcome => ({ status, opened: [], repeated: [], covered: [], resolved: [], rechecksScheduled: 0 });

  async function reject(raw: unknown, reason: string, attributes: Record<string, unknown> = {}): Promise<FlowOutcome> {
    logger.warn('event rejected: sent to the dead-letter queue', { reason, ...attributes });
    await deadLetter(raw, reason);
    return outcome('rejected');
  }

  async function announceResolution(incident: IncidentRecord, result: FlowOutcome): Promise<void> {
    const { finding, resolvedBy } = incident;
    if (!finding || !resolvedBy) return;
    await publish(
      incidentDetail({ state: 'resolved', fingerprint: incident.fingerprint, occurrences: incident.occurrences, firstSeen: incident.firstSeen, lastSeen: incident.lastSeen, finding, trigger: resolvedBy }),
    );
    await store.announceResolved(incident.fingerprint);
    result.resolved.push(finding.rule);
  }

  /** Publishes the opened alert, records it, and announces a resolution that arrived meanwhile (or before, by event time). */
  async function announceOpening(opening: Opening, finding: Finding, trigger: Trigger, deliveryId: string, result: FlowOutcome): Promise<void> {
    const { fingerprint, serviceKey, incident } = opening;
    const detail = incidentDetail({ state: 'opened', fingerprint, occurrences: 1, firstSeen: incident.firstSeen, lastSeen: incident.firstSeen, finding, trigger });
    await publish(detail);
    result.opened.push(finding.rule);
    let after = await store.announceOpened(fingerprint, deliveryId, detail.finding);
    if (!after) {
      // Another delivery took the announcement over (this one outlived its lease): it publishes the same incident, which notify sends once.
      logger.warn('another delivery took the announcement over', { fingerprint });
      return;
    }
    if (after.state === 'open' && serviceKey) {
      const steady = await store.steadyState(serviceKey);
      if (steady && steady.at >= Date.parse(incident.firstSeen)) after = (await store.resolveIncident(fingerprint, steady.at, steady.trigger)) ?? after;
    }
    if (after.state === 'resolved' && after.resolutionAnnounced === false) await announceResolution(after, result);
  }

  interface Opening {
    candidate: Candidate;
    fingerprint: string;
    serviceKey: string | undefined;
    incident: IncidentRecord;
  }

  /**
   * A service warning no rule recognises (SERVICE_TASK_START_IMPAIRED carries no reason) says only that the
   * service's tasks keep failing; while an incident of the service is open, its tasks' own events named why,
   * and a second alert would announce the same failure again. One query of the open-by-service index.
   */
  async function coveredByOpenIncident(candidate: Candidate, fingerprint: string, serviceKey: string | undefined): Promise<boolean> {
    if (candidate.detection.specificity !== 'unrecognised' || candidate.signal.kind !== 'service-action' || !serviceKey) return false;
    const open = (await store.openFingerprints(serviceKey)).filter((other) => other !== fingerprint);
    if (open.length > 0) logger.info('service warning covered by the incident open for its service', { serviceKey, open, trigger: candidate.signal.source });
    return open.length > 0;
  }

  /** Record every candidate first (no reads); investigate and announce only the openings this delivery holds. */
  async function report(
    candidates: Candidate[],
    deliveryId: string,
    trigger: Trigger,
    eventTime: number,
    invocation: Invocation,
    reader: AccountReader,
    result: FlowOutcome,
  ): Promise<void> {
    const leaseUntil = Math.ceil(invocation.deadline.getTime() / 1000) + LEASE_MARGIN_SECONDS;
    const openings: Opening[] = [];
    let duplicates = 0;
    for (const candidate of candidates) {
      const { fingerprint, serviceKey } = incidentKeys(candidate);
      if (await coveredByOpenIncident(candidate, fingerprint, serviceKey)) {
        result.covered.push(candidate.rule.meta.id);
        continue;
      }
      const request = { fingerprint, serviceKey, deliveryId, eventTime, leaseUntil };
      let recorded = await store.recordFinding(request);
      if (recorded.status === 'resolution-pending') {
        // Its resolver did not finish: announce the resolution, then this finding opens the next incident.
        await announceResolution(recorded.incident, result);
        recorded = await store.recordFinding(request);
      }
      if (recorded.status === 'opened') openings.push({ candidate, fingerprint, serviceKey, incident: recorded.incident });
      else if (recorded.status === 'repeated') result.repeated.push(candidate.rule.meta.id);
      else duplicates += 1;
    }
    if (candidates.length > 0 && duplicates === candidates.length) result.status = 'duplicate';
    const findings = await Promise.all(openings.map(({ candidate }) => investigate(candidate, reader, rules)));
    for (const [i, opening] of openings.entries()) {
      await announceOpening(opening, findings[i] as Finding, trigger, deliveryId, result);
    }
  }

  async function resolve(event: EcsEvent, signal: Signal, result: FlowOutcome) {
    const serviceKey = serviceKeyOf(signal.resource);
    if (!serviceKey) return;
    const resolved = await store.resolveService(serviceKey, eventTimeOf(event, clock), triggerOf(event));
    for (const incident of resolved) await announceResolution(incident, result);
  }

  async function planRecheck(event: TaskStateChangeEvent, result: FlowOutcome) {
    const resource = taskResource(event);
    const serviceKey = serviceKeyOf(resource);
    if (!serviceKey || !resource.service) return;
    if (!(await store.claimRecheck(serviceKey, recheckClaimSeconds, event.id))) return;
    await scheduleRecheck({
      kind: 'pending-recheck',
      account: event.account,
      region: event.region ?? parseArn(event.detail.clusterArn)?.region ?? '',
      clusterArn: event.detail.clusterArn,
      service: resource.service,
      firstSeen: clock().toISOString(),
    });
    await store.markRecheckSent(serviceKey, event.id);
    result.rechecksScheduled += 1;
  }

  async function detectSafely(signals: () => Signal[]): Promise<Candidate[] | string> {
    try {
      return await detect(signals(), rules);
    } catch (error) {
      // Pure code failing on one event fails the same way on every retry: permanent.
      return `diagnosis failed on this event: ${reasonOf(error)}`;
    }
  }

  /** The store keys an event would write, checked before any is written. */
  function keyProblem(deliveryId: string, candidates: Candidate[], extra: Record<string, string | undefined> = {}): string | undefined {
    const keySets = [{ ...extra }, ...candidates.map(incidentKeys).map(({ fingerprint, serviceKey }) => ({ fingerprint, 'service key': serviceKey }))];
    return oversizedKey({ 'event id': deliveryId }, MAX_DELIVERY_ID_BYTES) ?? keySets.map((keys) => oversizedKey(keys, MAX_KEY_BYTES)).find(Boolean);
  }

  return {
    /** One EventBridge event from aws.ecs. */
    async handleEvent(raw: unknown, invocation: Invocation): Promise<FlowOutcome> {
      const parsed = parseEvent(raw);
      if (parsed.status === 'invalid') return reject(raw, parsed.message, { field: parsed.field });
      if (parsed.status === 'unsupported') {
        return reject(raw, `unsupported detail-type "${parsed.detailType}"`, { eventId: parsed.id });
      }
      const { event } = parsed;
      const result = outcome('processed');
      const signals = signalsOf(event);
      if (isResolution(event)) {
        const [signal] = signals;
        const problem = keyProblem(event.id, [], { 'service key': signal && serviceKeyOf(signal.resource) });
        if (problem) return reject(raw, `event too large for the incident store: ${problem}`, { eventId: event.id });
        if (signal) await resolve(event, signal, result);
        return result;
      }
      const candidates = await detectSafely(() => signals);
      if (typeof candidates === 'string') return reject(raw, candidates, { eventId: event.id });
      const starting = isStartingServiceTask(event) ? serviceKeyOf(taskResource(event)) : undefined;
      const problem = keyProblem(event.id, candidates, { 're-check key': starting });
      if (problem) return reject(raw, `event too large for the incident store: ${problem}`, { eventId: event.id.slice(0, 100) });
      await report(candidates, event.id, triggerOf(event), eventTimeOf(event, clock), invocation, cachingReader(dependencies.reader), result);
      if (isStartingServiceTask(event)) await planRecheck(event, result);
      return result;
    },

    /** One message from the re-check delay queue. */
    async handleRecheck(body: string, messageId: string, invocation: Invocation): Promise<FlowOutcome> {
      const request = parseRecheckRequest(body);
      if (typeof request === 'string') return reject(body, request, { messageId });
      const result = outcome('processed');
      // One cached reader: the rules' own DescribeServices is the re-check's, not a second call.
      const reader = cachingReader(dependencies.reader);
      let signal: Signal | undefined;
      try {
        signal = await pendingRecheckSignal(reader, request, clock());
      } catch (error) {
        // A refused or throttled read of the account is not the bot's failure: report it, do not retry.
        logger.warn('re-check could not read the service', { service: request.service, clusterArn: request.clusterArn, reason: reasonOf(error) });
        return result;
      }
      if (!signal) {
        logger.info('re-check: no task of the service is still waiting', { service: request.service, clusterArn: request.clusterArn });
        return result;
      }
      const found = signal;
      const candidates = await detectSafely(() => [found]);
      if (typeof candidates === 'string') return reject(body, candidates, { messageId });
      const problem = keyProblem(messageId, candidates);
      if (problem) return reject(body, `message too large for the incident store: ${problem}`, { messageId: messageId.slice(0, 100) });
      await report(candidates, messageId, { id: messageId, detailType: 'pending-recheck' }, clock().getTime(), invocation, reader, result);
      return result;
    },
  };
}

export type DiagnoseFlow = ReturnType<typeof diagnoseFlow>;
