/**
 * The stack's Lambda functions (functions/<name>/handler.ts), each with its memory size; the bench reports every
 * one of them. diagnose and notify: at least twice their peak RSS over the storm (`npm run bench`: peak_rss_bytes;
 * diagnose 91–110 MiB, notify 65–72 MiB across runs when set), rounded up to 64 MB: room for the clients a storm
 * of one rule does not load (EC2's is the largest) and for larger accounts' answers. audit: it holds a whole
 * Region's services and task definitions at once (216–270 MiB over the audit of 5,000 services across runs, bench/audit.ts),
 * and Lambda's CPU share grows with memory (the others mostly wait on AWS APIs). remediate: one incident at a
 * time; 70 MiB over the storm's 20 opened incidents (services opted in, dry-run), sized like notify.
 */
export const MEMORY_MB = { diagnose: 256, notify: 192, audit: 1024, remediate: 192 } as const;

export type FunctionName = keyof typeof MEMORY_MB;

export const FUNCTION_NAMES = Object.keys(MEMORY_MB) as FunctionName[];

/** The audit's timeout, Lambda's longest: an account of 5,000 services audits in about 4 minutes at ECS's rate limits (bench/audit.ts). */
export const AUDIT_TIMEOUT_SECONDS = 900;

/** The margin the sizes above keep over the measured peak; the bench flags a size that falls below it. */
export const MEMORY_MARGIN = 2;
