/**
 * Lambda memory sizes: at least twice each function's peak RSS over the storm (`npm run bench`: peak_rss_bytes;
 * diagnose 91–110 MiB, notify 65–72 MiB across runs when set), rounded up to 64 MB: room for the clients a storm
 * of one rule does not load (EC2's is the largest) and for larger accounts' answers. Lambda's CPU share grows
 * with memory; these functions mostly wait on AWS APIs.
 */
export const MEMORY_MB = { diagnose: 256, notify: 192 } as const;

/** The margin the sizes above keep over the measured peak; the bench flags a size that falls below it. */
export const MEMORY_MARGIN = 2;
