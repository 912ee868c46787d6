import type { Finding } from '../findings';

/**
 * Findings with the same fingerprint are one incident: same account, region,
 * cluster, service (or task family), rule and event-level cause.
 */
export function fingerprint(finding: Finding): string {
  const { account, region, cluster, service, taskFamily } = finding.resource;
  const scope = service ? `service/${service}` : taskFamily ? `family/${taskFamily}` : '-';
  return [account ?? '-', region ?? '-', cluster ?? '-', scope, finding.rule, finding.cause ?? '-'].join('|');
}
