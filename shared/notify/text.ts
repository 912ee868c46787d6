import type { IncidentDetail } from '../bot/incident-event';
import type { Finding } from '../findings';
import { describeResource, renderFinding } from '../render/text';
import { boundIncident } from './bounded';
import { consoleLinks } from './links';
import { clip, defangUrls, oneLine, snsSubject } from './safe-text';

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

/**
 * A finding's AWS strings with their URLs defanged: mail clients link a bare
 * URL, and a stoppedReason's must not become a link in the alert. The fix
 * stays exactly as it is to be pasted; the console links are ecs-medic's own.
 */
function withoutLinks(finding: Finding): Finding {
  const resource = Object.fromEntries(Object.entries(finding.resource).map(([key, value]) => [key, defangUrls(value as string)]));
  return {
    ...finding,
    title: defangUrls(finding.title),
    explanation: defangUrls(finding.explanation),
    resource,
    evidence: finding.evidence.map((e) => ({ source: defangUrls(e.source), observed: defangUrls(e.observed) })),
    unchecked: finding.unchecked.map((u) => ({ check: defangUrls(u.check), reason: defangUrls(u.reason) })),
  };
}

export function alertText(detail: IncidentDetail, fallbackRegion?: string): string {
  const incident = boundIncident(detail);
  const finding = withoutLinks(incident.finding);
  if (incident.state === 'resolved') {
    const cause = finding.cause ? ` (${finding.cause})` : '';
    return [
      `${statusWord(incident)}  ${oneLine(finding.title)}`,
      `${label('rule')}${oneLine(`${finding.rule}${cause}`)}`,
      `${label('where')}${oneLine(describeResource(finding.resource))}`,
      `${label('seen')}${oneLine(seenText(incident))}`,
      `${label('resolved')}by ${oneLine(defangUrls(resolvedByText(incident)))}`,
      ...linkLines(incident.finding, fallbackRegion),
    ].join('\n');
  }
  return [
    renderFinding(finding),
    `${label('seen')}${oneLine(seenText(incident))}`,
    ...linkLines(incident.finding, fallbackRegion),
    `${label('incident')}${oneLine(defangUrls(incident.fingerprint))}`,
  ].join('\n');
}

/** The email subject: state or severity, the service (or family, or cluster), then the title, which is what a long subject loses. */
export function alertSubject(detail: IncidentDetail): string {
  const { finding } = detail;
  const scope = finding.resource.service ?? finding.resource.taskFamily ?? finding.resource.cluster;
  return snsSubject(`[ecs-medic] ${statusWord(detail)}${scope ? ` ${clip(scope, 40)}` : ''}: ${finding.title}`);
}
