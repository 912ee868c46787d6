// Bundles the CLI into ESM files so `npx ecs-medic` starts fast (no TypeScript at run time).
// Run with `node --import tsx` (package.json): the bundling choices it shares with the Lambdas are TypeScript.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true }); // chunk names carry hashes: drop the previous build's
await build({
  entryPoints: { 'ecs-medic': 'cli/bin.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // The live reader (AWS SDK) and each rule's detector and investigation are imported dynamically: explain parses
  // only the rules whose gate lets its text through.
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
});
// `npx ecs-medic` runs the file itself: it must be executable.
chmodSync('dist/ecs-medic.mjs', 0o755);
