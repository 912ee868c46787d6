import type { Evidence, Finding, Unchecked } from '../findings';

/**
 * What the diagnose Lambda publishes to EventBridge (PutEvents) and the notify
 * Lambda consumes. Documented in the README ("Incident events"): other tools
 * may subscribe to it, so fields are only ever added.
 */
export const INCIDENT_SOURCE = 'ecs-medic';
export const INCIDENT_DETAIL_TYPE = 'ECS Medic Incident';

export type IncidentState = 'opened' | 'resolved';

export interface IncidentDetail {
  schemaVersion: 1;
  state: IncidentState;
  /** account|region|cluster|service-or-family|rule|cause (shared/incidents/fingerprint.ts). */
  fingerprint: string;
  /** Findings of this incident seen so far (1 when opened). */
  occurrences: number;
  /** ISO-8601. With the fingerprint, names the incident: notify sends each (fingerprint, firstSeen, state) once. */
  firstSeen: string;
  lastSeen: string;
  /** The finding that opened the incident (for `resolved`, the one it was opened with). */
  finding: Finding;
  /** The ECS event that opened, or resolved, the incident. */
  trigger: { id: string; detailType: string; eventName?: string };
}

/**
 * A finding's size follows its input (one evidence item per OOM-killed
 * container, AWS texts of any length), but a PutEvents entry must stay under
 * 256 KB and the incident item that stores the finding under DynamoDB's
 * 400 KB. A published finding is kept under FINDING_MAX_BYTES of JSON: each
 * text and list is capped, and the caps are halved until it fits.
 */
export const FINDING_MAX_BYTES = 128 * 1024;

const CAPS = {
  name: 256,
  title: 500,
  explanation: 8000,
  fix: 8000,
  resourceValue: 512,
  evidenceItems: 40,
  evidenceSource: 200,
  evidenceObserved: 2000,
  uncheckedItems: 40,
  uncheckedCheck: 500,
  uncheckedReason: 1000,
} as const;

/** Cuts a text to `max` UTF-16 units, never inside a surrogate pair, marking the cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

function capList<T>(items: readonly T[], max: number, each: (item: T) => T, more: (left: number) => T): T[] {
  const kept = items.slice(0, max).map(each);
  return items.length > max ? [...kept, more(items.length - max)] : kept;
}

function capFinding(finding: Finding, scale: number): Finding {
  const at = (cap: number) => Math.max(1, Math.floor(cap * scale));
  const resource: Finding['resource'] = {};
  for (const [key, value] of Object.entries(finding.resource) as [keyof Finding['resource'], string | undefined][]) {
    if (typeof value === 'string') resource[key] = cut(value, at(CAPS.resourceValue));
  }
  return {
    rule: cut(finding.rule, CAPS.name),
    cause: finding.cause === null ? null : cut(finding.cause, CAPS.name),
    severity: finding.severity,
    title: cut(finding.title, at(CAPS.title)),
    explanation: cut(finding.explanation, at(CAPS.explanation)),
    fix: cut(finding.fix, at(CAPS.fix)),
    resource,
    evidence: capList<Evidence>(
      finding.evidence,
      at(CAPS.evidenceItems),
      (e) => ({ source: cut(e.source, at(CAPS.evidenceSource)), observed: cut(e.observed, at(CAPS.evidenceObserved)) }),
      (left) => ({ source: 'ecs-medic', observed: `${left} more evidence items not kept (an incident event is bounded in size)` }),
    ),
    unchecked: capList<Unchecked>(
      finding.unchecked,
      at(CAPS.uncheckedItems),
      (u) => ({ check: cut(u.check, at(CAPS.uncheckedCheck)), reason: cut(u.reason, at(CAPS.uncheckedReason)) }),
      (left) => ({ check: `${left} more checks`, reason: 'not kept (an incident event is bounded in size)' }),
    ),
  };
}

/** The finding as published and stored: under FINDING_MAX_BYTES of JSON, whatever it was given. */
export function boundedFinding(finding: Finding): Finding {
  // At 1/64 of the caps a finding is a few KB even if every character escapes to 6 bytes: the loop ends.
  for (let scale = 1; ; scale /= 2) {
    const bounded = capFinding(finding, scale);
    if (scale <= 1 / 64 || Buffer.byteLength(JSON.stringify(bounded)) <= FINDING_MAX_BYTES) return bounded;
  }
}

/** Builds the incident event: the finding bounded, and the trigger's fields cut to a sane length. */
export function incidentDetail(fields: Omit<IncidentDetail, 'schemaVersion'>): IncidentDetail {
  const { id, detailType, eventName } = fields.trigger;
  return {
    schemaVersion: 1,
    ...fields,
    finding: boundedFinding(fields.finding),
    trigger: { id: cut(id, CAPS.name), detailType: cut(detailType, CAPS.name), ...(eventName === undefined ? {} : { eventName: cut(eventName, CAPS.name) }) },
  };
}
