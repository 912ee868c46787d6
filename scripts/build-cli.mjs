// Bundles the CLI into ESM files so `npx ecs-medic` starts fast (no TypeScript at run time).
// Run with `node --import tsx` (package.json): the bundling choices it shares with the Lambdas are TypeScript.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { oneInvestigationChunk } from '../infra/one-investigation-chunk.ts';

rmSync('dist', { recursive: true, force: true }); // chunk names carry hashes: drop the previous build's
await build({
  entryPoints: { 'ecs-medic': 'cli/bin.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // The live reader (AWS SDK) is imported dynamically; its own chunk keeps explain from parsing it.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module';const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [oneInvestigationChunk],
});
// `npx ecs-medic` runs the file itself: it must be executable.
chmodSync('dist/ecs-medic.mjs', 0o755);
