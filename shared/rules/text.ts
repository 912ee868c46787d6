/** Helpers rules share for reading AWS failure texts. */

import type { Evidence } from '../findings';

/**
 * Patterns tried in order, precompiled into one pattern that matches wherever any of them does: most texts
 * match none of a rule's patterns, and one pass rejects them several times faster than trying each in turn
 * (every rule whose gate lets a text through judges it; bench/classify.ts). Build them once, at module level.
 */
export interface Patterns {
  readonly list: readonly RegExp[];
  /** Undefined for a single pattern, or when the list cannot be combined exactly (mixed flags, global or sticky state, backreferences). */
  readonly any: RegExp | undefined;
}

export function anyOf(list: readonly RegExp[]): Patterns {
  const flags = list[0]?.flags ?? '';
  const combinable = list.length > 1 && !/[gy]/.test(flags) && list.every((p) => p.flags === flags && !/\\(?:[1-9]|k<)/.test(p.source));
  if (!combinable) return { list, any: undefined };
  try {
    return { list, any: new RegExp(list.map((p) => `(?:${p.source})`).join('|'), flags) };
  } catch {
    // A runtime that refuses two capture groups of one name in one pattern: tried one by one.
    return { list, any: undefined };
  }
}

/** Whether any of the patterns matches. */
export function matchesAny(text: string, patterns: Patterns): boolean {
  if (patterns.any) return patterns.any.test(text);
  for (const pattern of patterns.list) if (pattern.test(text)) return true;
  return false;
}

/** The first pattern that matches, or null. Patterns carry their own flags (always `i`: AWS varies case). */
export function firstMatch(text: string, patterns: Patterns): RegExpExecArray | null {
  if (patterns.any && !patterns.any.test(text)) return null;
  for (const pattern of patterns.list) {
    const match = pattern.exec(text);
    if (match) return match;
  }
  return null;
}

const MAX_QUOTE = 600;

/** Evidence quoting a text, cut to a readable length. */
export function quoted(source: string, text: string): Evidence {
  const observed = text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text;
  return { source, observed };
}

/** ARNs of one service named in a text: `arnsIn(text, 'secretsmanager')`. */
export function arnsIn(text: string, service: string): string[] {
  const pattern = new RegExp(`arn:aws[a-z-]*:${service}:[^\\s"',)]+`, 'gi');
  return [...new Set(text.match(pattern) ?? [])].map((arn) => arn.replace(/[.:]+$/, ''));
}

/** The principal of an IAM denial: "User: <arn> is not authorized to perform: <action>". */
export function deniedPrincipal(text: string): { principal?: string; action?: string } {
  const match = /User:\s*(arn:[^\s]+)\s+is not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(text);
  if (!match) return {};
  return { principal: match[1] as string, action: match[2] as string };
}

/** A shell-safe argument for fix commands; placeholders stay readable. */
export function shellArg(value: string | undefined, placeholder: string): string {
  if (!value) return `<${placeholder}>`;
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The first AWS Region a text names (in an ARN, an endpoint host or on its own), e.g. "eu-west-1". */
export function regionNamedIn(text: string): string | undefined {
  return /\b((?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov)?-[a-z]+-\d)\b/.exec(text)?.[1];
}
