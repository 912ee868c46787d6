/**
 * What a cold start parses: the diagnose bundle as the stack builds it keeps every rule's investigation out of
 * index.mjs and the chunks it imports statically, in one chunk of its own (infra/one-investigation-chunk.ts),
 * and neither the live reader nor Node's web streams load there either (infra/lazy-web-streams.ts).
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
const investigations = ruleFolders
  .filter((folder) => readdirSync(join('shared/rules', folder.name)).includes('investigate.ts'))
  .map((folder) => `shared/rules/${folder.name}/investigate.ts`);

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

  it('finds the investigations', () => {
    expect(investigations.length).toBeGreaterThanOrEqual(15);
  });

  it('leaves every investigation out of what a cold start loads', () => {
    const eager = eagerOutputs(metafile).flatMap((output) => Object.keys(metafile.outputs[output]?.inputs ?? {}));
    expect(eager.filter((input) => input.endsWith('/investigate.ts'))).toEqual([]);
    // Rules' detect code is there: the investigations were split off, not the catalogue.
    expect(eager).toContain('shared/rules/health-check-grace-period/index.ts');
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

  it('puts every investigation in one chunk, so what they share with detect is one chunk more at cold start, not one per rule', () => {
    const holding = new Set(
      Object.entries(metafile.outputs)
        .filter(([, output]) => Object.keys(output.inputs).some((input) => investigations.includes(input)))
        .map(([path]) => path),
    );
    expect(holding.size).toBe(1);
    const [chunk] = [...holding];
    expect(Object.keys(metafile.outputs[chunk as string]?.inputs ?? {})).toEqual(expect.arrayContaining(investigations));
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
