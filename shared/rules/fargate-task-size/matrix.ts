/**
 * The Fargate task-size matrix: the only CPU/memory pairs Fargate runs.
 *
 * Source: ECS Developer Guide, "Troubleshoot Amazon ECS task definition invalid
 * CPU or memory errors" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html)
 * and "Task CPU and memory" (fargate-tasks-services.html#fargate-tasks-size), as
 * copied in /work/shared/reference/aws-limits-and-cold-start.md §5.
 * CPU in units (1024 = 1 vCPU), memory in MiB. 8192 and 16384 CPU need Linux
 * platform version 1.4.0 or later; Windows runs 1024–4096 CPU only.
 */

const GiB = 1024;

export interface FargateSize {
  cpu: number;
  /** Every memory value this CPU accepts, ascending. */
  memory: readonly number[];
  windows: boolean;
}

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

export const fargateSizes: readonly FargateSize[] = [
  { cpu: 256, memory: [512, 1 * GiB, 2 * GiB], windows: false },
  { cpu: 512, memory: steps(1 * GiB, 4 * GiB, GiB), windows: false },
  { cpu: 1024, memory: steps(2 * GiB, 8 * GiB, GiB), windows: true },
  { cpu: 2048, memory: steps(4 * GiB, 16 * GiB, GiB), windows: true },
  { cpu: 4096, memory: steps(8 * GiB, 30 * GiB, GiB), windows: true },
  { cpu: 8192, memory: steps(16 * GiB, 60 * GiB, 4 * GiB), windows: false },
  { cpu: 16384, memory: steps(32 * GiB, 120 * GiB, 8 * GiB), windows: false },
];

export type OperatingSystem = 'linux' | 'windows';

export interface Size {
  cpu: number;
  memory: number;
}

export function sizesFor(os: OperatingSystem): readonly FargateSize[] {
  return os === 'windows' ? fargateSizes.filter((s) => s.windows) : fargateSizes;
}

/** "1024", 1024, "1 vCPU", ".25 vcpu" → CPU units. */
export function parseCpu(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d*\.?\d+)\s*(vcpu)?\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  return match[2] ? Math.round(amount * 1024) : amount;
}

/** "2048", 2048, "2 GB", "2GB", "512 MiB" → MiB. */
export function parseMemory(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d*\.?\d+)\s*(gb|gib|mb|mib)?\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  return match[2]?.toLowerCase().startsWith('g') ? Math.round(amount * GiB) : amount;
}

function range(size: FargateSize): string {
  const low = size.memory[0] as number;
  const high = size.memory[size.memory.length - 1] as number;
  if (size.cpu === 256) return '512, 1024 or 2048';
  const step = (size.memory[1] as number) - low;
  return `${low}–${high} in ${step} MiB steps`;
}

/** The smallest valid size with at least this CPU and at least this memory, or undefined above Fargate's maximum. */
export function smallestFitting(cpu: number, memory: number, os: OperatingSystem): Size | undefined {
  for (const size of sizesFor(os)) {
    if (size.cpu < cpu) continue;
    const fit = size.memory.find((m) => m >= memory);
    if (fit !== undefined) return { cpu: size.cpu, memory: fit };
  }
  return undefined;
}

export type Verdict =
  | { kind: 'valid' }
  | { kind: 'above-max'; max: Size }
  | { kind: 'invalid'; recommended: Size; /** Keeping the requested CPU, when that is a Fargate CPU. */ alternative?: Size; advice: string };

/** Judges a task size against the matrix and, when it is invalid, names the nearest valid sizes. */
export function judge(requested: Size, os: OperatingSystem): Verdict {
  const sizes = sizesFor(os);
  const exact = sizes.find((s) => s.cpu === requested.cpu);
  if (exact?.memory.includes(requested.memory)) return { kind: 'valid' };
  const recommended = smallestFitting(requested.cpu, requested.memory, os);
  if (!recommended) {
    const largest = sizes[sizes.length - 1] as FargateSize;
    return { kind: 'above-max', max: { cpu: largest.cpu, memory: largest.memory[largest.memory.length - 1] as number } };
  }
  const recommendedRow = sizes.find((s) => s.cpu === recommended.cpu) as FargateSize;
  let advice = `cpu ${requested.cpu} with memory ${requested.memory} is not a Fargate size${os === 'windows' ? ' for Windows' : ''}; use cpu ${
    recommended.cpu
  } with memory ${recommended.memory} (cpu ${recommended.cpu} takes memory ${range(recommendedRow)})`;
  if (!exact) {
    advice += `. Fargate cpu must be one of ${sizes.map((s) => s.cpu).join(', ')}`;
  } else if (exact.cpu !== recommended.cpu) {
    // Or keep the CPU the user chose, with the closest memory it accepts.
    const closest = exact.memory.reduce((best, m) => (Math.abs(m - requested.memory) < Math.abs(best - requested.memory) ? m : best));
    advice += `, or keep cpu ${exact.cpu} with memory ${closest} (cpu ${exact.cpu} takes memory ${range(exact)})`;
    return { kind: 'invalid', recommended, alternative: { cpu: exact.cpu, memory: closest }, advice };
  }
  return { kind: 'invalid', recommended, advice };
}

/** The matrix in one line per CPU, for explanations when the requested values are unknown. */
export function matrixSummary(): string {
  return fargateSizes.map((s) => `cpu ${s.cpu}: memory ${range(s)}`).join('; ');
}
