import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkTable } from '../cli/commands/lint';
import { ruleTable } from '../cli/commands/rules';
import { catalogue } from '../shared/rules/catalogue';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has the rule table the catalogue generates (ecs-medic rules --markdown)', () => {
    const table = /<!-- rules:start -->\n([\s\S]*?)\n<!-- rules:end -->/.exec(readme)?.[1];
    expect(table).toBe(ruleTable());
  });

  it('has the static-check table the checks generate', () => {
    const table = /<!-- checks:start -->\n([\s\S]*?)\n<!-- checks:end -->/.exec(readme)?.[1];
    expect(table).toBe(checkTable());
  });

  it('documents every rule id once in the table', () => {
    for (const rule of catalogue) expect(readme).toContain(`| \`${rule.meta.id}\` |`);
  });

  it('names the two commands', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
  });
});
