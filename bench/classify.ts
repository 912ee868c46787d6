/**
 * Classification against JSON.parse of the same bytes, and the whole `ecs-medic explain` process against
 * `node -e ''`: each pair measured interleaved in this run, so a noisy machine affects both sides.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { detect } from '../shared/diagnose';
import { parseEvent } from '../shared/events/parse';
import { signalsOf } from '../shared/events/signals';
import { stoppedTaskEvent } from '../tests/fixtures/events';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median time per call of `fn`, measured in `rounds` batches of `batch` calls. */
function timePerCall(fn: () => unknown, batch: number): () => Promise<number> {
  return async () => {
    const start = performance.now();
    for (let i = 0; i < batch; i++) {
      const result = fn();
      if (result instanceof Promise) await result;
    }
    return ((performance.now() - start) / batch) * 1000; // µs
  };
}

async function interleave(a: () => number | Promise<number>, b: () => number | Promise<number>, rounds: number): Promise<[number, number]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return [median(as), median(bs)];
}

// A realistic failure: the AWS sample task (3 containers) stopped by an OOM kill.
const event = stoppedTaskEvent({
  stoppedReason: 'Essential container in task exited',
  stopCode: 'EssentialContainerExited',
  group: 'service:webserver',
  containers: [{ exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }, { exitCode: 0 }, { exitCode: 0 }],
});
const bytes = JSON.stringify(event);
const parsed = JSON.parse(bytes) as unknown;

export interface ClassifyFigures {
  classify_us: number;
  parse_us: number;
  classify_vs_parse_ratio: number;
  explain_ms: number;
  node_ms: number;
  explain_vs_node_ratio: number;
}

function processMs(args: string[]): () => number {
  return () => {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { input: 'CannotPullContainerError: API error (404): repository not found' });
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return performance.now() - start;
  };
}

export async function measureClassify(): Promise<ClassifyFigures> {
  let sink = 0;
  const classify = async () => {
    const result = parseEvent(parsed);
    if (result.status !== 'valid') throw new Error('bench event must be valid');
    sink += (await detect(signalsOf(result.event))).length;
  };
  const parse = () => {
    sink += (JSON.parse(bytes) as { version: string }).version.length;
  };
  for (let i = 0; i < 2000; i++) {
    await classify();
    parse();
  }
  // detect is async: its side pays for the await, JSON.parse's does not.
  const [classifyUs, parseUs] = await interleave(timePerCall(classify, 500), timePerCall(parse, 500), 41);
  const [explainMs, nodeMs] = await interleave(processMs(['dist/ecs-medic.mjs', 'explain']), processMs(['-e', '']), 15);
  if (sink < 0) throw new Error('unreachable: keeps the measured calls from being optimised away');
  return {
    classify_us: classifyUs,
    parse_us: parseUs,
    classify_vs_parse_ratio: classifyUs / parseUs,
    explain_ms: explainMs,
    node_ms: nodeMs,
    explain_vs_node_ratio: explainMs / nodeMs,
  };
}
