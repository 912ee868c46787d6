import type { Evidence, Finding, ResourceRef, Unchecked } from './findings';

/**
 * Masking secret-looking values in AWS texts before they become evidence, an
 * alert or a log line. An error message quotes what the failing process saw:
 * a container environment (`DB_PASSWORD=…`), a presigned URL
 * (`X-Amz-Signature=…`), a database URL with its password, a Slack webhook.
 * None of that may leave the account in an alert. Names stay, values go: the
 * reader still sees which variable or URL was involved.
 */

export const MASK = '[masked]';

/** Names whose value is a secret: `AWS_SECRET_ACCESS_KEY`, `db.password`, `X-Amz-Security-Token`, `api_key`, … */
const secretName = /secret|passw(?:or)?d|pwd|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|signature|auth/i;

interface Masker {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const maskers: Masker[] = [
  // Incoming webhooks are credentials in their path: keep the host, mask the rest.
  {
    pattern: /\b(hooks\.slack(?:-gov)?\.com\/(?:services|triggers|workflows))\/[^\s"'<>`]+/gi,
    replace: (_m, host) => `${host}/${MASK}`,
  },
  // Userinfo in a URL: `postgres://app:pw@db` keeps the user; a lone `https://token@host` is all secret.
  {
    pattern: /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s/?#@:"'<>`]{0,200})(:[^\s/?#@"'<>`]{1,500})?@/gi,
    replace: (_m, scheme, user, password) => (password ? `${scheme}${user}:${MASK}@` : `${scheme}${MASK}@`),
  },
  // NAME=value and NAME = "value" (environments, query strings, CLI flags) when NAME says secret.
  {
    pattern: /([A-Za-z0-9_.-]{1,100})(\s?=\s?)(["']?)([^\s"'&,;)\]}<>`]+)/g,
    replace: (match, name, equals, quote) => (secretName.test(name) ? `${name}${equals}${quote}${MASK}` : match),
  },
  // "name": "value" in JSON or a dict.
  {
    pattern: /(["'])([A-Za-z0-9_.-]{1,100})\1(\s?:\s?)(["'])[^"']*\4/g,
    replace: (match, quote, name, colon, valueQuote) =>
      secretName.test(name) ? `${quote}${name}${quote}${colon}${valueQuote}${MASK}${valueQuote}` : match,
  },
  { pattern: /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/g, replace: (_m, scheme) => `${scheme} ${MASK}` },
  { pattern: /\b(Basic)\s+[A-Za-z0-9+/]{16,}={0,2}/g, replace: (_m, scheme) => `${scheme} ${MASK}` },
  // Tokens recognisable by shape alone: Slack, GitHub, JWTs, PEM private keys.
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}|\bxapp-[A-Za-z0-9-]{10,}/g, replace: () => MASK },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{20,}/g, replace: () => MASK },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, replace: () => MASK },
  {
    pattern: /-----BEGIN ([A-Z ]{0,20})PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]{0,20}PRIVATE KEY-----|$)/g,
    replace: (_m, kind) => `-----BEGIN ${kind}PRIVATE KEY----- ${MASK}`,
  },
];

export function maskSecrets(text: string): string {
  let masked = text;
  for (const { pattern, replace } of maskers) masked = masked.replace(pattern, replace as (match: string, ...args: unknown[]) => string);
  return masked;
}

/** Every string of a finding, masked: what it quotes came from AWS, and its fix may quote that too. */
export function maskFinding(finding: Finding): Finding {
  const resource: ResourceRef = {};
  for (const [key, value] of Object.entries(finding.resource) as [keyof ResourceRef, string | undefined][]) {
    if (value !== undefined) resource[key] = maskSecrets(value);
  }
  return {
    ...finding,
    title: maskSecrets(finding.title),
    explanation: maskSecrets(finding.explanation),
    fix: maskSecrets(finding.fix),
    resource,
    evidence: finding.evidence.map((e): Evidence => ({ source: e.source, observed: maskSecrets(e.observed) })),
    unchecked: finding.unchecked.map((u): Unchecked => ({ check: maskSecrets(u.check), reason: maskSecrets(u.reason) })),
  };
}
