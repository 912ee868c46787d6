// Bundles the CLI into one ESM file so `npx ecs-medic` starts fast (no TypeScript at run time).
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/bin.ts'],
  outfile: 'dist/ecs-medic.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module';const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
