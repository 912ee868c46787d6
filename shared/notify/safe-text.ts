/**
 * Making AWS-originated strings safe for each channel. A stoppedReason, a log
 * line or a resource name is attacker-influenced text: whoever can name a
 * container or make an app crash with a chosen message can put `<!channel>` in
 * it. Every string a finding carries goes through these before it is sent.
 */

/** C0/C1 control characters (not \t or \n) and bidi overrides, which can hide or reorder what a reader sees. */
export const unsafeCharacters = /(?![\t\n])[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/** Half a surrogate pair has no UTF-8 encoding: SNS would reject the message. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Plain text (email, SNS default): printable text and line breaks only. */
export function plainText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(unsafeCharacters, '').replace(loneSurrogate, '\uFFFD');
}

/**
 * Slack mrkdwn: `&`, `<` and `>` are the only control characters Slack parses
 * (mentions, links, `<!channel>`); as entities they display literally and do nothing.
 */
export function escapeMrkdwn(text: string): string {
  return plainText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Lookalikes for the characters mrkdwn formats with (bold, italic, strike, code): shown, never parsed. */
const formattingLookalikes: Record<string, string> = { '*': '\u2217', _: '\u02CD', '~': '\u223C', '`': '\u02CB' };

/** `https://` as `https[:]//`: a URL still reads as one, but no client finds a link in it. */
export function defangUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]{0,30}):\/\//gi, '$1[:]//');
}

/**
 * An AWS string inside mrkdwn that cannot be rendered as anything but text:
 * escaped (no mention, no `<url|label>`), its formatting characters as
 * lookalikes (a stoppedReason holding `*Fix*` stays plain; `_` inside a word,
 * as in DB_PASSWORD, never italicises and stays), a `>` opening a
 * line (a quote) as `›`, and its URLs defanged (Slack links bare URLs). For
 * display only: never for a command.
 */
export function inertMrkdwn(text: string): string {
  return defangUrls(escapeMrkdwn(text))
    .replace(/[*~`]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => formattingLookalikes[c] as string)
    .replace(/^(\s*)&gt;/gm, '$1\u203A');
}

/** One line: a line break in an AWS string cannot start a line that looks like the alert's own. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' \u23CE ');
}

/**
 * A command in a mrkdwn code block, exactly as it is to be pasted: only
 * `&<>` are escaped (Slack shows them decoded, and copying gives them back);
 * backticks (a JMESPath literal) stay. A run of three would close the block
 * early and nothing else can stand for it, so such a command gets no block: null.
 */
export function codeBlock(command: string): string | null {
  const text = plainText(command);
  return text.includes('```') ? null : `\`\`\`\n${escapeMrkdwn(text)}\n\`\`\``;
}

const ELLIPSIS = '…';

/** At most `max` UTF-16 units, never splitting a surrogate pair; cut text ends with "…". */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/** `clip` for escaped mrkdwn: never leaves half an entity (`&am…`) behind. */
export function clipMrkdwn(text: string, max: number): string {
  const clipped = clip(text, max);
  return clipped === text ? text : clipped.replace(/&[a-z]{0,3}…$/, ELLIPSIS);
}

/**
 * An SNS `Subject`: "ASCII text that begins with a letter, number, or
 * punctuation mark; must not include line breaks or control characters; and
 * must be less than 100 characters long" (SNS Publish API reference). Accents
 * are folded (é → e), other non-ASCII characters dropped.
 */
export function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7E]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim()
    .replace(/^[^A-Za-z0-9\p{P}]+/u, '');
  const max = 99;
  if (ascii.length <= max) return ascii;
  const cut = ascii.slice(0, max - 3);
  const wordEnd = cut.lastIndexOf(' ');
  return `${(wordEnd > max - 25 ? cut.slice(0, wordEnd) : cut).trimEnd()}...`;
}
