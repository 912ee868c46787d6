import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, recordOutcome } from '../../functions/diagnose/metrics';

/** The EMF documents Powertools prints (POWERTOOLS_DEV: through the global console). */
function emitted(log: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return log.mock.calls.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>);
}

describe('diagnose metrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('one metric per outcome and rule, with `rule` as the only dimension; one delivery count per invocation', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'ecs-medic-diagnose' });

    recordOutcome(metrics, {
      status: 'processed',
      opened: ['health-check-grace-period'],
      repeated: ['essential-container-exited', 'essential-container-exited'],
      covered: [],
      resolved: [],
      rechecksScheduled: 0,
    });
    metrics.publishStoredMetrics();

    const documents = emitted(log);
    expect(documents).toHaveLength(3);
    expect(documents[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'EcsMedic', Dimensions: [['rule']], Metrics: [{ Name: 'IncidentOpened', Unit: 'Count' }] }] },
      rule: 'health-check-grace-period',
      IncidentOpened: 1,
    });
    expect(documents[0]).not.toHaveProperty('service');
    expect(documents[1]).toMatchObject({ rule: 'essential-container-exited', IncidentRepeated: 2 });
    expect(documents[2]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'EcsMedic', Dimensions: [['service']], Metrics: [{ Name: 'DeliveryProcessed' }] }] },
      service: 'ecs-medic-diagnose',
      DeliveryProcessed: 1,
    });
  });

  it('a duplicate or a rejected event is counted without a rule', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'ecs-medic-diagnose' });
    recordOutcome(metrics, { status: 'duplicate', opened: [], repeated: [], covered: [], resolved: [], rechecksScheduled: 0 });
    recordOutcome(metrics, { status: 'rejected', opened: [], repeated: [], covered: [], resolved: [], rechecksScheduled: 0 });
    metrics.publishStoredMetrics();
    expect(emitted(log)).toEqual([expect.objectContaining({ DuplicateDelivery: 1, EventRejected: 1 })]);
  });
});
