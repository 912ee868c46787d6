import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = 'dist/ecs-medic.mjs';

function ecsMedic(args: string[], input = '') {
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, input, encoding: 'utf8' });
}

describe('the installed ecs-medic binary', () => {
  beforeAll(() => {
    // The same build `npm ci` runs through `prepare`, so the test sees what users get.
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-cli.mjs'], { cwd: root });
    // An esbuild run: seconds alone, longer than the default 10 s hook timeout while the e2e suite deploys beside it.
  }, 120_000);

  it('explains a text piped on stdin', () => {
    const result = ecsMedic(
      ['explain', '--json'],
      // Verbatim: https://github.com/cn-terraform/terraform-aws-nexus/issues/35
      'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist',
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).input).toContain('log group does not exist');
  });

  it('prints one line and no stack trace on a bad file', () => {
    const result = ecsMedic(['diagnose', '--event', 'does/not/exist.json']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['ecs-medic: cannot read event file does/not/exist.json: no such file']);
  });
});
