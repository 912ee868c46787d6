/**
 * Bundling and running Lambda code for the benches, as the stack bundles it (infra/lambda-bundle.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { bundleLambda } from '../infra/lambda-bundle';
import type { DriverInput, DriverResult } from './lambda-driver';

export const benchDirectory = mkdtempSync(join(tmpdir(), 'ecs-medic-bench-'));

export interface Bundle {
  /** The entry file Lambda imports (index.mjs); its chunks beside it. */
  file: string;
  /** Bytes of index.mjs: what every cold start parses. */
  entryBytes: number;
  /** Bytes of every code file of the asset (index.mjs and its chunks, maps excluded). */
  bytes: number;
  metafile: Metafile;
}

/** Bundles `entry` exactly as the stack does (infra/lambda-bundle.ts) into its own directory. */
export async function bundle(entry: string, name: string): Promise<Bundle> {
  const outdir = join(benchDirectory, name);
  // Generated entries are written outside the repo; resolve their packages from here.
  const metafile = await bundleLambda(entry, outdir, { sourcemap: false, nodePaths: [join(process.cwd(), 'node_modules')] });
  const outputs = Object.entries(metafile.outputs);
  const entryOutput = outputs.find(([path]) => path.endsWith('/index.mjs'))?.[1];
  return {
    file: join(outdir, 'index.mjs'),
    entryBytes: entryOutput?.bytes ?? 0,
    bytes: outputs.reduce((sum, [, o]) => sum + o.bytes, 0),
    metafile,
  };
}

/** Writes generated source (a floor bundle's entry) to the bench directory. */
export function writeEntry(name: string, source: string): string {
  const entry = join(benchDirectory, `${name}.mjs`);
  writeFileSync(entry, source);
  return entry;
}

/** What the handlers read at import (the stack sets these in Lambda), with dummy credentials: nothing leaves the machine. */
export function lambdaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: 'ecs-medic-bench',
    ECS_MEDIC_TABLE: 'bench',
    ECS_MEDIC_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
    ECS_MEDIC_RECHECK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/recheck',
    ECS_MEDIC_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
    POWERTOOLS_METRICS_NAMESPACE: 'EcsMedic',
    ...extra,
  };
}

/** Milliseconds to import `file` in a fresh Node process. */
export function importMs(file: string, env: NodeJS.ProcessEnv): number {
  const script = 'const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);';
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { env, encoding: 'utf8', cwd: benchDirectory });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

/**
 * Runs a driver bundle (bench/lambda-driver.ts) on `input` in a fresh Node process. Asynchronously: the
 * dynalite server it talks to runs in this process's event loop.
 */
export async function runDriver(file: string, input: DriverInput, env: NodeJS.ProcessEnv): Promise<DriverResult> {
  const inputFile = join(benchDirectory, `input-${input.function}-${process.hrtime.bigint()}.json`);
  writeFileSync(inputFile, JSON.stringify(input));
  const child = spawn(process.execPath, [file], { env: { ...env, BENCH_INPUT: inputFile }, cwd: benchDirectory });
  // Powertools logs a line or more per event: keep only the tail, where the result is.
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout = (stdout + chunk.toString()).slice(-1_000_000);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (status !== 0) throw new Error(`${file} exited ${status}: ${stderr}`);
  return JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '') as DriverResult;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
