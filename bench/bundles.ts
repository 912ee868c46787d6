/**
 * Each Lambda's bundle (built as the stack builds it: ESM, minified, SDK
 * bundled from its ES modules) against a floor bundle that only imports and
 * constructs the same AWS SDK clients: size, and import time measured in
 * fresh Node processes, interleaved, in this run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

const out = mkdtempSync(join(tmpdir(), 'ecs-medic-bundles-'));

// The options infra/stack.ts gives NodejsFunction (bundling), so the figures describe what is deployed.
async function bundle(entry: string, name: string): Promise<{ file: string; metafile: Metafile }> {
  const file = join(out, `${name}.mjs`);
  const { metafile } = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'error',
    // The floor entry is written outside the repo; resolve its packages from here.
    nodePaths: [join(process.cwd(), 'node_modules')],
  });
  return { file, metafile };
}

/** The SDK clients a bundle contains, from esbuild's metafile: `@aws-sdk/client-ecs` → ECSClient etc. */
function sdkClients(metafile: Metafile): string[] {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
    if (match?.[1]) packages.add(match[1]);
  }
  return [...packages].sort();
}

const clientClass: Record<string, string> = {
  '@aws-sdk/client-ecs': 'ECSClient',
  '@aws-sdk/client-ec2': 'EC2Client',
  '@aws-sdk/client-elastic-load-balancing-v2': 'ElasticLoadBalancingV2Client',
  '@aws-sdk/client-cloudwatch-logs': 'CloudWatchLogsClient',
  '@aws-sdk/client-iam': 'IAMClient',
  '@aws-sdk/client-kms': 'KMSClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-ssm': 'SSMClient',
  '@aws-sdk/client-auto-scaling': 'AutoScalingClient',
  '@aws-sdk/client-application-auto-scaling': 'ApplicationAutoScalingClient',
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-sqs': 'SQSClient',
  '@aws-sdk/client-sns': 'SNSClient',
};

function floorEntry(name: string, packages: string[]): string {
  const entry = join(out, `${name}-floor-entry.mjs`);
  const lines = packages.map((pkg, i) => {
    const cls = clientClass[pkg];
    if (!cls) throw new Error(`no client class known for ${pkg}`);
    return `import { ${cls} as C${i} } from '${pkg}'; export const c${i} = new C${i}({});`;
  });
  writeFileSync(entry, lines.join('\n'));
  return entry;
}

// What the handlers read at import (infra/stack.ts sets these in Lambda).
const env = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  ECS_MEDIC_TABLE: 'bench',
  ECS_MEDIC_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
  ECS_MEDIC_RECHECK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/recheck',
  ECS_MEDIC_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
  POWERTOOLS_METRICS_NAMESPACE: 'EcsMedic',
};

function importMs(file: string): number {
  const script = 'const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);';
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { env, encoding: 'utf8', cwd: out });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const kb = (file: string) => `${(statSync(file).size / 1024).toFixed(0)} KB`;

console.log('| function | bundle | floor bundle (same SDK clients only) | import (median of 15) | floor import | ratio (target ≤ 1.5×) |');
console.log('|---|---|---|---|---|---|');
for (const name of ['diagnose', 'notify']) {
  const handler = await bundle(`functions/${name}/handler.ts`, name);
  const packages = sdkClients(handler.metafile);
  const floor = await bundle(floorEntry(name, packages), `${name}-floor`);
  const handlerTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < 15; i++) {
    handlerTimes.push(importMs(handler.file));
    floorTimes.push(importMs(floor.file));
  }
  const [h, f] = [median(handlerTimes), median(floorTimes)];
  console.log(
    `| ${name} (${packages.length} clients) | ${kb(handler.file)} | ${kb(floor.file)} | ${h.toFixed(0)} ms | ${f.toFixed(0)} ms | ${(h / f).toFixed(2)}× |`,
  );
}
