import { parseEvent } from './events/parse';
import { type Signal, type SignalKind, signalsOf, textSignal } from './events/signals';
import type { Evidence, Finding, Unchecked } from './findings';
import { severityOrder } from './findings';
import { type AccountReader, cachingReader, eventOnlyReader } from './reader/port';
import { maskFinding } from './redact';
import { catalogue } from './rules/catalogue';
import type { AnyRule, Classification, Detection, InvestigationContext, Specificity } from './rules/rule';

export interface Candidate {
  rule: AnyRule;
  detection: Detection;
  signal: Signal;
}

const specificityOrder: Record<Specificity, number> = { 'root-cause': 0, symptom: 1, fallback: 2, unrecognised: 3 };

function mergeEvidence(into: Evidence[], more: Evidence[]): void {
  for (const item of more) {
    if (!into.some((e) => e.source === item.source && e.observed === item.observed)) into.push(item);
  }
}

interface RuleIndex {
  /** Which rules judge each signal kind, in list order. */
  byKind: Map<SignalKind, AnyRule[]>;
  /** Each rule's place in the list: the last tie-break. */
  position: Map<AnyRule, number>;
}

const indexes = new WeakMap<readonly AnyRule[], RuleIndex>();

/** Computed once per rule list: detect runs for every event. */
function indexOf(rules: readonly AnyRule[]): RuleIndex {
  let index = indexes.get(rules);
  if (!index) {
    index = { byKind: new Map(), position: new Map() };
    for (const [position, rule] of rules.entries()) {
      index.position.set(rule, position);
      for (const kind of rule.meta.signals as SignalKind[]) index.byKind.set(kind, [...(index.byKind.get(kind) ?? []), rule]);
    }
    indexes.set(rules, index);
  }
  return index;
}

/** The candidate already found for the same rule and cause, if any. A loop: this runs for every detection. */
function sameCause(candidates: readonly Candidate[], rule: AnyRule, cause: string | null): Candidate | undefined {
  for (const candidate of candidates) if (candidate.rule === rule && candidate.detection.cause === cause) return candidate;
  return undefined;
}

/** Root causes and symptoms, then catch-alls, then the unrecognised next step: only the best class found is kept. */
const keptRank: Record<Specificity, number> = { 'root-cause': 0, symptom: 0, fallback: 1, unrecognised: 2 };

/**
 * Pure: every rule that applies judges every signal of its kinds (asynchronous only while a rule's
 * detector first loads). Returns one candidate per (rule, cause), most likely first; catch-alls are
 * dropped when anything more specific fits, and the unrecognised next step when anything fits.
 */
export async function detect(signals: readonly Signal[], rules: readonly AnyRule[] = catalogue): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  const index = indexOf(rules);
  let best = keptRank.unrecognised;
  for (const signal of signals) {
    const judges = index.byKind.get(signal.kind);
    if (!judges) continue;
    for (const rule of judges) {
      if (rule.applies && !rule.applies(signal)) continue;
      const detected: Detection | null | Promise<Detection | null> = rule.detect(signal);
      // Awaited only while a lazily loaded detector loads: every later event is judged without a turn of the event loop.
      const detection = detected instanceof Promise ? await detected : detected;
      if (!detection) continue;
      const same = sameCause(candidates, rule, detection.cause);
      if (same) {
        mergeEvidence(same.detection.evidence, detection.evidence);
        continue;
      }
      candidates.push({ rule, detection, signal });
      best = Math.min(best, keptRank[detection.specificity]);
    }
  }
  const kept = candidates.every((c) => keptRank[c.detection.specificity] === best)
    ? candidates
    : candidates.filter((c) => keptRank[c.detection.specificity] === best);
  if (kept.length < 2) return kept;
  const { position } = index;
  return kept.sort(
    (a, b) =>
      specificityOrder[a.detection.specificity] - specificityOrder[b.detection.specificity] ||
      severityOrder[a.detection.severity ?? a.rule.meta.severity] -
        severityOrder[b.detection.severity ?? b.rule.meta.severity] ||
      (position.get(a.rule) ?? 0) - (position.get(b.rule) ?? 0),
  );
}

function errorReason(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/** The top detection of `rules` for texts an investigation found, as `InvestigationContext.classify` returns it. */
async function classifyWith(rules: readonly AnyRule[], input: string | readonly Signal[]): Promise<Classification | undefined> {
  const [top] = await detect(typeof input === 'string' ? [textSignal(input)] : input, rules);
  // "Nothing recognised" is no verdict: the asking rule keeps its own account of the text.
  if (!top || top.detection.specificity === 'unrecognised') return undefined;
  const { rule, detection } = top;
  return {
    rule: rule.meta.id,
    title: rule.meta.title,
    cause: detection.cause,
    severity: detection.severity ?? rule.meta.severity,
    specificity: detection.specificity,
    explanation: detection.explanation,
    fix: detection.fix,
    evidence: detection.evidence,
  };
}

/**
 * Runs a candidate's investigation against the account and builds the finding. Never throws.
 * `rules` is what `context.classify` judges with, the investigating rule left out.
 */
export async function investigate(candidate: Candidate, reader: AccountReader, rules: readonly AnyRule[] = catalogue): Promise<Finding> {
  const { rule, signal } = candidate;
  const detection: Detection = { ...candidate.detection, evidence: [...candidate.detection.evidence] };
  const unchecked: Unchecked[] = [];
  let others: AnyRule[] | undefined;
  const context: InvestigationContext = {
    async read(operation, input, purpose) {
      // meta.needs is what the bot's IAM role is derived from: a read it does not declare is a bug.
      if (!rule.meta.needs.includes(operation)) {
        unchecked.push({ check: purpose, reason: `${operation} is not declared in ${rule.meta.id}'s meta.needs` });
        return undefined;
      }
      try {
        return await reader.read(operation, input);
      } catch (error) {
        unchecked.push({ check: purpose, reason: errorReason(error) });
        return undefined;
      }
    },
    unchecked(check, reason) {
      unchecked.push({ check, reason });
    },
    classify(input) {
      // Never itself: a rule must not be named the root cause of what it reports.
      others ??= rules.filter((r) => r !== rule);
      return classifyWith(others, input);
    },
  };
  if (rule.investigate) {
    try {
      const refinement = await rule.investigate(detection, signal, context);
      if (refinement) {
        const { evidence, resource, ...rest } = refinement;
        Object.assign(detection, rest);
        if (evidence) mergeEvidence(detection.evidence, evidence);
        if (resource) detection.resource = { ...detection.resource, ...resource };
      }
    } catch (error) {
      unchecked.push({ check: `${rule.meta.id} investigation`, reason: errorReason(error) });
    }
  }
  if (signal.kind === 'text' && signal.facts) mergeEvidence(detection.evidence, signal.facts);
  // AWS texts quote environments, presigned URLs and webhooks: no finding carries their secrets.
  return maskFinding({
    rule: rule.meta.id,
    cause: detection.cause,
    severity: detection.severity ?? rule.meta.severity,
    title: rule.meta.title,
    explanation: detection.explanation,
    fix: detection.fix,
    resource: { ...signal.resource, ...detection.resource },
    evidence: detection.evidence,
    unchecked,
  });
}

/** Detects, then investigates every candidate through one cached reader. */
export async function diagnoseSignals(
  signals: readonly Signal[],
  reader: AccountReader,
  rules: readonly AnyRule[] = catalogue,
): Promise<Finding[]> {
  const cached = cachingReader(reader);
  return Promise.all((await detect(signals, rules)).map((candidate) => investigate(candidate, cached, rules)));
}

/** Findings for a failure text a user copied (a stoppedReason, a service event message, an API error). */
export function explainText(text: string, rules: readonly AnyRule[] = catalogue): Promise<Finding[]> {
  return diagnoseSignals([textSignal(text)], eventOnlyReader, rules);
}

export type EventDiagnosis =
  | { status: 'diagnosed'; id: string; detailType: string; findings: Finding[] }
  | { status: 'unsupported'; id: string; detailType: string; findings: [] }
  | { status: 'invalid'; field: string; message: string };

/** The path every entry point shares (CLI, Lambda): validate, split into signals, detect, investigate. */
export async function diagnoseEvent(
  raw: unknown,
  reader: AccountReader = eventOnlyReader,
  rules: readonly AnyRule[] = catalogue,
): Promise<EventDiagnosis> {
  const parsed = parseEvent(raw);
  if (parsed.status === 'invalid') return { status: 'invalid', field: parsed.field, message: parsed.message };
  if (parsed.status === 'unsupported') {
    return { status: 'unsupported', id: parsed.id, detailType: parsed.detailType, findings: [] };
  }
  const { event } = parsed;
  const findings = await diagnoseSignals(signalsOf(event), reader, rules);
  return { status: 'diagnosed', id: event.id, detailType: event['detail-type'], findings };
}
