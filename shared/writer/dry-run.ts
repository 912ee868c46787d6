import type { AccountWriter, WriteRequest } from './port';

/** A writer that changes nothing: it records each change it was asked for, in order, and answers as if it had been made. */
export function dryRunWriter(): AccountWriter & { requests: WriteRequest[] } {
  const requests: WriteRequest[] = [];
  return {
    live: false,
    requests,
    async write(operation, input, region) {
      requests.push({ operation, region, input } as WriteRequest);
      return {};
    },
  };
}
