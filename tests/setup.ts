import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, inject } from 'vitest';
import type { Signal } from '../shared/events/signals';
import type { Detection, InvestigationContext, Refinement } from '../shared/rules/rule';
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

for (const rule of catalogue) {
  const { detect, investigate } = rule;
  rule.detect = (signal: Signal) => {
    const detection: Detection | null = detect.call(rule, signal);
    if (detection) record(rule.meta.id, detection.fix, signal, []);
    return detection;
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
