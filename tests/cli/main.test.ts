import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { stoppedTaskEvent } from '../fixtures/events';

const LOG_GROUP_TEXT =
  'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist';

async function run(argv: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => stdin });
  // biome-ignore lint/suspicious/noExplicitAny: the JSON lines of several commands, read field by field
  return { code, out, err, json: () => out.map((l) => JSON.parse(l) as Record<string, any>) };
}

const dir = mkdtempSync(join(tmpdir(), 'ecs-medic-cli-'));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('ecs-medic', () => {
  it('lists every command in --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const name of ['explain', 'diagnose', 'remedy', 'lint', 'audit', 'demo', 'rules']) expect(out.join('\n')).toContain(`  ${name} `);
  });

  it.each(['explain', 'diagnose', 'remedy', 'lint', 'audit', 'demo', 'rules'])('has --help for %s', async (name) => {
    const { code, out } = await run([name, '--help']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`^Usage: ecs-medic ${name}`));
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['explain', '--bogus'], "Unknown option '--bogus'"],
    [['diagnose'], '--event FILE is required'],
    [['remedy'], '--event FILE is required'],
    [['remedy', '--event', 'e.json', '--apply=yes'], "Option '--apply' does not take an argument"],
  ])('reports a usage error in one line with exit 2: %j', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
  });
});

describe('ecs-medic explain', () => {
  it('joins its arguments into one text', async () => {
    const words = LOG_GROUP_TEXT.split(' ');
    const { code, json } = await run(['explain', '--json', ...words]);
    expect(code).toBe(0);
    const [result] = json();
    expect(result?.input).toBe(LOG_GROUP_TEXT);
    expect(result?.findings[0]?.rule).toBe('log-group-missing');
  });

  it('reads each non-empty stdin line as its own text with --each-line, in order, the generic next step when unrecognised', async () => {
    const { code, json } = await run(['explain', '--json', '--each-line'], `hello world\n\n${LOG_GROUP_TEXT}\n`);
    expect(code).toBe(0);
    const results = json();
    expect(results.map((r) => r.input)).toEqual(['hello world', LOG_GROUP_TEXT]);
    expect(results[0]?.findings.map((f: { rule: string }) => f.rule)).toEqual(['unrecognised-failure']);
    expect(results[1]?.findings.map((f: { rule: string }) => f.rule)).toContain('log-group-missing');
  });

  it('reads all of stdin as one text without --each-line', async () => {
    const { json } = await run(['explain', '--json'], `${LOG_GROUP_TEXT}\n`);
    expect(json()).toHaveLength(1);
  });

  it('says plainly when nothing is recognised, gives the command that shows the full reasons, and still exits 0', async () => {
    const { code, out } = await run(['explain', 'the coffee machine is empty']);
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('No rule recognises this failure');
    expect(out.join('\n')).toContain('aws ecs describe-tasks --cluster <cluster> --tasks <task-id>');
  });

  it('says a normal ECS message is no failure', async () => {
    const { code, out } = await run(['explain', 'Task stopped by user']);
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('No failure in this text');
  });

  it('refuses an empty input', async () => {
    const { code, err } = await run(['explain'], '   \n');
    expect(code).toBe(2);
    expect(err[0]).toContain('no text to explain');
  });
});

describe('ecs-medic diagnose', () => {
  const reason =
    'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';
  const event = stoppedTaskEvent({ stoppedReason: reason, stopCode: 'TaskFailedToStart' });

  it('diagnoses one event from the event alone and lists what it could not check', async () => {
    const { code, json } = await run(['diagnose', '--json', '--offline', '--event', file('one.json', event)]);
    expect(code).toBe(0);
    const [result] = json() as { status: string; findings: { rule: string; unchecked: unknown[] }[] }[];
    expect(result?.status).toBe('diagnosed');
    expect(result?.findings[0]?.rule).toBe('log-group-missing');
    expect(result?.findings[0]?.unchecked.length).toBeGreaterThan(0);
  });

  it('uses the snapshot when given one', async () => {
    const snapshot = {
      'ecs:DescribeTaskDefinition': [
        {
          input: { taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5' },
          output: {
            taskDefinition: {
              containerDefinitions: [{ name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } } }],
            },
          },
        },
      ],
      'logs:DescribeLogGroups': [{ input: { logGroupNamePrefix: '/ecs/web' }, output: { logGroups: [] } }],
    };
    const { code, json } = await run(['diagnose', '--json', '--event', file('e.json', event), '--snapshot', file('s.json', snapshot)]);
    expect(code).toBe(0);
    const [result] = json() as { findings: { fix: string; unchecked: unknown[] }[] }[];
    expect(result?.findings[0]?.fix).toBe('aws logs create-log-group --log-group-name /ecs/web --region us-east-1');
    expect(result?.findings[0]?.unchecked).toEqual([]);
  });

  it('processes an array, reports each invalid event by field, and exits 1', async () => {
    const broken = { ...event, detail: { ...(event.detail as object), taskArn: 42 } };
    const unknownType = { ...event, 'detail-type': 'ECS Daemon Service Action' };
    const { code, json } = await run(['diagnose', '--json', '--event', file('many.json', [event, broken, unknownType])]);
    expect(code).toBe(1);
    const results = json();
    expect(results.map((r) => r.status)).toEqual(['diagnosed', 'invalid', 'unsupported']);
    expect(results[1]?.message).toBe('invalid event: detail.taskArn should be string, is number');
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.json'), 'no such file'],
    ['a file that is not JSON', () => file('bad.json', '{"version": '), 'is not valid JSON'],
  ])('exits 2 with one line for %s', async (_label, path, message) => {
    const { code, err } = await run(['diagnose', '--event', path()]);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
  });

  it('exits 2 for a snapshot of the wrong shape', async () => {
    const { code, err } = await run(['diagnose', '--event', file('ok.json', event), '--snapshot', file('badsnap.json', { DescribeServices: {} })]);
    expect(code).toBe(2);
    expect(err[0]).toContain('is not an operation like');
  });
});

describe('ecs-medic demo', () => {
  it('prints one JSON line of findings per scenario', async () => {
    const { code, json } = await run(['demo', '--json', 'log-group-missing']);
    expect(code).toBe(0);
    const [result] = json() as { scenario: string; findings: { rule: string }[] }[];
    expect(result?.scenario).toBe('log-group-missing');
    expect(result?.findings[0]?.rule).toBe('log-group-missing');
  });

  it('alerts once per incident and says how often it was seen', async () => {
    const { out } = await run(['demo', 'log-group-missing']);
    const text = out.join('\n');
    expect(text.match(/rule: +log-group-missing/g)).toHaveLength(1);
    expect(text).toContain('seen:      2 times in this scenario, alerted once');
  });

  it('rejects an unknown scenario', async () => {
    const { code, err } = await run(['demo', 'nope']);
    expect(code).toBe(2);
    expect(err[0]).toContain('unknown scenario "nope"');
  });
});
