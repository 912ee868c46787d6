import { describe, expect, it } from 'vitest';
import { diagnoseSignals } from '../shared/diagnose';
import { textSignal } from '../shared/events/signals';
import { eventOnlyReader } from '../shared/reader/port';
import { type Classification, defineRule } from '../shared/rules/rule';

/** Two rules, equally sure, that both claim "boom: the disk is full"; the first (first in tie-breaks) asks the context what the text is. */
function rules(seen: (Classification | undefined)[]) {
  const meta = { title: 't', seed: null, severity: 'critical', signals: ['text'], triggers: '', checks: [], needs: [], causes: [], autoFix: null } as const;
  const asking = defineRule({
    meta: { ...meta, id: 'asking' },
    detect: (signal) => (signal.text.includes('boom') ? { cause: null, specificity: 'root-cause', explanation: 'asking', fix: 'asking fix', evidence: [] } : null),
    async investigate(_detection, _signal, context) {
      seen.push(await context.classify('boom: the disk is full'), await context.classify('nothing anyone knows'));
      return undefined;
    },
  });
  const knowing = defineRule({
    meta: { ...meta, id: 'knowing', causes: ['disk'] },
    detect: (signal) =>
      signal.text.includes('disk is full')
        ? { cause: 'disk', specificity: 'root-cause', explanation: 'the disk is full', fix: 'df -h', evidence: [{ source: signal.source, observed: signal.text }] }
        : null,
  });
  return [asking, knowing];
}

describe('InvestigationContext.classify', () => {
  it("returns the other rules' top detection, never the asking rule itself, and undefined for an unknown text", async () => {
    const seen: (Classification | undefined)[] = [];
    await diagnoseSignals([textSignal('boom')], eventOnlyReader, rules(seen));
    expect(seen).toEqual([
      {
        rule: 'knowing',
        title: 't',
        cause: 'disk',
        severity: 'critical',
        specificity: 'root-cause',
        explanation: 'the disk is full',
        fix: 'df -h',
        evidence: [{ source: 'input', observed: 'boom: the disk is full' }],
      },
      undefined,
    ]);
  });
});
