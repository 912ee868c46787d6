import { type AccountReader, canonicalJson, type ReaderOperation } from './port';

/**
 * A snapshot is a JSON file of verbatim AWS SDK responses keyed by operation
 * and input. A recorded `error` replays a failure (AccessDenied, throttling).
 */
export interface SnapshotEntry {
  input: unknown;
  output?: unknown;
  error?: { name: string; message: string };
}

export type Snapshot = Partial<Record<ReaderOperation, SnapshotEntry[]>>;

export class SnapshotMissError extends Error {
  override name = 'NotInSnapshot';
}

/** Replays recorded responses unchanged, so offline and live diagnoses see identical shapes. */
export function snapshotReader(snapshot: Snapshot): AccountReader {
  const index = new Map<string, SnapshotEntry>();
  for (const [operation, entries] of Object.entries(snapshot)) {
    for (const entry of entries ?? []) index.set(`${operation} ${canonicalJson(entry.input)}`, entry);
  }
  return {
    async read(operation, input) {
      const entry = index.get(`${operation} ${canonicalJson(input)}`);
      if (!entry) throw new SnapshotMissError(`${operation} ${canonicalJson(input)} is not in the snapshot`);
      if (entry.error) throw Object.assign(new Error(entry.error.message), { name: entry.error.name });
      return structuredClone(entry.output) as never;
    },
  };
}

/** Checks a parsed snapshot file's shape; returns a one-line problem or null. */
export function snapshotProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a snapshot must be a JSON object keyed by operation';
  for (const [operation, entries] of Object.entries(value)) {
    if (!/^[a-z0-9-]+:[A-Za-z]+$/.test(operation)) return `snapshot key "${operation}" is not an operation like "ecs:DescribeServices"`;
    if (!Array.isArray(entries)) return `snapshot "${operation}" must be an array of {input, output|error}`;
    for (const [i, entry] of entries.entries()) {
      if (typeof entry !== 'object' || entry === null || !('input' in entry) || !('output' in entry || 'error' in entry)) {
        return `snapshot "${operation}"[${i}] must have "input" and "output" or "error"`;
      }
    }
  }
  return null;
}
