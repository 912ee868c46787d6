import { createHash } from 'node:crypto';
import type { IncidentDetail } from '../bot/incident-event';
import { describeResource } from '../render/text';
import { boundIncident } from './bounded';
import { consoleLinks } from './links';
import { codeBlock, inertMrkdwn, oneLine } from './safe-text';
import { resolvedByText, seenText, statusIcon, statusWord } from './text';

/**
 * An AWS Chatbot (Amazon Q Developer in chat applications) custom
 * notification, the JSON it renders from an SNS message ("Custom
 * notifications", Event schema): `version` "1.0" and `source` "custom" are
 * required, `textType` "client-markdown" is the only one supported. Chatbot
 * renders it in the chat platform's markdown (Slack mrkdwn in Slack), and has
 * nothing like Slack's rich_text: every AWS string is made inert text
 * (`inertMrkdwn`), and the fix is a code block kept exactly as it is pasted.
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

/** The notification `id`: the event id when it is the UUID EventBridge gives, else a hash of it (an id is never text to render). */
export function notificationId(eventId: string): string {
  return /^[A-Za-z0-9-]{1,64}$/.test(eventId) ? eventId : `ecs-medic-${createHash('sha256').update(eventId).digest('hex').slice(0, 32)}`;
}

/** The fix in a code block, or, when no code block can hold it exactly, where to find it. */
function fixLines(fix: string): string[] {
  const block = codeBlock(fix);
  return block ? ['*Fix:*', block] : ['*Fix:* not shown here: it holds ``` , which chat cannot show as it is; the email alert has it.'];
}

export function chatbotNotification(detail: IncidentDetail, eventId: string, fallbackRegion?: string): ChatbotNotification {
  const incident = boundIncident(detail);
  const { finding } = incident;
  const inertLine = (text: string) => inertMrkdwn(oneLine(text));
  const where = inertLine(describeResource(finding.resource));
  const resolved = detail.state === 'resolved';
  const status = statusWord(incident);
  const title = inertLine(finding.title);
  const description = resolved
    ? [`*Where:* ${where}`, `*Seen:* ${inertLine(seenText(incident))}`, `*Resolved by:* ${inertLine(resolvedByText(incident))}`]
    : [
        `*Where:* ${where}`,
        `*Why:* ${inertMrkdwn(finding.explanation)}`,
        ...(finding.evidence.length > 0
          ? ['*Evidence:*', ...finding.evidence.map((e) => `• ${inertLine(e.source)}: ${inertLine(e.observed)}`)]
          : []),
        ...fixLines(finding.fix),
        ...(finding.unchecked.length > 0
          ? ['*Not checked:*', ...finding.unchecked.map((u) => `• ${inertLine(u.check)}: ${inertLine(u.reason)}`)]
          : []),
        `*Seen:* ${inertLine(seenText(incident))}`,
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
    id: notificationId(eventId),
    content: {
      textType: 'client-markdown',
      title: `${statusIcon(incident)} ${status}: ${title}`,
      description: description.join('\n'),
      nextSteps: consoleLinks(finding, fallbackRegion).map((link) => `${link.label}: ${link.url}`),
      keywords: [finding.severity, finding.rule, ...(finding.cause ? [finding.cause] : [])].map(inertLine),
    },
    metadata: {
      threadId: threadId(detail.fingerprint),
      summary: `${status}: ${title} (${where})`,
      eventType: `ecs-medic-incident-${detail.state}`,
      additionalContext: Object.fromEntries(Object.entries(context).map(([key, value]) => [key, inertLine(value)])),
    },
  };
}
