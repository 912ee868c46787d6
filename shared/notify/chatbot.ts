import { createHash } from 'node:crypto';
import type { IncidentDetail } from '../bot/incident-event';
import { describeResource } from '../render/text';
import { boundIncident } from './bounded';
import { consoleLinks } from './links';
import { codeBlock, escapeMrkdwn } from './safe-text';
import { resolvedByText, seenText, statusIcon, statusWord } from './text';

/**
 * An AWS Chatbot (Amazon Q Developer in chat applications) custom
 * notification, the JSON it renders from an SNS message ("Custom
 * notifications", Event schema): `version` "1.0" and `source` "custom" are
 * required, `textType` "client-markdown" is the only one supported. Chatbot
 * posts it to Slack, so AWS strings are escaped as Slack mrkdwn.
 */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType: 'client-markdown';
    title?: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata?: {
    threadId?: string;
    summary?: string;
    eventType?: string;
    relatedResources?: string[];
    additionalContext?: Record<string, string>;
  };
}

/** One thread per incident: opened and resolved land together. Hashed, as the fingerprint holds `|` and resource names. */
export function threadId(fingerprint: string): string {
  return `ecs-medic-${createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`;
}

export function chatbotNotification(detail: IncidentDetail, eventId: string, fallbackRegion?: string): ChatbotNotification {
  const incident = boundIncident(detail);
  const { finding } = incident;
  const where = escapeMrkdwn(describeResource(finding.resource));
  const resolved = detail.state === 'resolved';
  const status = statusWord(incident);
  const title = escapeMrkdwn(finding.title);
  const description = resolved
    ? [`*Where:* ${where}`, `*Seen:* ${escapeMrkdwn(seenText(incident))}`, `*Resolved by:* ${escapeMrkdwn(resolvedByText(incident))}`]
    : [
        `*Where:* ${where}`,
        `*Why:* ${escapeMrkdwn(finding.explanation)}`,
        ...(finding.evidence.length > 0
          ? ['*Evidence:*', ...finding.evidence.map((e) => `• ${escapeMrkdwn(e.source)}: ${escapeMrkdwn(e.observed)}`)]
          : []),
        '*Fix:*',
        codeBlock(finding.fix),
        ...(finding.unchecked.length > 0
          ? ['*Not checked:*', ...finding.unchecked.map((u) => `• ${escapeMrkdwn(u.check)}: ${escapeMrkdwn(u.reason)}`)]
          : []),
        `*Seen:* ${escapeMrkdwn(seenText(incident))}`,
      ];
  const context: Record<string, string> = {
    rule: finding.rule,
    severity: finding.severity,
    state: detail.state,
    occurrences: String(detail.occurrences),
    fingerprint: incident.fingerprint,
  };
  if (finding.cause) context.cause = finding.cause;
  return {
    version: '1.0',
    source: 'custom',
    id: eventId,
    content: {
      textType: 'client-markdown',
      title: `${statusIcon(incident)} ${status}: ${title}`,
      description: description.join('\n'),
      nextSteps: consoleLinks(finding, fallbackRegion).map((link) => `${link.label}: ${link.url}`),
      keywords: [finding.severity, finding.rule, ...(finding.cause ? [finding.cause] : [])].map(escapeMrkdwn),
    },
    metadata: {
      threadId: threadId(detail.fingerprint),
      summary: `${status}: ${title} (${where})`,
      eventType: `ecs-medic-incident-${detail.state}`,
      additionalContext: Object.fromEntries(Object.entries(context).map(([key, value]) => [key, escapeMrkdwn(value)])),
    },
  };
}
