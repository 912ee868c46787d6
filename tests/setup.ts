import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, inject } from 'vitest';
import type { Signal } from '../shared/events/signals';
import type { Detection, Detector, InvestigationContext, Refinement } from '../shared/rules/rule';
import { catalogue } from '../shared/rules/catalogue';
import { cliAt, type PrintedFix, problemsOf } from './support/printed-commands';

// Every fix any rule prints in any test of this file, with what its signal and its reads named
// (tests/support/printed-commands.ts says what is checked, and why).
const printed: PrintedFix[] = [];
// One record per distinct fix, and at most RECORDS_PER_RULE per rule in a file: storms and the
// size-limit tests print thousands of fixes from huge events, and serializing each one's signal
// and reads would exhaust the heap.
const RECORDS_PER_RULE = 200;
const seen = new Set<string>();
const recordsOf = new Map<string, number>();

function record(rule: string, fix: string | undefined, signal: Signal, reads: unknown[]): void {
  if (fix === undefined) return;
  const key = `${rule}\u0000${fix}`;
  const count = recordsOf.get(rule) ?? 0;
  if (seen.has(key) || count >= RECORDS_PER_RULE) return;
  seen.add(key);
  recordsOf.set(rule, count + 1);
  const { kind: _kind, ...named } = signal;
  printed.push({ rule, fix, named: JSON.stringify(named), resource: signal.resource, read: JSON.stringify(reads) });
}

// A rule's `applies` must let through every signal its detector would claim: on every signal of every test of
// this file that `applies` turns away, the detector is asked too, and a claim it would have made fails the file.
const turnedAway: string[] = [];
const undeclared = new Set<string>();

/** A gated rule's detector as its detect.ts exports it, without the gate. */
async function detectorOf(rule: (typeof catalogue)[number]): Promise<Detector> {
  return ((await import(`../shared/rules/${rule.meta.id}/detect.ts`)) as { default: Detector }).default;
}

for (const rule of catalogue) {
  const { applies, detect, investigate } = rule;
  if (applies) {
    const detector = await detectorOf(rule);
    rule.applies = (signal: Signal) => {
      if (applies.call(rule, signal)) return true;
      if (detector(signal)) turnedAway.push(`${rule.meta.id} turned away a signal its detector claims: ${JSON.stringify(signal.text.slice(0, 300))}`);
      return false;
    };
  }
  rule.detect = (signal: Signal) => {
    const recorded = (detection: Detection | null) => {
      if (detection) record(rule.meta.id, detection.fix, signal, []);
      // meta.causes is what users configure by, and index.ts lists it apart from detect.ts: a cause it lacks fails the file.
      if (detection?.cause && !rule.meta.causes.includes(detection.cause)) undeclared.add(`${rule.meta.id}: ${detection.cause}`);
      return detection;
    };
    const detected: Detection | null | Promise<Detection | null> = detect.call(rule, signal);
    return detected instanceof Promise ? detected.then(recorded) : recorded(detected);
  };
  if (investigate) {
    rule.investigate = async (detection: Detection, signal: Signal, context: InvestigationContext) => {
      const reads: unknown[] = [];
      const recording: InvestigationContext = {
        ...context,
        async read(operation, input, purpose) {
          const output = await context.read(operation, input, purpose);
          if (output !== undefined) reads.push(output);
          return output;
        },
      };
      const refinement: Refinement | undefined = await investigate.call(rule, detection, signal, recording);
      record(rule.meta.id, refinement?.fix ?? detection.fix, signal, reads);
      return refinement;
    };
  }
}

afterAll(() => {
  if (undeclared.size > 0) throw new Error(`detections whose cause is not in their rule's meta.causes: ${[...undeclared].join(', ')}`);
  if (turnedAway.length > 0) throw new Error(`rules whose applies is narrower than their detector:\n${[...new Set(turnedAway)].map((t) => `  - ${t}`).join('\n')}`);
});

afterAll(async () => {
  if (printed.length === 0) return;
  const cli = inject('awsCli');
  if ('unavailable' in cli) {
    if (process.env.CI === 'true') throw new Error(`the printed aws commands cannot be checked: ${cli.unavailable}`);
    return;
  }
  const { problems } = await problemsOf(printed, cliAt(cli.url));
  if (problems.length > 0) throw new Error(`printed fixes that do not paste safely:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}, 120_000);
