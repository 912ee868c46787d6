import { describe, expect, it } from 'vitest';
import { replay } from '../cli/commands/demo';
import { loadScenarios } from '../cli/scenarios';
import { parseEvent } from '../shared/events/parse';
import { snapshotProblem } from '../shared/reader/snapshot';
import { catalogue } from '../shared/rules/catalogue';

const scenarios = loadScenarios();

describe('built-in demo scenarios', () => {
  it('cover every seed footgun', () => {
    const seeds = catalogue.filter((r) => r.meta.seed !== null).map((r) => r.meta.id);
    const demonstrated = new Set(scenarios.flatMap((s) => s.expect.map((e) => e.rule)));
    expect(seeds.filter((id) => !demonstrated.has(id))).toEqual([]);
  });

  for (const scenario of scenarios) {
    describe(scenario.id, () => {
      it('is made of valid events, a valid snapshot and named sources', () => {
        expect(scenario.sources.length).toBeGreaterThan(0);
        expect(snapshotProblem(scenario.snapshot)).toBeNull();
        for (const event of scenario.events) expect(parseEvent(event).status).not.toBe('invalid');
      });

      it('alerts with the expected findings first, fully checked', async () => {
        const { incidents } = await replay(scenario);
        const firsts = incidents.slice(0, scenario.expect.length).map((i) => ({ rule: i.finding.rule, cause: i.finding.cause }));
        expect(firsts).toEqual(scenario.expect);
        // The snapshot holds every answer the findings need: nothing is left unchecked for lack of data.
        for (const incident of incidents) {
          const missing = incident.finding.unchecked.filter(
            (u) => u.reason.startsWith('NotInSnapshot') || u.reason.includes('not declared'),
          );
          expect(missing).toEqual([]);
        }
      });
    });
  }
});
