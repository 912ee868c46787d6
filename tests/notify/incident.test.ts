import { beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail } from '../../shared/bot/incident-event';
import { exampleIncident, incidentEvent } from '../../shared/notify/example';
import { parseIncidentEvent } from '../../shared/notify/incident';

let detail: IncidentDetail;
beforeAll(async () => {
  detail = await exampleIncident();
});

/** The example event with one field replaced (or removed, with `undefined`). */
function withField(path: string, value: unknown): unknown {
  const event = structuredClone(incidentEvent(detail)) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let target = event;
  for (const key of keys) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return event;
}

describe('parseIncidentEvent', () => {
  it('accepts the event the diagnose Lambda publishes', () => {
    const parsed = parseIncidentEvent(incidentEvent(detail, 'evt-1'));
    expect(parsed).toEqual({ status: 'valid', id: 'evt-1', detail });
  });

  it('reads a missing cause as null and tolerates fields added later', () => {
    const parsed = parseIncidentEvent(withField('detail.finding.cause', undefined));
    expect(parsed.status === 'valid' && parsed.detail.finding.cause).toBeNull();
    expect(parseIncidentEvent(withField('detail.newField', { any: 1 })).status).toBe('valid');
    expect(parseIncidentEvent(withField('detail.schemaVersion', 2)).status).toBe('valid');
  });

  it.each([
    ['(event)', null],
    ['(event)', 'a string'],
    ['source', 'aws.ecs'],
    ['detail-type', 'ECS Task State Change'],
    ['detail', undefined],
    ['detail.state', 'closed'],
    ['detail.schemaVersion', 0],
    ['detail.occurrences', 0],
    ['detail.fingerprint', 42],
    ['detail.finding', undefined],
    ['detail.finding.severity', 'fatal'],
    ['detail.finding.resource.cluster', ['a']],
    ['detail.finding.evidence', 'none'],
    ['detail.finding.evidence', [{ source: 'x' }]],
    ['detail.finding.unchecked', [null]],
    ['detail.trigger.id', undefined],
  ])('names the bad field %s', (field, value) => {
    const raw = field === '(event)' ? value : withField(field, value);
    const parsed = parseIncidentEvent(raw);
    expect(parsed.status).toBe('invalid');
    expect(parsed.status === 'invalid' && parsed.field).toMatch(new RegExp(`^${field.replace(/[.()]/g, '\\$&')}`));
  });
});
