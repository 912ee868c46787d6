/**
 * Memory recommendations after an OOM kill. Fargate accepts only fixed
 * CPU/memory pairs (ECS Developer Guide, "Task CPU and memory"; the table in
 * aws-limits-and-cold-start.md §5), so a raised task memory is rounded up to
 * the next valid pair rather than to an arbitrary number.
 */

const GIB = 1024;

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v * GIB);
  return values;
}

/** Valid Linux Fargate memory values (MiB) per task CPU unit count. */
const fargateSizes: readonly { cpu: number; memory: readonly number[] }[] = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: steps(1, 4, 1) },
  { cpu: 1024, memory: steps(2, 8, 1) },
  { cpu: 2048, memory: steps(4, 16, 1) },
  { cpu: 4096, memory: steps(8, 30, 1) },
  { cpu: 8192, memory: steps(16, 60, 4) },
  { cpu: 16384, memory: steps(32, 120, 8) },
];

export interface TaskSize {
  cpu: number;
  memory: number;
}

/** The smallest valid Fargate size with at least `minMemory` MiB, keeping at least the current CPU; undefined past 16 vCPU / 120 GB. */
export function fargateSizeFor(currentCpu: number, minMemory: number): TaskSize | undefined {
  for (const size of fargateSizes) {
    if (size.cpu < currentCpu) continue;
    const memory = size.memory.find((m) => m >= minMemory);
    if (memory !== undefined) return { cpu: size.cpu, memory };
  }
  return undefined;
}

/** The +50% headroom recommended after an OOM kill, in whole MiB. */
export function withHeadroom(memory: number): number {
  return Math.ceil(memory * 1.5);
}
