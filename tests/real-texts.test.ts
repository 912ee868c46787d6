/**
 * Generalization, measured on real failure texts no rule test cites
 * (tests/fixtures/real-texts): the floor is below today's score so a
 * regression fails, and no rule may claim a text it does not own.
 * `npm run score:real-texts` prints the figures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHeldOut, realTexts, scoreCorpus, sourceKey } from './fixtures/real-texts/score';

describe('real-text corpus', () => {
  it('has at least 60 verbatim texts from at least 15 sources, each with its source URL', () => {
    expect(realTexts.length).toBeGreaterThanOrEqual(60);
    expect(new Set(realTexts.map((c) => sourceKey(c.source))).size).toBeGreaterThanOrEqual(15);
    for (const c of realTexts) expect(c.source).toMatch(/^https:\/\//);
  });

  it('stays uncited: no rule test, scenario or rule quotes a report the corpus draws on', () => {
    const root = new URL('..', import.meta.url).pathname;
    const files = ['tests', 'cli/scenarios', 'shared'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && !join(entry.parentPath, entry.name).includes('real-texts'))
        .map((entry) => join(entry.parentPath, entry.name)),
    );
    const citing = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return realTexts.filter((c) => text.includes(c.source)).map((c) => `${file}: ${c.source}`);
    });
    expect(citing).toEqual([]);
  });

  it('holds out about a third of its sources, fixed by hash', () => {
    const sources = [...new Set(realTexts.map((c) => c.source))];
    const heldOut = sources.filter(isHeldOut).length;
    expect(heldOut / sources.length).toBeGreaterThan(0.2);
    expect(heldOut / sources.length).toBeLessThan(0.45);
  });

  it('ranks the right finding first on at least 90% of the whole corpus and 70% of the held-out sources, misclaiming none', async () => {
    const { results, heldOut, whole } = await scoreCorpus();
    const misclaims = results.filter((r) => r.misclaimed).map((r) => `${r.case.source}: ${r.top?.join('/')}`);
    expect(misclaims).toEqual([]);
    expect(whole.correct / whole.total).toBeGreaterThanOrEqual(0.9);
    expect(heldOut.correct / heldOut.total).toBeGreaterThanOrEqual(0.7);
  });
});
