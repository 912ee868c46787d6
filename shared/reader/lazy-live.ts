import type { LiveReaderOptions } from './live';
import type { AccountReader } from './port';

/**
 * The live reader, imported on the first read and kept: only a new incident's investigation reads the account,
 * so a Lambda's cold start need not parse live.ts and its client table for events that never read.
 */
export function lazyLiveReader(options: LiveReaderOptions = {}): AccountReader {
  let live: Promise<AccountReader> | undefined;
  return {
    async read(operation, input) {
      live ??= import('./live').then(({ liveReader }) => liveReader(options));
      return (await live).read(operation, input);
    },
  };
}
