import { parseArn } from '../arn';
import { type Candidate, detect, investigate } from '../diagnose';
import { parseEvent } from '../events/parse';
import { type Signal, signalsOf, taskResource } from '../events/signals';
import type { EcsEvent, TaskStateChangeEvent } from '../events/types';
import { fingerprintOf, serviceKeyOf } from '../incidents/fingerprint';
import type { IncidentStore } from '../incidents/store';
import { type AccountReader, cachingReader } from '../reader/port';
import { catalogue } from '../rules/catalogue';
import type { AnyRule } from '../rules/rule';
import type { IncidentDetail } from './incident-event';
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

/** The invocation the work runs in: claims are leased until it would be killed, so a crashed delivery is retried. */
export interface Invocation {
  deadline: Date;
}

export interface FlowOutcome {
  status: 'processed' | 'duplicate' | 'rejected';
  /** Rule ids, one per incident, for the dashboard metrics. */
  opened: string[];
  repeated: string[];
  resolved: string[];
  rechecksScheduled: number;
}

type Trigger = IncidentDetail['trigger'];

/** A claim outlives the invocation by this margin; Lambda's first retry comes a minute later, so the retry finds it free. */
const LEASE_MARGIN_SECONDS = 5;

const RESOLVING_EVENTS: Partial<Record<EcsEvent['detail-type'], string>> = {
  'ECS Service Action': 'SERVICE_STEADY_STATE',
  'ECS Deployment State Change': 'SERVICE_DEPLOYMENT_COMPLETED',
};

function isResolution(event: EcsEvent): boolean {
  const eventName = RESOLVING_EVENTS[event['detail-type']];
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

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The diagnose Lambda's work, with every dependency injected: validate,
 * claim the delivery, resolve or detect from the event alone, record each
 * candidate in the incident store BEFORE any read of the account, and only
 * for a newly opened incident investigate and publish.
 *
 * Permanent failures (malformed, unsupported, a rule crashing on the event)
 * are dead-lettered and acknowledged. Anything else that fails (the store,
 * EventBridge, SQS) undoes what this delivery claimed and throws, so Lambda
 * retries and, after its retries, the failure destination keeps the event.
 */
export function diagnoseFlow(dependencies: DiagnoseFlowDependencies) {
  const { store, publish, deadLetter, scheduleRecheck, clock, logger, recheckClaimSeconds } = dependencies;
  const rules = dependencies.rules ?? catalogue;
  const outcome = (status: FlowOutcome['status']): FlowOutcome => ({ status, opened: [], repeated: [], resolved: [], rechecksScheduled: 0 });

  async function reject(raw: unknown, reason: string, attributes: Record<string, unknown> = {}): Promise<FlowOutcome> {
    logger.warn('event rejected: sent to the dead-letter queue', { reason, ...attributes });
    await deadLetter(raw, reason);
    return outcome('rejected');
  }

  /** Runs `work` once per delivery id: duplicates are skipped; a failure gives the claim back and throws. */
  async function once(id: string, invocation: Invocation, work: (result: FlowOutcome) => Promise<FlowOutcome>): Promise<FlowOutcome> {
    const leaseUntil = Math.ceil(invocation.deadline.getTime() / 1000) + LEASE_MARGIN_SECONDS;
    if (!(await store.claimDelivery(id, leaseUntil))) {
      logger.info('duplicate delivery skipped', { deliveryId: id });
      return outcome('duplicate');
    }
    try {
      const result = await work(outcome('processed'));
      await store.completeDelivery(id);
      return result;
    } catch (error) {
      await undo(() => store.releaseDelivery(id), 'release the delivery claim', id);
      throw error;
    }
  }

  /** Best effort: an undo that fails is logged; the original error is what Lambda must see. */
  async function undo(step: () => Promise<void>, what: string, deliveryId: string): Promise<void> {
    try {
      await step();
    } catch (error) {
      logger.error(`could not ${what}`, { deliveryId, reason: reasonOf(error) });
    }
  }

  /** Record every candidate first (no reads); investigate and announce only what this delivery opened. */
  async function report(candidates: Candidate[], deliveryId: string, trigger: Trigger, invocation: Invocation, reader: AccountReader, result: FlowOutcome) {
    const leaseUntil = Math.ceil(invocation.deadline.getTime() / 1000) + LEASE_MARGIN_SECONDS;
    const opened: { candidate: Candidate; fingerprint: string; firstSeen: string }[] = [];
    for (const candidate of candidates) {
      const resource = { ...candidate.signal.resource, ...candidate.detection.resource };
      const fingerprint = fingerprintOf(resource, candidate.rule.meta.id, candidate.detection.cause);
      const recorded = await store.recordFinding({ fingerprint, serviceKey: serviceKeyOf(resource), deliveryId, leaseUntil });
      if (recorded.status === 'opened') opened.push({ candidate, fingerprint, firstSeen: recorded.firstSeen });
      else result.repeated.push(candidate.rule.meta.id);
    }
    let announced = 0;
    try {
      const findings = await Promise.all(opened.map(({ candidate }) => investigate(candidate, reader, rules)));
      for (const [i, { fingerprint, firstSeen }] of opened.entries()) {
        const finding = findings[i];
        if (!finding) continue;
        await publish({ schemaVersion: 1, state: 'opened', fingerprint, occurrences: 1, firstSeen, lastSeen: firstSeen, finding, trigger });
        announced = i + 1;
        result.opened.push(finding.rule);
        if (!(await store.markAnnounced(fingerprint, deliveryId, finding))) {
          logger.warn('another delivery took the incident over while it was investigated; it may alert twice', { fingerprint });
        }
      }
    } catch (error) {
      // What was not announced is given back, so the retry of this delivery opens and announces it.
      for (const { fingerprint } of opened.slice(announced)) await undo(() => store.abandonOpen(fingerprint, deliveryId), 'abandon an unannounced incident', deliveryId);
      throw error;
    }
  }

  async function resolve(event: EcsEvent, signal: Signal, result: FlowOutcome) {
    const serviceKey = serviceKeyOf(signal.resource);
    if (!serviceKey) return;
    const resolved = await store.resolveService(serviceKey);
    for (const [i, incident] of resolved.entries()) {
      try {
        await publish({ schemaVersion: 1, state: 'resolved', ...incident, trigger: triggerOf(event) });
      } catch (error) {
        for (const { fingerprint } of resolved.slice(i)) await undo(() => store.restoreOpen(fingerprint, serviceKey), 'restore an unannounced resolution', event.id);
        throw error;
      }
      result.resolved.push(incident.finding.rule);
    }
  }

  async function planRecheck(event: TaskStateChangeEvent, result: FlowOutcome) {
    const resource = taskResource(event);
    const serviceKey = serviceKeyOf(resource);
    if (!serviceKey || !resource.service) return;
    if (!(await store.claimRecheck(serviceKey, recheckClaimSeconds))) return;
    try {
      await scheduleRecheck({
        kind: 'pending-recheck',
        account: event.account,
        region: event.region ?? parseArn(event.detail.clusterArn)?.region ?? '',
        clusterArn: event.detail.clusterArn,
        service: resource.service,
        firstSeen: clock().toISOString(),
      });
    } catch (error) {
      await undo(() => store.releaseRecheck(serviceKey), 'release the re-check claim', event.id);
      throw error;
    }
    result.rechecksScheduled += 1;
  }

  function detectSafely(signals: () => Signal[]): Candidate[] | string {
    try {
      return detect(signals(), rules);
    } catch (error) {
      // Pure code failing on one event fails the same way on every retry: permanent.
      return `diagnosis failed on this event: ${reasonOf(error)}`;
    }
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
      return once(event.id, invocation, async (result) => {
        const signals = signalsOf(event);
        if (isResolution(event)) {
          const [signal] = signals;
          if (signal) await resolve(event, signal, result);
          return result;
        }
        const candidates = detectSafely(() => signals);
        if (typeof candidates === 'string') return reject(raw, candidates, { eventId: event.id });
        await report(candidates, event.id, triggerOf(event), invocation, cachingReader(dependencies.reader), result);
        if (isStartingServiceTask(event)) await planRecheck(event, result);
        return result;
      });
    },

    /** One message from the re-check delay queue. */
    async handleRecheck(body: string, messageId: string, invocation: Invocation): Promise<FlowOutcome> {
      const request = parseRecheckRequest(body);
      if (typeof request === 'string') return reject(body, request, { messageId });
      return once(messageId, invocation, async (result) => {
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
        const candidates = detectSafely(() => [found]);
        if (typeof candidates === 'string') return reject(body, candidates, { messageId });
        await report(candidates, messageId, { id: messageId, detailType: 'pending-recheck' }, invocation, reader, result);
        return result;
      });
    },
  };
}

export type DiagnoseFlow = ReturnType<typeof diagnoseFlow>;
