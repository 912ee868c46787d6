import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of the catalogue: a rule folder imports no other rule folder
 * (knowledge several rules share lives in shared/facts/), shared/facts/ imports
 * no rule folder (or it would join two rules by the back door), neither
 * reaches the account except through the reader port (and a remedy through the writer port), and neither imports the
 * catalogue or the engine (another rule's verdict comes from context.classify),
 * and a rule's investigate.ts is only imported on first use.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rulesDir = 'shared/rules';
const factsDir = 'shared/facts';

interface Import {
  specifier: string;
  typeOnly: boolean;
  dynamic: boolean;
}

/** Every module specifier a TypeScript source names: static imports and re-exports (one or many lines), side-effect and dynamic imports. */
function importsOf(source: string): Import[] {
  const found: Import[] = [];
  for (const m of source.matchAll(/\b(?:import|export)\s+(type\s+)?[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/g)) {
    found.push({ specifier: m[2] as string, typeOnly: m[1] !== undefined, dynamic: false });
  }
  for (const m of source.matchAll(/(?:^|[;\s(])import\s*(\(\s*)?['"]([^'"]+)['"]/g)) {
    found.push({ specifier: m[2] as string, typeOnly: false, dynamic: m[1] !== undefined });
  }
  return found;
}

/** The rule folder a repository path lies in (`shared/rules/<id>/…`), or undefined for rule infrastructure and everything else. */
function ruleFolderOf(path: string): string | undefined {
  const parts = path.split(sep).join('/').split('/');
  return parts[0] === 'shared' && parts[1] === 'rules' && parts.length > 3 ? parts[2] : undefined;
}

/** What is wrong with one file's imports, as "file: specifier (why)". */
function violations(file: string, source: string): string[] {
  const ownRule = ruleFolderOf(file);
  const problems: string[] = [];
  for (const { specifier, typeOnly, dynamic } of importsOf(source)) {
    const why = (reason: string) => problems.push(`${file}: '${specifier}' (${reason})`);
    if (specifier.startsWith('@aws-sdk/')) {
      if (!typeOnly) why('an SDK value import: read the account through the reader port');
      continue;
    }
    if (!specifier.startsWith('.')) continue;
    const target = normalize(join(dirname(file), specifier)).split(sep).join('/');
    if (target.startsWith('shared/reader/') && target !== 'shared/reader/port') why('a reader other than the port');
    if (target.startsWith('shared/writer/') && target !== 'shared/writer/port') why('a writer other than the port: a remedy changes the account through the port it is given');
    if (target === 'shared/rules/catalogue' || target === 'shared/diagnose') why('the catalogue or the engine: ask context.classify what another rule makes of a text');
    if (ownRule && target === `${rulesDir}/${ownRule}/investigate` && !typeOnly && !dynamic) {
      why('a static import of the investigation: load it on first use (lazyInvestigate), or every cold start parses it');
    }
    const targetRule = ruleFolderOf(target);
    if (targetRule !== undefined && targetRule !== ownRule) {
      why(ownRule ? `rule ${ownRule} imports rule ${targetRule}: move what both know to ${factsDir}/` : `imports rule ${targetRule}`);
    }
  }
  return problems;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.ts') && statSync(join(root, dir, name)).isFile())
    .map((name) => join(dir, name));
}

describe('layout', () => {
  const files = [...sourcesUnder(rulesDir).filter((f) => ruleFolderOf(f) !== undefined), ...sourcesUnder(factsDir)];

  it('no rule folder imports another, shared/facts imports none, and none reads the account but through the reader port', () => {
    const problems = files.flatMap((file) => violations(file, readFileSync(join(root, file), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('scans every rule folder and sees their imports', () => {
    const folders = new Set(files.map(ruleFolderOf).filter((id) => id !== undefined));
    expect(folders.size).toBeGreaterThanOrEqual(20);
    const relativeImports = files.flatMap((file) => importsOf(readFileSync(join(root, file), 'utf8'))).filter((i) => i.specifier.startsWith('.'));
    expect(relativeImports.length).toBeGreaterThan(100);
  });

  it('flags each kind of forbidden import and lets the allowed ones through', () => {
    const file = 'shared/rules/capacity-pending/context.ts';
    const flagged = (source: string) => violations(file, source).length;
    expect(flagged("import { readService } from '../awsvpc-ip-exhaustion/index';")).toBe(1);
    expect(flagged("import {\n  millis,\n  secondsBetween,\n} from '../health-check-grace-period/start-up';")).toBe(1);
    expect(flagged("export { taskOf } from '../image-pull-failure/network';")).toBe(1);
    expect(flagged("const rule = await import('../spot-interruption/index');")).toBe(1);
    expect(flagged("import { LiveReader } from '../../reader/live';")).toBe(1);
    expect(flagged("import { liveWriter } from '../../writer/live';")).toBe(1);
    expect(flagged("import { ECSClient } from '@aws-sdk/client-ecs';")).toBe(1);
    expect(flagged("import { catalogue } from '../catalogue';")).toBe(1);
    expect(flagged("import investigate from './investigate';")).toBe(1);
    expect(flagged("import { detect } from '../../diagnose';")).toBe(1);
    expect(violations('shared/facts/service.ts', "import { defineRule } from '../rules/task-retirement/index';")).toHaveLength(1);

    expect(flagged("import { placed } from './placed';")).toBe(0);
    expect(flagged("investigate: lazyInvestigate(() => import('./investigate')),")).toBe(0);
    expect(flagged("import { readService } from '../../facts/service-placement';")).toBe(0);
    expect(flagged("import type { InvestigationContext } from '../rule';")).toBe(0);
    expect(flagged("import type { ReaderOperation } from '../../reader/port';")).toBe(0);
    expect(flagged("import type { AccountWriter } from '../../writer/port';")).toBe(0);
    expect(flagged("import type { Service } from '@aws-sdk/client-ecs';")).toBe(0);
  });
});
