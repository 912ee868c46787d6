/**
 * What a cold start parses: the diagnose bundle as the stack builds it keeps every rule's detector and
 * investigation out of index.mjs and the chunks it imports statically (only the rules' index.ts, their metadata
 * and gates, are there), and neither the live reader nor Node's web streams load there either
 * (infra/lazy-web-streams.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLambda } from '../../infra/lambda-bundle';

const outdir = mkdtempSync(join(tmpdir(), 'ecs-medic-lambda-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ruleFolders = readdirSync('shared/rules', { withFileTypes: true }).filter((entry) => entry.isDirectory());
const filesOfRules = (file: string) =>
  ruleFolders.filter((folder) => readdirSync(join('shared/rules', folder.name)).includes(file)).map((folder) => `shared/rules/${folder.name}/${file}`);
const investigations = filesOfRules('investigate.ts');
const detectors = filesOfRules('detect.ts');

/** The outputs a cold start loads: index.mjs and what it imports statically, transitively. */
function eagerOutputs(metafile: Metafile): string[] {
  const entry = Object.keys(metafile.outputs).find((output) => output.endsWith('/index.mjs'));
  const seen = new Set<string>();
  const pending = entry ? [entry] : [];
  for (let output = pending.pop(); output !== undefined; output = pending.pop()) {
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of metafile.outputs[output]?.imports ?? []) if (imported.kind === 'import-statement') pending.push(imported.path);
  }
  return [...seen];
}

describe('diagnose bundle', () => {
  let metafile: Metafile;
  beforeAll(async () => {
    metafile = await bundleLambda('functions/diagnose/handler.ts', outdir, { sourcemap: false });
  });

  it('finds the detectors and the investigations', () => {
    expect(detectors.length).toBeGreaterThanOrEqual(20);
    expect(investigations.length).toBeGreaterThanOrEqual(15);
  });

  it('leaves every detector and investigation out of what a cold start loads, and keeps every rule\'s gate in it', () => {
    const eager = eagerOutputs(metafile).flatMap((output) => Object.keys(metafile.outputs[output]?.inputs ?? {}));
    expect(eager.filter((input) => input.endsWith('/detect.ts') || input.endsWith('/investigate.ts'))).toEqual([]);
    for (const folder of ruleFolders) expect(eager).toContain(`shared/rules/${folder.name}/index.ts`);
  });

  it("loads a rule's detector without any other rule's detector or investigation", () => {
    const { outputs } = metafile;
    // What loading one output brings in: it and what it imports statically, transitively.
    const closure = (output: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(output)) return seen;
      seen.add(output);
      for (const imported of outputs[output]?.imports ?? []) if (imported.kind === 'import-statement') closure(imported.path, seen);
      return seen;
    };
    for (const detector of detectors) {
      const entry = Object.keys(outputs).find((output) => outputs[output]?.entryPoint === detector);
      expect(entry, detector).toBeDefined();
      const loaded = [...closure(entry as string)].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {}));
      expect(loaded.filter((input) => (input.endsWith('/detect.ts') || input.endsWith('/investigate.ts')) && input !== detector), detector).toEqual([]);
    }
  });

  it('leaves the live reader out of what a cold start loads: it is imported on the first read', () => {
    const eager = eagerOutputs(metafile).flatMap((output) => Object.keys(metafile.outputs[output]?.inputs ?? {}));
    expect(eager).not.toContain('shared/reader/live.ts');
    expect(eager).toContain('shared/reader/lazy-live.ts');
  });

  it("imports no web streams at cold start (middy's import of them is a stand-in)", () => {
    const builtins = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
    expect(builtins).toContain('node:stream');
    expect(builtins).not.toContain('node:stream/web');
  });
});

describe("middy's web streams stand-in", () => {
  it('answers instanceof as ReadableStream does, without importing node:stream/web', async () => {
    // A module where middy's are: the stand-in is for @middy/core's import alone.
    const root = join(outdir, 'stand-in');
    const middyFolder = join(root, 'node_modules', '@middy', 'core');
    mkdirSync(middyFolder, { recursive: true });
    writeFileSync(join(middyFolder, 'index.js'), "import { ReadableStream } from 'node:stream/web';\nexport const isStream = (value) => value instanceof ReadableStream;\n");
    writeFileSync(join(root, 'entry.mjs'), "export { isStream } from '@middy/core';\n");
    const built = await bundleLambda(join(root, 'entry.mjs'), join(root, 'out'), { sourcemap: false, nodePaths: [join(root, 'node_modules')] });

    expect(Object.values(built.outputs).flatMap((output) => output.imports.map((i) => i.path))).not.toContain('node:stream/web');
    const { isStream } = (await import(pathToFileURL(join(root, 'out', 'index.mjs')).href)) as { isStream: (value: unknown) => boolean };
    const { ReadableStream } = await import('node:stream/web');
    expect(isStream(new ReadableStream())).toBe(true);
    expect(isStream({ getReader: () => undefined })).toBe(false);
  });
});
