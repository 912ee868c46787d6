import type {
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  RichTextBlock,
  RichTextBlockElement,
  RichTextElement,
  RichTextList,
  RichTextSection,
  RichTextText,
} from '@slack/types';
import type { IncidentDetail } from '../bot/incident-event';
import { maskSecrets } from '../redact';
import { describeResource } from '../render/text';
import { boundIncident } from './bounded';
import { consoleLinks } from './links';
import { clip, clipMrkdwn, defangUrls, inertMrkdwn, oneLine, plainText } from './safe-text';
import { resolvedByText, seenText, statusIcon, statusWord } from './text';

/**
 * Block Kit limits (docs.slack.dev, "Blocks"): header text 150, section text
 * 3000, 50 blocks a message. Each rich_text block is kept to the section's
 * 3000 characters too.
 */
export const SLACK_LIMITS = { headerText: 150, sectionText: 3000, blocks: 50, fallbackText: 300 } as const;

/**
 * A Slack message whose every AWS string is a rich_text `text` element:
 * Slack renders those as they are, with no mrkdwn, no mention, no link (links
 * and mentions are elements of their own, and only ecs-medic's console links
 * are). The fix is a `rich_text_preformatted` element, so what is copied from
 * it is the command itself, backticks and `&` included.
 */
export interface SlackMessage {
  /** Shown in notifications and where blocks cannot be: mrkdwn, so made inert. */
  text: string;
  blocks: KnownBlock[];
  /** A URL in the message is never previewed: a preview could show what an attacker put behind it. */
  unfurl_links: false;
  unfurl_media: false;
}

type Style = RichTextText['style'];

function text(value: string, style?: Style): RichTextText {
  // Slack rejects an empty text element.
  const element: RichTextText = { type: 'text', text: value === '' ? ' ' : value };
  if (style) element.style = style;
  return element;
}

const bold = (value: string) => text(value, { bold: true });

function section(...elements: RichTextElement[]): RichTextSection {
  return { type: 'rich_text_section', elements };
}

function richText(...elements: RichTextBlockElement[]): RichTextBlock {
  return { type: 'rich_text', elements };
}

/** Labelled lines (Where, Rule, Seen, …) in one section; values are text elements, whatever they hold. */
function fieldsBlock(fields: [label: string, value: RichTextText[]][]): RichTextBlock {
  const elements: RichTextElement[] = [];
  for (const [i, [label, value]] of fields.entries()) elements.push(bold(`${i > 0 ? '\n' : ''}${label}: `), ...value);
  return richText(section(...elements));
}

/** The budget a titled block leaves its body, with room for the "… and N more" line. */
const bodyBudget = (title: string) => SLACK_LIMITS.sectionText - title.length - 40;

interface ListItem {
  label: string;
  value: string;
}

/** A titled bullet list: items while they fit (the first cut to fit), then how many were left out. */
function listBlock(title: string, items: ListItem[], boldLabels: boolean): RichTextBlock {
  let room = bodyBudget(title);
  const shown: RichTextSection[] = [];
  for (const { label, value } of items) {
    const head = `${oneLine(label)}: `;
    const line = oneLine(value);
    if (shown.length > 0 && head.length + line.length > room) break;
    const fitted = clip(line, Math.max(room - head.length, 1));
    shown.push(section(boldLabels ? bold(head) : text(head), text(fitted)));
    room -= head.length + fitted.length;
  }
  const list: RichTextList = { type: 'rich_text_list', style: 'bullet', elements: shown };
  const more = items.length - shown.length;
  return richText(section(bold(title)), list, ...(more > 0 ? [section(text(`… and ${more} more not shown`))] : []));
}

/** The fix as preformatted text: kept as it is, cut only if it could not fit the block. */
function fixBlock(fix: string): RichTextBlock {
  return richText(section(bold('Fix')), { type: 'rich_text_preformatted', elements: [text(clip(fix, bodyBudget('Fix')))] });
}

export function slackMessage(detail: IncidentDetail, fallbackRegion?: string): SlackMessage {
  const incident = boundIncident(detail);
  const { finding } = incident;
  const resolved = detail.state === 'resolved';
  const status = statusWord(incident);
  const where = oneLine(describeResource(finding.resource));
  // plain_text is not parsed for mentions or formatting; whether a client links a URL in it is not documented, so none is left.
  const header: HeaderBlock = {
    type: 'header',
    text: { type: 'plain_text', text: clip(`${statusIcon(incident)} ${status}: ${defangUrls(oneLine(finding.title))}`, SLACK_LIMITS.headerText), emoji: true },
  };
  const rule = [text(finding.rule, { code: true }), ...(finding.cause ? [text(` (${finding.cause})`)] : [])];
  const summary: [string, RichTextText[]][] = [
    ['Where', [text(where)]],
    ['Rule', rule],
    ['Seen', [text(seenText(incident))]],
  ];
  const links = consoleLinks(finding, fallbackRegion);
  const linkBlocks: KnownBlock[] =
    links.length > 0
      ? [
          richText(
            section(
              bold('Console: '),
              ...links.flatMap((link, i): RichTextElement[] => [...(i > 0 ? [text('  ·  ')] : []), { type: 'link', url: link.url, text: link.label }]),
            ),
          ),
        ]
      : [];
  const blocks: KnownBlock[] = resolved
    ? [header, fieldsBlock([...summary, ['Resolved by', [text(resolvedByText(incident))]]]), ...linkBlocks]
    : [
        header,
        fieldsBlock(summary),
        richText(section(bold('Why\n'), text(finding.explanation))),
        ...(finding.evidence.length > 0
          ? [listBlock('Evidence', finding.evidence.map((e) => ({ label: e.source, value: e.observed })), true)]
          : []),
        fixBlock(finding.fix),
        ...(finding.unchecked.length > 0
          ? [listBlock('Not checked', finding.unchecked.map((u) => ({ label: u.check, value: u.reason })), false)]
          : []),
        ...linkBlocks,
        {
          type: 'context',
          elements: [{ type: 'plain_text', text: clip(`ecs-medic incident ${defangUrls(oneLine(incident.fingerprint))}`, SLACK_LIMITS.sectionText), emoji: false }],
        } satisfies ContextBlock,
      ];
  return {
    text: clipMrkdwn(`${status}: ${inertMrkdwn(oneLine(finding.title))} — ${inertMrkdwn(where)}`, SLACK_LIMITS.fallbackText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
    unfurl_links: false,
    unfurl_media: false,
  };
}

/**
 * The webhook URL from its secret: the bare URL, or JSON `{"webhookUrl": …}`.
 * Read once per cold start (a rotated secret is picked up by the next cold
 * start); a failed read is not cached, so the next invocation tries again.
 */
export function webhookUrlFromSecret(secretId: string): () => Promise<string> {
  let cached: string | undefined;
  return async () => {
    if (cached) return cached;
    // Imported on the first Slack post: a cold start that sends nothing to Slack never loads the client.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
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
