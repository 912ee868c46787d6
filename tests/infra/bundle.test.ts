/**
 * The one test that bundles for real (esbuild through NodejsFunction): each
 * function is an ESM bundle with the AWS SDK inside, built from the SDK's ES
 * modules, with a source map, and it loads in Node.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build';
import { ENV } from '../../shared/bot/config';

const outdir = mkdtempSync(join(tmpdir(), 'ecs-medic-cdk-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const { app, stack } = buildApp({ outdir });
const assembly = app.synth();
const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Properties: Record<string, unknown> }> };

function assetDirectory(fn: typeof stack.diagnose): string {
  const code = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)]?.Properties.Code as { S3Key: string };
  return join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
}

describe.each([
  ['diagnose', () => stack.diagnose],
  ['notify', () => stack.notify],
  ['audit', () => stack.audit as typeof stack.diagnose],
  ['remediate', () => stack.remediate as typeof stack.diagnose],
])('%s bundle', (name, fn) => {
  const directory = assetDirectory(fn());
  const bundle = join(directory, 'index.mjs');

  it('is an ESM file with the createRequire banner and a source map', () => {
    expect(existsSync(bundle)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith("import { createRequire } from 'module';const require = createRequire(import.meta.url);")).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
  });

  it('bundles the AWS SDK from its ES modules instead of importing the runtime copy', () => {
    const code = readFileSync(bundle, 'utf8');
    // An external client would stay an import or require of its package (error-message strings elsewhere name other packages).
    expect(code.match(/from\s*["']@aws-sdk\/client-[\w-]+["']/)?.[0]).toBeUndefined();
    expect(code.match(/require\(["']@aws-sdk\/client-[\w-]+["']\)/)?.[0]).toBeUndefined();
    const { sources } = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
    const sdk = sources.filter((s) => s.includes('node_modules/@aws-sdk/') || s.includes('node_modules/@smithy/'));
    expect(sdk.length).toBeGreaterThan(0);
    // mainFields module,main: the dist-es build, not dist-cjs (toolchain.md §5: ~30% smaller, faster to import).
    expect(sdk.filter((s) => s.includes('/dist-cjs/'))).toEqual([]);
  });

  it(`loads in Node and exports the handler (${name})`, async () => {
    const env = { ...process.env };
    Object.assign(process.env, {
      [ENV.incidentTable]: 'table',
      [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
      [ENV.recheckQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/recheck',
      [ENV.topicArn]: 'arn:aws:sns:us-east-1:123456789012:alerts',
      [ENV.remediation]: '{}',
      AWS_REGION: 'us-east-1',
    });
    try {
      const module = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');
    } finally {
      process.env = env;
    }
  });
});

describe('remediate bundle', () => {
  it('loads only its own clients at start (DynamoDB, EventBridge, SQS); ECS and CloudWatch Logs when it first reads or writes', () => {
    const directory = assetDirectory(stack.remediate as typeof stack.diagnose);
    const { sources } = JSON.parse(readFileSync(join(directory, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    const clients = new Set(sources.map((s) => /@aws-sdk\/(client-[\w-]+)\//.exec(s)?.[1]).filter((c) => c !== undefined));
    expect([...clients].sort()).toEqual(['client-dynamodb', 'client-eventbridge', 'client-sqs']);
  });
});
