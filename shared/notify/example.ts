import { replay } from '../../cli/commands/demo';
import { loadScenarios } from '../../cli/scenarios';
import { INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE, type IncidentDetail, type IncidentState } from '../bot/incident-event';
import { fingerprint } from '../incidents/fingerprint';
import { alertText } from './text';

/**
 * A real incident, not a hand-written one: a built-in scenario replayed
 * through the engine against its snapshot (what `ecs-medic demo` prints),
 * shaped as the incident event the diagnose Lambda publishes. For the README
 * and the notify tests; the Lambda does not import it.
 */
export async function exampleIncident(scenarioId = 'health-check-grace-period', state: IncidentState = 'opened'): Promise<IncidentDetail> {
  const scenario = loadScenarios().find((s) => s.id === scenarioId);
  if (!scenario) throw new Error(`no scenario ${scenarioId}`);
  const { incidents } = await replay(scenario);
  const first = incidents[0];
  if (!first) throw new Error(`scenario ${scenarioId} produced no finding`);
  const events = scenario.events as { id: string; time?: string; 'detail-type': string }[];
  const opening = events[0];
  const last = events[events.length - 1];
  if (!opening || !last) throw new Error(`scenario ${scenarioId} has no events`);
  const trigger = state === 'opened' ? opening : last;
  return {
    schemaVersion: 1,
    state,
    fingerprint: fingerprint(first.finding),
    occurrences: first.occurrences,
    firstSeen: opening.time ?? '',
    lastSeen: last.time ?? '',
    finding: first.finding,
    trigger: { id: trigger.id, detailType: trigger['detail-type'] },
  };
}

/** The opened alert as email and SNS subscribers read it (README "Example alert"). */
export async function exampleAlertText(scenarioId?: string): Promise<string> {
  return alertText(await exampleIncident(scenarioId));
}

/** An incident as EventBridge delivers it to the notify Lambda (the envelope of a PutEvents entry). */
export function incidentEvent(detail: IncidentDetail, id = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f') {
  return {
    version: '0',
    id,
    'detail-type': INCIDENT_DETAIL_TYPE,
    source: INCIDENT_SOURCE,
    account: detail.finding.resource.account ?? '111111111111',
    time: detail.lastSeen,
    region: detail.finding.resource.region ?? 'us-east-1',
    resources: [],
    detail,
  };
}
