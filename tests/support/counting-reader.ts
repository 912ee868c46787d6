import type { AccountReader, ReaderOperation } from '../../shared/reader/port';

/** Wraps a reader and records every call, to hold an incident to its AWS call budget. */
export function countingReader(inner: AccountReader): { reader: AccountReader; calls: ReaderOperation[] } {
  const calls: ReaderOperation[] = [];
  return {
    calls,
    reader: {
      read(operation, input) {
        calls.push(operation);
        return inner.read(operation, input);
      },
    },
  };
}
