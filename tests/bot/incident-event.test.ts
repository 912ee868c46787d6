import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedFinding, FINDING_MAX_BYTES, incidentDetail } from '../../shared/bot/incident-event';
import type { Finding } from '../../shared/findings';

const small: Finding = {
  rule: 'container-oom-killed',
  cause: 'container-limit',
  severity: 'critical',
  title: 'A container was killed for using more memory than its limit',
  explanation: 'why',
  fix: 'aws ecs register-task-definition …',
  resource: { cluster: 'example-cluster', service: 'webserver' },
  evidence: [{ source: 'detail.containers[0].reason', observed: 'OutOfMemoryError: Container killed due to memory usage' }],
  unchecked: [],
};
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('bounded findings', () => {
  it('a finding within the caps is published as it is', () => {
    expect(boundedFinding(small)).toEqual(small);
  });

  it('at the limits: every text at 100 KB of characters that escape to 6 bytes, 10,000 evidence items, still under the bound', () => {
    const huge = '\u0001'.repeat(100_000);
    const worst: Finding = {
      ...small,
      title: huge,
      explanation: huge,
      fix: huge,
      resource: { cluster: huge, service: huge, task: huge, container: huge, taskFamily: huge, account: huge, region: huge, containerInstance: huge },
      evidence: Array.from({ length: 10_000 }, () => ({ source: huge.slice(0, 1000), observed: huge })),
      unchecked: Array.from({ length: 10_000 }, () => ({ check: huge.slice(0, 1000), reason: huge.slice(0, 5000) })),
    };
    const bounded = boundedFinding(worst);
    expect(bytes(bounded)).toBeLessThanOrEqual(FINDING_MAX_BYTES);
    // Still a finding that says what was left out.
    expect(bounded.evidence.at(-1)?.observed).toMatch(/^\d+ more evidence items not kept/);
    const detail = incidentDetail({ state: 'opened', fingerprint: 'f', occurrences: 1, firstSeen: 't', lastSeen: 't', finding: worst, trigger: { id: 'x'.repeat(10_000), detailType: 'ECS Task State Change' } });
    expect(bytes(detail)).toBeLessThan(FINDING_MAX_BYTES + 2048);
  });

  it('for any finding, the bound holds and cuts never split a character', () => {
    const text = fc.string({ unit: 'binary', maxLength: 2500 });
    const finding = fc.record({
      rule: fc.string(),
      cause: fc.option(fc.string(), { nil: null }),
      severity: fc.constantFrom('critical', 'warning', 'info') as fc.Arbitrary<Finding['severity']>,
      title: text,
      explanation: text,
      fix: text,
      resource: fc.record({ cluster: text, service: text }, { requiredKeys: [] }),
      evidence: fc.array(fc.record({ source: text, observed: text }), { maxLength: 120 }),
      unchecked: fc.array(fc.record({ check: text, reason: text }), { maxLength: 60 }),
    });
    fc.assert(
      fc.property(finding, (f) => {
        const bounded = boundedFinding(f);
        expect(bytes(bounded)).toBeLessThanOrEqual(FINDING_MAX_BYTES);
        // A cut ends in "…", never in the first half of a surrogate pair.
        for (const e of bounded.evidence) expect(e.observed).not.toMatch(/[\uD800-\uDBFF]…$/);
      }),
      { numRuns: 15 },
    );
  });
});
