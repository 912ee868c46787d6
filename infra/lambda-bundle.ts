/**
 * How a Lambda handler is bundled, for the stack and the benches alike: outdir/index.mjs plus chunks/ for what
 * it imports dynamically. Code splitting keeps each account-reading SDK client out of index.mjs until a rule
 * first reads from that service, and each rule's detect.ts and investigate.ts until an event it may claim arrives:
 * in one file esbuild does defer such a module's top-level code, but Node still parses all of it at every cold
 * start (bench/bundles.ts). NodejsFunction always builds one file (--outfile),
 * so the stack runs this after its build (commandHooks.afterBundling): `node --import tsx infra/lambda-bundle.ts ENTRY OUTDIR`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { lazyWebStreams } from './lazy-web-streams';

export const LAMBDA_BANNER = "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

export async function bundleLambda(entry: string, outdir: string, options: { sourcemap?: boolean; nodePaths?: string[] } = {}): Promise<Metafile> {
  rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    // The SDK's ES modules tree-shake and import faster than its CommonJS build (toolchain.md §5).
    mainFields: ['module', 'main'],
    banner: { js: LAMBDA_BANNER },
    // Mappings only: stack traces resolve without shipping every source file.
    sourcemap: options.sourcemap ?? true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'error',
    nodePaths: options.nodePaths ?? [],
    plugins: [lazyWebStreams],
  });
  return metafile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) throw new Error('usage: node --import tsx infra/lambda-bundle.ts ENTRY OUTDIR');
  await bundleLambda(entry, outdir);
}
