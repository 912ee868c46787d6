import { type IncidentDetail, incidentDetail } from '../bot/incident-event';
import type { Finding } from '../findings';
import { fingerprintOf } from '../incidents/fingerprint';
import type { IncidentRecord, IncidentStore } from '../incidents/store';
import type { AuditResult } from './account';

/**
 * The audit's findings through the bot's incident path: a static finding
 * opens an incident and alerts once; the next runs count it as a repeat (no
 * alert) while it persists, and resolve it (one "resolved" event) once a
 * complete run no longer finds it. Audit incidents are filed under one key
 * per account and Region, not under their service, so a service's steady
 * state (which resolves its failure incidents) does not resolve them.
 * Like the diagnose flow, nothing is undone on failure: the retry of the same
 * run (same id) finds its own unfinished announcements and finishes them.
 */

export const AUDIT_DETAIL_TYPE = 'scheduled-audit';

export interface AuditReportDependencies {
  /** A store whose window outlasts the schedule, so a daily repeat keeps the incident open. */
  store: IncidentStore;
  publish(detail: IncidentDetail): Promise<void>;
}

export interface AuditReport {
  opened: string[];
  repeated: number;
  resolved: string[];
}

export function auditKey(account: string | undefined, region: string): string {
  return `audit|${account ?? '-'}|${region}`;
}

/** The cluster a fingerprint names ("-" for task definitions, which are account-wide). */
function clusterOf(fingerprint: string): string {
  return fingerprint.split('|')[2] ?? '-';
}

export async function reportAudit(result: AuditResult, runId: string, runTime: Date, deadline: Date, dependencies: AuditReportDependencies): Promise<AuditReport> {
  const { store, publish } = dependencies;
  const account = result.findings.find((f) => f.resource.account)?.resource.account;
  const key = auditKey(account, result.summary.region);
  const trigger = { id: runId, detailType: AUDIT_DETAIL_TYPE };
  const eventTime = runTime.getTime();
  const leaseUntil = Math.ceil(deadline.getTime() / 1000);
  const report: AuditReport = { opened: [], repeated: 0, resolved: [] };

  async function announceResolution(incident: IncidentRecord): Promise<void> {
    const { finding, resolvedBy } = incident;
    if (!finding || !resolvedBy) return;
    const { fingerprint, occurrences, firstSeen, lastSeen } = incident;
    await publish(incidentDetail({ state: 'resolved', fingerprint, occurrences, firstSeen, lastSeen, finding, trigger: resolvedBy }));
    await store.announceResolved(fingerprint);
    report.resolved.push(fingerprint);
  }

  const current = new Map<string, Finding>();
  for (const finding of result.findings) current.set(fingerprintOf(finding.resource, finding.rule, finding.cause), finding);
  const wasFiled = await store.openFingerprints(key);

  for (const [fingerprint, finding] of current) {
    const request = { fingerprint, serviceKey: key, deliveryId: runId, eventTime, leaseUntil };
    let recorded = await store.recordFinding(request);
    if (recorded.status === 'resolution-pending') {
      // A previous run resolved it without announcing: finish that, then this finding opens it again.
      await announceResolution(recorded.incident);
      recorded = await store.recordFinding(request);
    }
    if (recorded.status !== 'opened') {
      report.repeated++;
      continue;
    }
    const { firstSeen } = recorded.incident;
    const detail = incidentDetail({ state: 'opened', fingerprint, occurrences: 1, firstSeen, lastSeen: firstSeen, finding, trigger });
    await publish(detail);
    await store.announceOpened(fingerprint, runId, detail.finding);
    report.opened.push(fingerprint);
  }

  for (const fingerprint of wasFiled) {
    if (current.has(fingerprint)) continue;
    const cluster = clusterOf(fingerprint);
    // Only what this run looked at completely can be declared fixed.
    if (cluster === '-' ? !result.complete : !result.completeClusters.has(cluster)) continue;
    const resolved = await store.resolveIncident(fingerprint, eventTime, trigger);
    if (resolved?.announced) await announceResolution(resolved);
  }
  return report;
}
