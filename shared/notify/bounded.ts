import type { IncidentDetail } from '../bot/incident-event';
import type { Evidence, Finding, ResourceRef, Unchecked } from '../findings';
import { maskSecrets } from '../redact';
import { clip, plainText } from './safe-text';

/**
 * Every channel has a size limit (SNS 256 KB for all protocols together,
 * Slack 3000 characters a section). A finding is bounded once, here, so each
 * channel starts from text that fits: control characters removed, secrets
 * masked (shared/redact.ts), each field cut to a readable length, and long
 * lists cut with a note saying how many items were left out (the incident
 * event on EventBridge keeps them all).
 *
 * Worst case, every field at its cap in characters that take 3 bytes (4 once
 * escaped twice in the chat JSON): about 200 KB for the three copies (default,
 * email, chat), under SNS's 256 KB (tests/notify/format.test.ts measures it).
 */
export const LIMITS = {
  title: 200,
  explanation: 2000,
  fix: 2000,
  resourceValue: 200,
  evidenceItems: 10,
  evidenceSource: 100,
  evidenceObserved: 600,
  uncheckedItems: 10,
  uncheckedText: 200,
  /** Fingerprint, times, trigger: short in practice, bounded all the same. */
  incidentField: 600,
} as const;

/** Masked here too: an incident event is checked, never trusted to come from this version of diagnose. */
function bound(text: string, max: number): string {
  return clip(maskSecrets(plainText(text)), max);
}

function boundResource(resource: ResourceRef): ResourceRef {
  const bounded: ResourceRef = {};
  for (const [key, value] of Object.entries(resource) as [keyof ResourceRef, string | undefined][]) {
    if (value) bounded[key] = bound(value, LIMITS.resourceValue);
  }
  return bounded;
}

function boundList<T>(items: readonly T[], max: number, each: (item: T) => T, more: (left: number) => T): T[] {
  const kept = items.slice(0, max).map(each);
  return items.length > max ? [...kept, more(items.length - max)] : kept;
}

export function boundFinding(finding: Finding): Finding {
  return {
    rule: bound(finding.rule, LIMITS.evidenceSource),
    cause: finding.cause === null ? null : bound(finding.cause, LIMITS.evidenceSource),
    severity: finding.severity,
    title: bound(finding.title, LIMITS.title),
    explanation: bound(finding.explanation, LIMITS.explanation),
    fix: bound(finding.fix, LIMITS.fix),
    resource: boundResource(finding.resource),
    evidence: boundList<Evidence>(
      finding.evidence,
      LIMITS.evidenceItems,
      (e) => ({ source: bound(e.source, LIMITS.evidenceSource), observed: bound(e.observed, LIMITS.evidenceObserved) }),
      (left) => ({ source: 'ecs-medic', observed: `${left} more not shown (all are in the incident event)` }),
    ),
    unchecked: boundList<Unchecked>(
      finding.unchecked,
      LIMITS.uncheckedItems,
      (u) => ({ check: bound(u.check, LIMITS.uncheckedText), reason: bound(u.reason, LIMITS.uncheckedText) }),
      (left) => ({ check: `${left} more`, reason: 'not shown (all are in the incident event)' }),
    ),
  };
}

/** The incident with its finding bounded, as every channel renders it. */
export function boundIncident(detail: IncidentDetail): IncidentDetail {
  const field = (text: string) => bound(text, LIMITS.incidentField);
  const { id, detailType, eventName } = detail.trigger;
  return {
    ...detail,
    fingerprint: field(detail.fingerprint),
    firstSeen: field(detail.firstSeen),
    lastSeen: field(detail.lastSeen),
    finding: boundFinding(detail.finding),
    trigger: { id: field(id), detailType: field(detailType), ...(eventName === undefined ? {} : { eventName: field(eventName) }) },
  };
}
