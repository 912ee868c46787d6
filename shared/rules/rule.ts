import type { Signal, SignalKind, SignalOf } from '../events/signals';
import type { Evidence, ResourceRef, Severity } from '../findings';
import type { ReaderInput, ReaderOperation, ReaderOutput } from '../reader/port';

/**
 * How sure a detection is that it names the root cause.
 * - `root-cause`: the text or fields name the cause (an AccessDenied on a secret).
 * - `symptom`: a seed rule claiming its generic symptom ("Task failed ELB health checks"); its explanation names the other causes.
 * - `fallback`: a catch-all (an essential container exited); dropped when anything more specific fits the same event.
 * - `unrecognised`: nothing is recognised, only the next step is known; dropped when any other detection fits.
 */
export type Specificity = 'root-cause' | 'symptom' | 'fallback' | 'unrecognised';

export interface RuleMeta<K extends SignalKind = SignalKind> {
  /** Stable, public: users configure and suppress by it. */
  id: string;
  title: string;
  /** The footgun number in the mission document, or null for rules added beyond it. */
  seed: number | null;
  severity: Severity;
  /** The signal kinds this rule judges. */
  signals: readonly K[];
  /** In plain words, what triggers it (README rule table). */
  triggers: string;
  /** In plain words, what it verifies in the account beyond the event (README rule table). */
  checks: readonly string[];
  /** Every reader operation `investigate` may call. */
  needs: readonly ReaderOperation[];
  /** The causes it can name (ids are public, like the rule id). */
  causes: readonly string[];
  /** Whether the bot may repair it itself, where the team opted in. */
  autoFix: 'grace-period' | 'log-group' | null;
}

export interface Detection {
  cause: string | null;
  specificity: Specificity;
  /** Overrides the rule's default severity for this case. */
  severity?: Severity;
  explanation: string;
  fix: string;
  evidence: Evidence[];
  /** What the text names that the event does not (a container, a service). */
  resource?: ResourceRef;
}

/** What `investigate` may change once it has read the account. */
export type Refinement = Partial<Pick<Detection, 'cause' | 'severity' | 'explanation' | 'fix' | 'resource'>> & {
  evidence?: Evidence[];
};

/** The catalogue's top detection for a failure text found in the account, as another rule's investigation sees it. */
export interface Classification {
  rule: string;
  title: string;
  cause: string | null;
  severity: Severity;
  specificity: Specificity;
  explanation: string;
  fix: string;
  /** The signal the detection came from (its text and where it was read). */
  evidence: Evidence[];
}

export interface InvestigationContext {
  /**
   * Reads the account. On failure (AccessDenied, throttling, offline) it
   * records `purpose` as unchecked with the reason and returns undefined.
   */
  read<K extends ReaderOperation>(operation: K, input: ReaderInput<K>, purpose: string): Promise<ReaderOutput<K> | undefined>;
  /** Records a check that could not be made, and why. */
  unchecked(check: string, reason: string): void;
  /**
   * Runs failure texts read from the account (a stopped task's stoppedReason
   * and container reasons) through the other rules' pure `detect`, judged
   * together as one event's signals are, and returns the top detection:
   * undefined when no other rule recognises them. Reads nothing.
   */
  classify(input: string | readonly Signal[]): Promise<Classification | undefined>;
}

/** Verifies a detection against the account through the reader port. */
export type Investigation<K extends SignalKind = SignalKind, D extends Detection = Detection> = (
  detection: D,
  signal: SignalOf<K>,
  context: InvestigationContext,
) => Promise<Refinement | undefined>;

/** A rule's pure classification of one signal: a cause, or null when the rule does not apply. */
export type Detector<K extends SignalKind = SignalKind, D extends Detection = Detection> = (signal: SignalOf<K>) => D | null;

export interface Rule<K extends SignalKind = SignalKind, D extends Detection = Detection> {
  meta: RuleMeta<K>;
  /**
   * Optional, cheap and pure: false when `detect` surely returns null (the texts it reads name none of the rule's
   * families). Every event asks every rule; only a rule that applies runs `detect`, so a lazily loaded one
   * (`lazyDetect`) costs a cold start nothing until an event it may claim arrives.
   */
  applies?(signal: SignalOf<K>): boolean;
  /**
   * Pure: classifies one signal into a cause, or null when the rule does not apply. A rule's detect.ts loaded by
   * `lazyDetect` answers with a promise while it loads, the first time it is asked.
   */
  detect(signal: SignalOf<K>): D | null | Promise<D | null>;
  /**
   * Optional: verifies the detection against the account (a rule's investigate.ts, loaded by `lazyInvestigate`).
   * A method rather than an `Investigation` property: method parameters are bivariant, so every rule fits `AnyRule`.
   */
  investigate?(detection: D, signal: SignalOf<K>, context: InvestigationContext): Promise<Refinement | undefined>;
}

/** Identity, for inference: `signal` in `detect` is narrowed to the kinds in `meta.signals`. */
export function defineRule<K extends SignalKind, D extends Detection>(rule: Rule<K, D>): Rule<K, D> {
  return rule;
}

/**
 * A detector loaded on first use: the rule's detect.ts (its patterns, explanations and fixes) stays out of what a
 * cold start parses until `applies` lets through a signal it may claim; each rule's detect.ts is a chunk of its own.
 */
export function lazyDetect<K extends SignalKind, D extends Detection>(
  load: () => Promise<{ default: Detector<K, D> }>,
): (signal: SignalOf<K>) => D | null | Promise<D | null> {
  let detector: Detector<K, D> | undefined;
  return (signal) => {
    if (detector) return detector(signal);
    return load().then((module) => {
      detector = module.default;
      return detector(signal);
    });
  };
}

/**
 * An investigation loaded on first use: only a newly opened incident investigates, so a rule's investigate.ts
 * (and what only it imports) loads after its detect.ts, and only for a rule that claimed an event.
 */
export function lazyInvestigate<K extends SignalKind, D extends Detection>(
  load: () => Promise<{ default: Investigation<K, D> }>,
): Investigation<K, D> {
  return async (detection, signal, context) => (await load()).default(detection, signal, context);
}

// biome-ignore lint/suspicious/noExplicitAny: the catalogue holds rules of every signal kind and detection type
export type AnyRule = Rule<any, any>;
