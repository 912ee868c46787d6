import { INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE, type IncidentDetail, type IncidentState } from '../bot/incident-event';
import { isObject, optional, required, type Schema, validate } from '../events/schema';
import type { Severity } from '../findings';

/**
 * The notify Lambda's view of an incident event (shared/bot/incident-event.ts):
 * validated before anything is sent, so a bad event is a value naming the bad
 * field, never an exception halfway through a delivery.
 */
export type IncidentEventParse =
  | { status: 'valid'; id: string; detail: IncidentDetail }
  | { status: 'invalid'; field: string; problem: string };

const envelope: Schema = {
  id: required('string'),
  source: required('string'),
  'detail-type': required('string'),
  detail: required('object'),
};

const resourceField = optional('string');

const detailSchema: Schema = {
  schemaVersion: required('number'),
  state: required('string'),
  fingerprint: required('string'),
  occurrences: required('number'),
  firstSeen: required('string'),
  lastSeen: required('string'),
  finding: required('object', {
    fields: {
      rule: required('string'),
      cause: optional('string', { nullable: true }),
      severity: required('string'),
      title: required('string'),
      explanation: required('string'),
      fix: required('string'),
      resource: required('object', {
        fields: {
          account: resourceField,
          region: resourceField,
          cluster: resourceField,
          service: resourceField,
          taskFamily: resourceField,
          task: resourceField,
          container: resourceField,
          containerInstance: resourceField,
        },
      }),
      evidence: required('array', { fields: { source: required('string'), observed: required('string') } }),
      unchecked: required('array', { fields: { check: required('string'), reason: required('string') } }),
    },
  }),
  trigger: required('object', {
    fields: { id: required('string'), detailType: required('string'), eventName: optional('string') },
  }),
};

const states: readonly IncidentState[] = ['opened', 'resolved'];
const severities: readonly Severity[] = ['critical', 'warning', 'info'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return allowed.includes(value as T);
}

export function parseIncidentEvent(raw: unknown): IncidentEventParse {
  if (!isObject(raw)) return { status: 'invalid', field: '(event)', problem: 'should be object' };
  const problem = validate(raw, envelope, '');
  if (problem) return { status: 'invalid', ...problem };
  if (raw.source !== INCIDENT_SOURCE) return { status: 'invalid', field: 'source', problem: `should be "${INCIDENT_SOURCE}"` };
  if (raw['detail-type'] !== INCIDENT_DETAIL_TYPE) {
    return { status: 'invalid', field: 'detail-type', problem: `should be "${INCIDENT_DETAIL_TYPE}"` };
  }
  const detailProblem = validate(raw.detail as Record<string, unknown>, detailSchema, 'detail');
  if (detailProblem) return { status: 'invalid', ...detailProblem };
  const detail = raw.detail as unknown as IncidentDetail;
  // Fields are only ever added to the schema, so a newer version still reads as version 1.
  if (!Number.isInteger(detail.schemaVersion) || detail.schemaVersion < 1) {
    return { status: 'invalid', field: 'detail.schemaVersion', problem: 'should be an integer ≥ 1' };
  }
  if (!oneOf(detail.state, states)) return { status: 'invalid', field: 'detail.state', problem: `should be one of ${states.join(', ')}` };
  if (!oneOf(detail.finding.severity, severities)) {
    return { status: 'invalid', field: 'detail.finding.severity', problem: `should be one of ${severities.join(', ')}` };
  }
  // Resource fields this version does not know are rendered too: they must be text like the others.
  for (const [key, value] of Object.entries(detail.finding.resource)) {
    if (typeof value !== 'string') return { status: 'invalid', field: `detail.finding.resource.${key}`, problem: `should be string, is ${value === null ? 'null' : typeof value}` };
  }
  if (!Number.isInteger(detail.occurrences) || detail.occurrences < 1) {
    return { status: 'invalid', field: 'detail.occurrences', problem: 'should be an integer ≥ 1' };
  }
  const finding = { ...detail.finding, cause: detail.finding.cause ?? null };
  return { status: 'valid', id: raw.id as string, detail: { ...detail, finding } };
}
