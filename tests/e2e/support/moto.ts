/**
 * A moto server (an emulated AWS account) as its own process on a free
 * loopback port, with its request recorder on, so a test can count the AWS
 * calls a principal made. Stopped by its pid; `stopAllOnExit` also stops it
 * when the test process dies before its teardown runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** The identity moto answers for before it enforces IAM: any key works then. */
export const BOOTSTRAP_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'moto-bootstrap' };

export const INSTALL_HINT = 'the e2e suite needs moto\'s server: pip install "moto[server]"';

/** Whether `python3 -m moto.server` can start here (moto with its server extras: flask, werkzeug). */
export function motoServerAvailable(): boolean {
  const probe = spawnSync('python3', ['-c', 'import moto.server, flask, flask_cors'], { stdio: 'ignore', timeout: 30_000 });
  return probe.status === 0;
}

/** One request as moto's recorder saw it, reduced to who called what. */
export interface RecordedCall {
  /** The signing service from the credential scope, e.g. "ecs", "dynamodb". */
  service: string;
  /** The API operation, e.g. "DescribeServices"; for REST protocols "METHOD /path". */
  operation: string;
  accessKeyId: string | undefined;
  /** The SDK's attempt number (amz-sdk-request: attempt=N); 1 for a first try. */
  attempt: number;
  /** Request body as text (query-protocol form or JSON). */
  body: string;
}

export interface MotoServer {
  /** http://localhost:PORT: CloudFormation in moto reads the template bucket from this host, so not 127.0.0.1. */
  endpoint: string;
  pid: number;
  /** From now on every request is checked against the caller's IAM policies (moto's INITIAL_NO_AUTH_ACTION_COUNT = 0). */
  enforceIam(): Promise<void>;
  /**
   * moto gap: a task advances one lifecycle state per DescribeTasks that returns it (RUNNING → DEACTIVATING →
   * STOPPING…), so a running task would look like it is stopping by the bot's second read. This holds tasks in
   * the state they were started or stopped in, as an account does between two events.
   */
  holdTaskStates(): Promise<void>;
  /** The last traceback moto logged, for failure messages. */
  lastError(): string;
  /** The requests recorded since start or the last `resetCalls`. */
  calls(): RecordedCall[];
  resetCalls(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function stopAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of running) if (child.pid) process.kill(child.pid, 'SIGKILL');
    running.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

export interface RecorderEntry {
  headers: Record<string, string>;
  method: string;
  url: string;
  body: string | null;
  body_encoded: boolean;
}

/**
 * The entries of moto's recording. moto gap: each request thread appends its entry and then, in a second write, its
 * newline, so two concurrent requests can leave two entries on one line; the entries are read as a sequence of
 * top-level JSON objects instead of one per line.
 */
export function recordedEntries(text: string): RecorderEntry[] {
  const entries: RecorderEntry[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      entries.push(JSON.parse(text.slice(start, i + 1)) as RecorderEntry);
    }
  }
  return entries;
}

export function parseRecorderEntry(entry: RecorderEntry): RecordedCall | undefined {
  const authorization = header(entry.headers, 'authorization') ?? '';
  const scope = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization);
  if (!scope) return undefined;
  const body = entry.body === null ? '' : entry.body_encoded ? Buffer.from(entry.body, 'base64').toString('utf8') : entry.body;
  const target = header(entry.headers, 'x-amz-target');
  const action = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body)?.[1];
  const url = new URL(entry.url);
  const operation = target ? target.slice(target.lastIndexOf('.') + 1) : (action ?? `${entry.method} ${url.pathname}`);
  const attempt = Number(/attempt=(\d+)/.exec(header(entry.headers, 'amz-sdk-request') ?? '')?.[1] ?? '1');
  return { service: scope[2] as string, operation, accessKeyId: scope[1], attempt, body };
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ecs-medic-moto-'));
  const recording = join(dir, 'recording.jsonl');
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ENABLE_RECORDING: 'True', MOTO_RECORDER_FILEPATH: recording },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (!child.pid) throw new Error('could not start python3 -m moto.server');
  running.add(child);
  stopAllOnExit();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // moto logs every request; keep the tail for a failure message.
    stderr = (stderr + chunk.toString()).slice(-20000);
  });
  const endpoint = `http://localhost:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (!running.has(child)) return;
    running.delete(child);
    process.kill(child.pid as number, 'SIGTERM');
    const killed = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(killed);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto.server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/data.json`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto.server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const post = async (path: string, body = '') => {
    const response = await fetch(`${endpoint}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    if (!response.ok) throw new Error(`moto ${path} answered ${response.status}`);
  };
  return {
    endpoint,
    pid: child.pid,
    enforceIam: () => post('/moto-api/reset-auth', '0'),
    holdTaskStates: () => post('/moto-api/state-manager/set-transition', JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1_000_000 } })),
    resetCalls: () => post('/moto-api/recorder/reset-recording'),
    calls() {
      let text = '';
      try {
        text = readFileSync(recording, 'utf8');
      } catch {
        return [];
      }
      return recordedEntries(text)
        .map(parseRecorderEntry)
        .filter((call): call is RecordedCall => call !== undefined);
    },
    lastError: () => {
      const lines = stderr.split('\n').filter((line) => !/^127\.0\.0\.1 - - /.test(line));
      const traceback = lines.findLastIndex((line) => line.startsWith('Traceback'));
      return traceback >= 0 ? lines.slice(traceback).join('\n') : '(no traceback)';
    },
    stop,
  };
}
