/**
 * A bundling choice of the Lambda bundles (infra/lambda-bundle.ts).
 */
import type { Plugin } from 'esbuild';

/**
 * middy imports `ReadableStream` from node:stream/web at its top level, for `instanceof` in its streamed-response
 * path only, which the handlers never take (no streamifyResponse); the import alone loads Node's web streams at
 * every cold start. Node's global ReadableStream is that same class, loaded on first access, so middy's import
 * resolves to a stand-in whose `instanceof` asks the global: nothing loads until a streamed response would.
 */
export const lazyWebStreams: Plugin = {
  name: 'lazy-web-streams',
  setup(plugin) {
    plugin.onResolve({ filter: /^node:stream\/web$/ }, ({ importer }) =>
      /[\\/]node_modules[\\/]@middy[\\/]core[\\/]/.test(importer) ? { path: 'node:stream/web', namespace: 'lazy-web-streams' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-web-streams' }, () => ({
      contents: 'export const ReadableStream = { [Symbol.hasInstance]: (value) => value instanceof globalThis.ReadableStream };',
      loader: 'js',
    }));
  },
};
