import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { IncidentDetail } from '../bot/incident-event';
import { describeResource } from '../render/text';
import { boundIncident } from './bounded';
import { consoleLinks } from './links';
import { clip, clipMrkdwn, codeBlock, escapeMrkdwn, plainText } from './safe-text';
import { resolvedByText, seenText, statusIcon, statusWord } from './text';

/** Block Kit limits (docs.slack.dev, "Blocks"): header text 150, section text 3000, 50 blocks a message. */
export const SLACK_LIMITS = { headerText: 150, sectionText: 3000, blocks: 50, fallbackText: 300 } as const;

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Shown in notifications and where blocks cannot be. */
  text: string;
  blocks: SlackBlock[];
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clipMrkdwn(text, SLACK_LIMITS.sectionText) } };
}

/** A titled list in one section: lines while they fit, then how many were left out. */
function listSection(title: string, lines: string[]): SlackBlock {
  const budget = SLACK_LIMITS.sectionText - 40; // room for the "… and N more" line
  let text = `*${title}*`;
  let shown = 0;
  for (const line of lines) {
    const room = budget - text.length - 1;
    // The first line is cut to fit; later ones are shown whole or not at all.
    if (shown > 0 && line.length > room) break;
    text += `\n${clipMrkdwn(line, room)}`;
    shown++;
  }
  if (shown < lines.length) text += `\n… and ${lines.length - shown} more not shown`;
  return section(text);
}

/** The fix in a code block, cut inside the block so the closing fence survives. */
function fixSection(fix: string): SlackBlock {
  let text = `*Fix*\n${codeBlock(fix)}`;
  // Escaping lengthens the text (& → &amp;): cut the raw command by the overflow until the block fits.
  for (let max = fix.length; text.length > SLACK_LIMITS.sectionText; ) {
    max -= text.length - SLACK_LIMITS.sectionText;
    text = `*Fix*\n${codeBlock(clip(fix, max))}`;
  }
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function slackMessage(detail: IncidentDetail, fallbackRegion?: string): SlackMessage {
  const incident = boundIncident(detail);
  const { finding } = incident;
  const resolved = detail.state === 'resolved';
  const status = statusWord(incident);
  const where = escapeMrkdwn(describeResource(finding.resource));
  const cause = finding.cause ? ` (${escapeMrkdwn(finding.cause)})` : '';
  // plain_text is not parsed for mentions or links: the title needs no escaping there.
  const header: SlackBlock = {
    type: 'header',
    text: { type: 'plain_text', text: clip(`${statusIcon(incident)} ${status}: ${finding.title}`, SLACK_LIMITS.headerText), emoji: true },
  };
  const links = consoleLinks(finding, fallbackRegion);
  const linkBlocks: SlackBlock[] =
    links.length > 0 ? [section(`*Console:* ${links.map((link) => `<${link.url}|${link.label}>`).join('  ·  ')}`)] : [];
  const seen = escapeMrkdwn(seenText(incident));
  const blocks: SlackBlock[] = resolved
    ? [
        header,
        section(`*Where:* ${where}\n*Rule:* \`${escapeMrkdwn(finding.rule)}\`${cause}\n*Seen:* ${seen}\n*Resolved by:* ${escapeMrkdwn(resolvedByText(incident))}`),
        ...linkBlocks,
      ]
    : [
        header,
        section(`*Where:* ${where}\n*Rule:* \`${escapeMrkdwn(finding.rule)}\`${cause}\n*Seen:* ${seen}`),
        section(`*Why*\n${escapeMrkdwn(finding.explanation)}`),
        ...(finding.evidence.length > 0
          ? [listSection('Evidence', finding.evidence.map((e) => `• *${escapeMrkdwn(e.source)}*: ${escapeMrkdwn(e.observed)}`))]
          : []),
        fixSection(finding.fix),
        ...(finding.unchecked.length > 0
          ? [listSection('Not checked', finding.unchecked.map((u) => `• ${escapeMrkdwn(u.check)}: ${escapeMrkdwn(u.reason)}`))]
          : []),
        ...linkBlocks,
        { type: 'context', elements: [{ type: 'mrkdwn', text: `ecs-medic incident ${escapeMrkdwn(incident.fingerprint)}` }] },
      ];
  return {
    text: clipMrkdwn(`${status}: ${escapeMrkdwn(finding.title)} — ${where}`, SLACK_LIMITS.fallbackText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

/**
 * The webhook URL from its secret: the bare URL, or JSON `{"webhookUrl": …}`.
 * Read once per cold start (a rotated secret is picked up by the next cold
 * start); a failed read is not cached, so the next invocation tries again.
 */
export function webhookUrlFromSecret(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  let cached: string | undefined;
  return async () => {
    if (cached) return cached;
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    cached = parseWebhookSecret(SecretString);
    return cached;
  };
}

export function parseWebhookSecret(secret: string | undefined): string {
  const value = secret?.trim() ?? '';
  let candidate: unknown = value;
  if (value.startsWith('{')) {
    try {
      candidate = (JSON.parse(value) as { webhookUrl?: unknown }).webhookUrl;
    } catch {
      throw new Error('the Slack secret looks like JSON but does not parse');
    }
  }
  // The URL is a credential: errors say what is wrong with it, never what it is.
  if (typeof candidate !== 'string' || !URL.canParse(candidate) || new URL(candidate).protocol !== 'https:') {
    throw new Error('the Slack secret holds no https webhook URL (expected the URL, or JSON {"webhookUrl": "https://hooks.slack.com/…"})');
  }
  return candidate;
}

export class SlackDeliveryError extends Error {
  override name = 'SlackDeliveryError';
}

export interface SlackPostOptions {
  timeoutMs: number;
  /** Longest wait honoured for a 429's Retry-After before the one retry. */
  maxRetryAfterMs: number;
}

export const SLACK_POST_DEFAULTS: SlackPostOptions = { timeoutMs: 5000, maxRetryAfterMs: 3000 };

/**
 * POSTs to an incoming webhook. Slack answers 200 "ok", or an error status
 * with a reason in the body (400 invalid_payload, 404 channel_not_found, …).
 * Only a 429 is retried, once: Slack did not post it, so a retry cannot
 * duplicate. A timeout or a 5xx is not retried, as Slack may have posted.
 */
export async function postToSlack(url: string, message: SlackMessage, options: SlackPostOptions = SLACK_POST_DEFAULTS): Promise<void> {
  const body = JSON.stringify(message);
  const post = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  let response = await post();
  if (response.status === 429) {
    const retryAfterMs = Number(response.headers.get('retry-after') ?? '1') * 1000;
    if (!(retryAfterMs <= options.maxRetryAfterMs)) {
      throw new SlackDeliveryError(`Slack rate-limited the webhook (429, Retry-After ${response.headers.get('retry-after')} s)`);
    }
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    response = await post();
  }
  if (!response.ok) {
    const reason = clip(plainText(await response.text().catch(() => '')), 200);
    throw new SlackDeliveryError(`Slack webhook answered ${response.status}${reason ? `: ${reason}` : ''}`);
  }
}
