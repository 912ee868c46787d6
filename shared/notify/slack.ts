import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { IncidentDetail } from '../bot/incident-event';
import { maskSecrets } from '../redact';
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

/** An incoming webhook's path: /services/<team>/<channel hook>/<secret>. */
const webhookPath = /^\/services\/T[A-Z0-9]{4,20}\/B[A-Z0-9]{4,20}\/[A-Za-z0-9]{16,64}$/;

/**
 * What is wrong with a webhook URL, or null. Strict, as the URL is where the
 * alert (and the account's failures) go: https to hooks.slack.com on the
 * default port, no credentials, no query or fragment, the incoming-webhook
 * path. The answer never contains the URL or any part of it.
 */
export function webhookUrlProblem(candidate: string): string | null {
  if (!URL.canParse(candidate)) return 'is not a URL';
  const url = new URL(candidate);
  if (url.protocol !== 'https:') return 'is not https';
  if (url.username || url.password) return 'carries credentials before its host';
  if (url.hostname !== 'hooks.slack.com') return 'is not on hooks.slack.com';
  if (url.port !== '') return 'names a port other than 443';
  if (url.search || url.hash || candidate.includes('?') || candidate.includes('#')) return 'has a query or fragment';
  if (!webhookPath.test(url.pathname)) return 'does not have an incoming-webhook path (/services/T…/B…/…)';
  return null;
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
  const expected = '(expected the URL, or JSON {"webhookUrl": "https://hooks.slack.com/services/…"})';
  // The URL is a credential: errors say what is wrong with it, never what it is.
  if (typeof candidate !== 'string' || candidate === '') throw new Error(`the Slack secret holds no webhook URL ${expected}`);
  const problem = webhookUrlProblem(candidate);
  if (problem) throw new Error(`the Slack secret's webhook URL ${problem} ${expected}`);
  return new URL(candidate).href;
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
  const problem = webhookUrlProblem(url);
  if (problem) throw new SlackDeliveryError(`not posted: the Slack webhook URL ${problem}`);
  const body = JSON.stringify(message);
  const post = async () => {
    try {
      return await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      // fetch's errors quote the URL ("Failed to parse URL from …") and their causes the address: say what failed, not where.
      throw new SlackDeliveryError(`the Slack webhook request failed: ${requestFailure(error, options.timeoutMs)}`);
    }
  };
  let response = await post();
  if (response.status === 429) {
    const retryAfterMs = Number(response.headers.get('retry-after') ?? '1') * 1000;
    if (!(retryAfterMs <= options.maxRetryAfterMs)) {
      throw new SlackDeliveryError(`Slack rate-limited the webhook (429, Retry-After ${clip(plainText(response.headers.get('retry-after') ?? ''), 20)} s)`);
    }
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    response = await post();
  }
  if (!response.ok) {
    const reason = clip(maskSecrets(plainText(await response.text().catch(() => ''))), 200);
    throw new SlackDeliveryError(`Slack webhook answered ${response.status}${reason ? `: ${reason}` : ''}`);
  }
}

/** A failed request in words that name no URL: a timeout, or the error's name and system code (ECONNREFUSED, ENOTFOUND). */
function requestFailure(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : typeof error;
  if (name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (name === 'AbortError') return 'aborted';
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? `${name} (${code})` : name;
}
