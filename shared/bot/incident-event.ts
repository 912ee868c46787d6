import type { Finding } from '../findings';

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
  /** ISO-8601. */
  firstSeen: string;
  lastSeen: string;
  /** The finding that opened the incident (for `resolved`, the one it was opened with). */
  finding: Finding;
  /** The ECS event that opened, or resolved, the incident. */
  trigger: { id: string; detailType: string; eventName?: string };
}
