import type { Finding, ResourceRef } from '../findings';

/**
 * Findings with the same fingerprint are one incident: same account, region,
 * cluster, service (or task family), rule and event-level cause.
 */
export function fingerprintOf(resource: ResourceRef, rule: string, cause: string | null): string {
  const { account, region, cluster, service, taskFamily } = resource;
  const scope = service ? `service/${service}` : taskFamily ? `family/${taskFamily}` : '-';
  return [account ?? '-', region ?? '-', cluster ?? '-', scope, rule, cause ?? '-'].join('|');
}

export function fingerprint(finding: Finding): string {
  return fingerprintOf(finding.resource, finding.rule, finding.cause);
}

/**
 * The service an incident belongs to, as one key (account|region|cluster|service):
 * what a steady state or a completed deployment resolves, and what a re-check
 * is claimed for. Undefined when the resource names no service.
 */
export function serviceKeyOf(resource: ResourceRef): string | undefined {
  const { account, region, cluster, service } = resource;
  if (!service) return undefined;
  return [account ?? '-', region ?? '-', cluster ?? '-', service].join('|');
}
