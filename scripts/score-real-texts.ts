/**
 * `npm run score:real-texts`: how often the top finding is right on real
 * failure texts nobody wrote a rule test for (tests/fixtures/real-texts).
 * `--verbose` lists every case.
 */
import { type Score, scoreCorpus, sourceKey } from '../tests/fixtures/real-texts/score';

const percent = (s: Score) => `${((100 * s.correct) / s.total).toFixed(1)}%`;
const line = (name: string, s: Score) =>
  `${name.padEnd(10)} ${percent(s).padStart(6)}  (${s.correct}/${s.total} cases, ${s.sources} sources, ${s.misclaimed} misclaimed)`;

const { results, heldOut, tuned, whole } = await scoreCorpus();
if (process.argv.includes('--verbose')) {
  for (const r of results) {
    const expected = r.case.expect === 'generic' ? 'generic' : r.case.expect.join('/');
    const got = r.top ? r.top.join('/') : '—';
    console.log(`${r.correct ? 'ok  ' : 'MISS'} ${r.misclaimed ? 'MISCLAIM ' : ''}${sourceKey(r.case.source).padEnd(48)} want ${expected.padEnd(48)} got ${got}`);
  }
}
console.log(line('held-out', heldOut));
console.log(line('tuned-on', tuned));
console.log(line('whole', whole));
