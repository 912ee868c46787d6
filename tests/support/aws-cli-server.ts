/**
 * vitest global setup: one python3 process drives the real AWS CLI v1 for every test file
 * (tests/support/aws_cli_check.py), listening on a loopback port it prints on start.
 * Where python3 or awscli is missing the tests that need it skip, except under CI=true.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>/` of the AWS CLI checker, or why it is not running. */
    awsCli: { url: string } | { unavailable: string };
  }
}

let checker: ChildProcess | undefined;

function start(): Promise<{ url: string } | { unavailable: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', [new URL('./aws_cli_check.py', import.meta.url).pathname], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => resolve({ unavailable: `python3 could not start: ${error.message}` }));
    child.on('exit', (code) => resolve({ unavailable: `the AWS CLI checker exited (${code}): ${stderr.trim().split('\n').pop() ?? ''}` }));
    createInterface({ input: child.stdout }).once('line', (port) => {
      checker = child;
      resolve({ url: `http://127.0.0.1:${port.trim()}/` });
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cli = await start();
  project.provide('awsCli', cli);
  if ('unavailable' in cli) console.warn(`printed aws commands not run through the AWS CLI: ${cli.unavailable}`);
  return async () => {
    if ('url' in cli) {
      const stats = (await (await fetch(cli.url)).json().catch(() => undefined)) as { judged: number; passed: number } | undefined;
      if (stats) console.info(`AWS CLI v1: ${stats.passed} of ${stats.judged} distinct printed commands parsed and passed validation`);
    }
    checker?.kill();
  };
}
