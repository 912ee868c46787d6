/**
 * A bundling choice the Lambda bundles (infra/lambda-bundle.ts) and the CLI (scripts/build-cli.mjs) share.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const rulesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'shared', 'rules');

/**
 * Every rule's investigation in one lazy chunk. esbuild makes each `import()` target an entry point and splits
 * what entry points share into a chunk per combination of them, even code index.mjs already holds
 * (evanw/esbuild#2144): each rule's `import('./investigate')`, sharing its rule's and shared/facts modules with
 * `detect`, put ~30 small chunks in every cold start, slower to load than the parse they saved. Each rule's
 * import stays its own (tiny) entry, and each also imports every investigation, so all investigations share one
 * set of entry points: one lazy chunk of investigations, one chunk of what they share with index.mjs.
 */
export const oneInvestigationChunk: Plugin = {
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
