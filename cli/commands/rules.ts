import { parseArgs } from 'node:util';
import { catalogue } from '../../shared/rules/catalogue';
import type { AnyRule } from '../../shared/rules/rule';
import type { Command } from '../usage';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's rule table, generated from the catalogue (a test keeps the README equal to it). */
export function ruleTable(rules: readonly AnyRule[] = catalogue): string {
  const rows = rules.map(({ meta }) =>
    [
      `\`${meta.id}\``,
      meta.seed === null ? '—' : String(meta.seed),
      meta.severity,
      cell(meta.causes.length > 0 ? meta.causes.map((c: string) => `\`${c}\``).join(', ') : '—'),
      cell(meta.triggers),
      cell(meta.checks.length > 0 ? meta.checks.join('; ') : '—'),
      meta.autoFix ? `opt-in: \`${meta.autoFix}\` (see "What it changes")` : 'no',
    ].join(' | '),
  );
  return [
    '| id | seed | severity | causes | triggered by | checks in the account | auto-fix |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

export const rules: Command = {
  name: 'rules',
  summary: 'List the rules: id, seed footgun, triggers, checks, auto-fix',
  help: `Usage: ecs-medic rules [--json] [--markdown]

Options:
  --json       the rules' metadata as JSON
  --markdown   the README's rule table
  -h, --help   show this help`,

  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, markdown: { type: 'boolean' } } });
    if (values.json) io.out(JSON.stringify(catalogue.map((r) => r.meta), null, 2));
    else if (values.markdown) io.out(ruleTable());
    else for (const { meta } of catalogue) io.out(`${meta.id.padEnd(32)} ${meta.severity.padEnd(8)} ${meta.title}`);
    return 0;
  },
};
