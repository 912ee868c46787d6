/**
 * How a Lambda handler is bundled, for the stack and the benches alike: outdir/index.mjs plus chunks/ for what
 * it imports dynamically. Code splitting keeps each account-reading SDK client out of index.mjs until a rule
 * first reads from that service: in one file esbuild does defer such a module's top-level code, but Node still
 * parses all of it at every cold start (bench/bundles.ts). NodejsFunction always builds one file (--outfile),
 * so the stack runs this after its build (commandHooks.afterBundling): `node --import tsx infra/lambda-bundle.ts ENTRY OUTDIR`.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

export const LAMBDA_BANNER = "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

const rulesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'shared', 'rules');

/**
 * Every rule's investigation in one lazy chunk. esbuild makes each `import()` target an entry point and splits
 * what entry points share into a chunk per combination of them, even code index.mjs already holds
 * (evanw/esbuild#2144): each rule's `import('./investigate')` sharing its rule and shared/facts modules with
 * `detect` put ~30 small chunks in every cold start, slower to load than the parse they saved. Each rule's
 * import stays its own (tiny) entry, and each also imports every investigation, so all investigations share one
 * set of entry points: one lazy chunk of investigations, one chunk of what they share with index.mjs.
 */
const oneInvestigationChunk: Plugin = {
  name: 'one-investigation-chunk',
  setup(plugin) {
    const investigations = readdirSync(rulesDirectory)
      .map((rule) => join(rulesDirectory, rule, 'investigate.ts'))
      .filter((file) => existsSync(file));
    plugin.onResolve({ filter: /^\.\/investigate$/ }, ({ kind, resolveDir }) =>
      kind === 'dynamic-import' && dirname(resolveDir) === rulesDirectory ? { path: join(resolveDir, 'investigate.ts'), namespace: 'investigation' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'investigation' }, ({ path }) => ({
      contents: [`export { default } from ${JSON.stringify(path)};`, ...investigations.map((file) => `import ${JSON.stringify(file)};`)].join('\n'),
      loader: 'js',
      resolveDir: dirname(path),
    }));
  },
};

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
    plugins: [oneInvestigationChunk],
  });
  return metafile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) throw new Error('usage: node --import tsx infra/lambda-bundle.ts ENTRY OUTDIR');
  await bundleLambda(entry, outdir);
}
