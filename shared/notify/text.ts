import type { IncidentDetail } from '../bot/incident-event';
import type { Finding } from '../findings';
import { describeResource, renderFinding } from '../render/text';
import { boundIncident } from './bounded';
import { consoleLinks } from './links';
import { clip, snsSubject } from './safe-text';

/**
 * The readable alert: SNS `default` (SMS, SQS, Lambda subscribers) and `email`.
 * The opened alert is the CLI's rendering of the finding (what broke, where,
 * why, evidence, fix, what was not checked) plus the incident and console
 * links; the resolved one is a short notice.
 */

/** What heads every message: RESOLVED, or the severity. */
export function statusWord(detail: IncidentDetail): string {
  return detail.state === 'resolved' ? 'RESOLVED' : detail.finding.severity.toUpperCase();
}

const statusEmoji = { resolved: ':white_check_mark:', critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' } as const;

/** The same, as a Slack emoji shortcode (Slack and AWS Chatbot render it). */
export function statusIcon(detail: IncidentDetail): string {
  return statusEmoji[detail.state === 'resolved' ? 'resolved' : detail.finding.severity];
}

const label = (name: string) => `  ${`${name}:`.padEnd(11)}`;
const continuation = ' '.repeat(13);

/** For a bounded incident (`boundIncident`), like the two below. */
export function seenText(incident: IncidentDetail): string {
  return incident.occurrences === 1
    ? `once, at ${incident.firstSeen}`
    : `${incident.occurrences} times, ${incident.firstSeen} to ${incident.lastSeen}`;
}

export function resolvedByText(incident: IncidentDetail): string {
  const { detailType, eventName } = incident.trigger;
  return `${eventName ? `${detailType} ${eventName}` : detailType} at ${incident.lastSeen}`;
}

function linkLines(finding: Finding, fallbackRegion: string | undefined): string[] {
  return consoleLinks(finding, fallbackRegion).map(
    (link, i) => `${i === 0 ? label('console') : continuation}${link.label}: ${link.url}`,
  );
}

export function alertText(detail: IncidentDetail, fallbackRegion?: string): string {
  const incident = boundIncident(detail);
  const { finding } = incident;
  if (incident.state === 'resolved') {
    const cause = finding.cause ? ` (${finding.cause})` : '';
    return [
      `${statusWord(incident)}  ${finding.title}`,
      `${label('rule')}${finding.rule}${cause}`,
      `${label('where')}${describeResource(finding.resource)}`,
      `${label('seen')}${seenText(incident)}`,
      `${label('resolved')}by ${resolvedByText(incident)}`,
      ...linkLines(finding, fallbackRegion),
    ].join('\n');
  }
  return [
    renderFinding(finding),
    `${label('seen')}${seenText(incident)}`,
    ...linkLines(finding, fallbackRegion),
    `${label('incident')}${incident.fingerprint}`,
  ].join('\n');
}

/** The email subject: state or severity, the service (or family, or cluster), then the title, which is what a long subject loses. */
export function alertSubject(detail: IncidentDetail): string {
  const { finding } = detail;
  const scope = finding.resource.service ?? finding.resource.taskFamily ?? finding.resource.cluster;
  return snsSubject(`[ecs-medic] ${statusWord(detail)}${scope ? ` ${clip(scope, 40)}` : ''}: ${finding.title}`);
}
