/**
 * The suite's temporary directories (cloud assembly, the CLI's HOME, the
 * bootstrap template, the CLI runs' event files): made here, and removed
 * together by `removeScratch` at the end of the suite, or when the process
 * exits before its teardown ran.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
let exitHookInstalled = false;

export function scratchDir(prefix: string): string {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', removeScratch);
  }
  const dir = mkdtempSync(join(tmpdir(), `ecs-medic-e2e-${prefix}-`));
  made.add(dir);
  return dir;
}

export function removeScratch(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
