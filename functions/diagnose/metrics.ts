import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FlowOutcome } from '../../shared/bot/diagnose-flow';

/** The dashboard's namespace and metrics (infra/stack.ts graphs them by `rule`). */
export const METRICS_NAMESPACE = 'EcsMedic';
export const INCIDENT_METRICS = { opened: 'IncidentOpened', repeated: 'IncidentRepeated', resolved: 'IncidentResolved' } as const;
const DELIVERY_METRICS: Record<FlowOutcome['status'], string> = {
  processed: 'DeliveryProcessed',
  duplicate: 'DuplicateDelivery',
  rejected: 'EventRejected',
};

function countByRule(rules: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const rule of rules) counts.set(rule, (counts.get(rule) ?? 0) + 1);
  return counts;
}

/**
 * One metric per outcome and rule, with `rule` as its only dimension (so a
 * SEARCH on {EcsMedic,rule} finds every rule). Dimensions differ per rule, so
 * each is its own single metric; counts without a rule (dimension `service`)
 * go in the buffered set that the logMetrics middleware flushes.
 */
export function recordOutcome(metrics: Metrics, outcome: FlowOutcome): void {
  for (const key of ['opened', 'repeated', 'resolved'] as const) {
    for (const [rule, count] of countByRule(outcome[key])) {
      const metric = metrics.singleMetric();
      metric.clearDefaultDimensions();
      metric.addDimension('rule', rule);
      metric.addMetric(INCIDENT_METRICS[key], MetricUnit.Count, count);
    }
  }
  // Always one buffered metric, so every invocation flushes something (Powertools warns on an empty flush).
  metrics.addMetric(DELIVERY_METRICS[outcome.status], MetricUnit.Count, 1);
  if (outcome.rechecksScheduled > 0) metrics.addMetric('RecheckScheduled', MetricUnit.Count, outcome.rechecksScheduled);
}
