/**
 * Rule tests as data, in the spirit of ESLint's RuleTester: `invalid` cases
 * must be claimed by the rule with the given cause; `valid` cases (near-misses)
 * must not be claimed by it. Every case names the public source of its text.
 */
import { describe, expect, it } from 'vitest';
import { detect, investigate } from '../shared/diagnose';
import { parseEvent } from '../shared/events/parse';
import { type Signal, signalsOf, textSignal } from '../shared/events/signals';
import { eventOnlyReader } from '../shared/reader/port';
import type { AnyRule } from '../shared/rules/rule';

interface CaseInput {
  /** A short name for the test title; defaults to the start of the text. */
  name?: string;
  /** A failure text as a user would paste it into `ecs-medic explain`… */
  text?: string;
  /** …or a whole EventBridge event. */
  event?: unknown;
  /** Where the text was quoted from (a URL or a document section). */
  source: string;
}

export interface InvalidCase extends CaseInput {
  cause: string | null;
  /** Substrings the fix must contain (values from the text filled in). */
  fixIncludes?: string[];
  /** Substrings the explanation must contain. */
  explanationIncludes?: string[];
}

export type ValidCase = CaseInput;

function signalsFor(input: CaseInput): Signal[] {
  if (input.text !== undefined) return [textSignal(input.text)];
  const parsed = parseEvent(input.event);
  if (parsed.status !== 'valid') throw new Error(`fixture event is not valid: ${JSON.stringify(parsed)}`);
  return signalsOf(parsed.event);
}

function title(input: CaseInput): string {
  const label = input.name ?? input.text ?? 'event';
  return label.length > 90 ? `${label.slice(0, 90)}…` : label;
}

export function ruleTester(rule: AnyRule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describe(rule.meta.id, () => {
    it('has at least one invalid and one valid (near-miss) case, each with a source', () => {
      expect(cases.invalid.length).toBeGreaterThan(0);
      expect(cases.valid.length).toBeGreaterThan(0);
      for (const c of [...cases.valid, ...cases.invalid]) expect(c.source.trim()).not.toBe('');
    });

    for (const c of cases.invalid) {
      it(`claims: ${title(c)}`, async () => {
        const [first] = await detect(signalsFor(c), [rule]);
        expect(first, 'the rule should claim this signal').toBeDefined();
        expect(first?.detection.cause).toBe(c.cause);
        for (const part of c.fixIncludes ?? []) expect(first?.detection.fix).toContain(part);
        for (const part of c.explanationIncludes ?? []) expect(first?.detection.explanation).toContain(part);
        expect(first?.detection.evidence.length).toBeGreaterThan(0);
        // Offline, as `ecs-medic explain` runs it: its fix is among those tests/setup.ts checks with the real AWS CLI.
        if (first) expect((await investigate(first, eventOnlyReader)).rule).toBe(rule.meta.id);
      });
    }

    for (const c of cases.valid) {
      it(`ignores: ${title(c)}`, async () => {
        expect(await detect(signalsFor(c), [rule])).toEqual([]);
      });
    }
  });
}
