/**
 * The scheduled audit's figures (issue 10), each measured in this run on a
 * mocked account of 5,000 services in 50 clusters (tests/support/mock-account.ts):
 * - the AWS calls the audit makes, counted from aws-sdk-client-mock's recorded
 *   calls on the real SDK clients the live reader creates, against the fewest
 *   the APIs allow for that account (target ≤ 1.05×);
 * - how long those calls take at ECS's documented request rates (token buckets
 *   per account and Region: burst, then sustained refill per second), with the
 *   buckets to ourselves and with half of each left to the account's other
 *   callers, phase by phase as the audit makes them;
 * - the bundled audit Lambda's peak RSS over a scheduled run against the same
 *   account, in a fresh process, its findings filed in a local DynamoDB.
 * Rates: ECS API reference, "Request throttling for the Amazon ECS API"; EC2
 * Describe* 100/20; CloudWatch Logs DescribeLogGroups 5 TPS (the planning value),
 * as copied in /work/shared/reference/aws-limits-and-cold-start.md §2.
 */
import { pathToFileURL } from 'node:url';
import { auditAccount } from '../shared/audit/account';
import { liveReader } from '../shared/reader/live';
import type { ReaderOperation } from '../shared/reader/port';
import { dynamoEnv, startDynalite } from '../tests/support/dynalite';
import { ACCOUNT, type AccountShape, mockAccount, REGION } from '../tests/support/mock-account';
import { mockAccountClients } from '../tests/support/mock-account-clients';
import { bundle, lambdaEnv, runDriver } from './lambda-bundle';

interface Bucket {
  name: string;
  burst: number;
  perSecond: number;
}

const buckets: Record<string, Bucket> = {
  clusterRead: { name: 'ECS cluster read', burst: 50, perSecond: 20 },
  serviceRead: { name: 'ECS service read', burst: 100, perSecond: 20 },
  taskDefinitionRead: { name: 'ECS task definition read', burst: 50, perSecond: 20 },
  clusterResourceRead: { name: 'ECS cluster resource read', burst: 100, perSecond: 20 },
  ec2Describe: { name: 'EC2 DescribeSubnets', burst: 100, perSecond: 20 },
  logsDescribe: { name: 'CloudWatch Logs DescribeLogGroups', burst: 5, perSecond: 5 },
};

/** Which bucket each call draws from, and in which phase of the audit it is made (phases run one after another). */
const plan: Record<string, { bucket: Bucket; phase: number }> = {
  'ecs:ListClusters': { bucket: buckets.clusterRead as Bucket, phase: 1 },
  'ecs:DescribeClusters': { bucket: buckets.clusterRead as Bucket, phase: 1 },
  'ecs:ListServices': { bucket: buckets.serviceRead as Bucket, phase: 2 },
  'ecs:DescribeServices': { bucket: buckets.serviceRead as Bucket, phase: 2 },
  'ecs:ListContainerInstances': { bucket: buckets.clusterResourceRead as Bucket, phase: 2 },
  'ecs:DescribeContainerInstances': { bucket: buckets.clusterResourceRead as Bucket, phase: 2 },
  'ecs:DescribeTaskDefinition': { bucket: buckets.taskDefinitionRead as Bucket, phase: 3 },
  'ec2:DescribeSubnets': { bucket: buckets.ec2Describe as Bucket, phase: 4 },
  'logs:DescribeLogGroups': { bucket: buckets.logsDescribe as Bucket, phase: 5 },
};

/** Seconds to make `calls` calls from a full bucket at `share` of its rate: the burst is free, the rest waits for refill. */
function drainSeconds(calls: number, bucket: Bucket, share: number): number {
  return Math.max(0, calls - bucket.burst * share) / (bucket.perSecond * share);
}

/** The audit's time at the documented rates: phases in sequence, the buckets of one phase in parallel. */
function timeUnderLimits(calls: Partial<Record<ReaderOperation, number>>, share: number): { total: number; phases: string[] } {
  const perPhase = new Map<number, Map<Bucket, number>>();
  for (const [operation, count] of Object.entries(calls)) {
    const entry = plan[operation];
    if (!entry) throw new Error(`no rate for ${operation}`);
    const phase = perPhase.get(entry.phase) ?? new Map<Bucket, number>();
    phase.set(entry.bucket, (phase.get(entry.bucket) ?? 0) + (count ?? 0));
    perPhase.set(entry.phase, phase);
  }
  let total = 0;
  const phases: string[] = [];
  for (const [phase, byBucket] of [...perPhase.entries()].sort(([a], [b]) => a - b)) {
    const times = [...byBucket.entries()].map(([bucket, n]) => ({ bucket, n, seconds: drainSeconds(n, bucket, share) }));
    const slowest = times.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    total += slowest.seconds;
    phases.push(`phase ${phase}: ${times.map((t) => `${t.bucket.name} ${t.n} calls`).join(', ')} → ${slowest.seconds.toFixed(1)} s`);
  }
  return { total, phases };
}

/** The account of the issue: 5,000 services in 50 clusters, every fifth cluster on EC2 (40 instances each). */
const SHAPE: AccountShape = { clusters: 50, services: 5000, ec2Every: 5, instancesPerEc2Cluster: 40, sharedEvery: 4 };

export interface AuditFigures {
  /** Calls recorded on the SDK clients the live reader created. */
  api_calls: number;
  api_calls_min: number;
  /** The audit's own count per operation, with the fewest possible. */
  calls: Record<string, { made: number; min: number }>;
  findings: number;
  /** At the documented rate limits, with the buckets to itself and with half of each left to other callers. */
  rate_limited_seconds: number;
  half_rate_limited_seconds: number;
  /** The bundled audit Lambda, in a fresh process, auditing the same account and filing its findings (local DynamoDB). */
  peak_rss_bytes: number;
  /** Human-readable detail for `npx tsx bench/audit.ts`. */
  lines: string[];
}

/** The bundled audit Lambda's peak RSS over one scheduled run against the mocked account. */
async function auditPeakRss(): Promise<number> {
  const local = await startDynalite('bench');
  try {
    const driver = await bundle('bench/lambda-driver.ts', 'audit-driver');
    const scheduled = { version: '0', id: 'bench-audit', 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT, time: new Date().toISOString(), region: REGION, resources: [], detail: {} };
    const run = await runDriver(driver.file, { function: 'audit', events: [scheduled], snapshot: {}, lenient: false, account: SHAPE }, lambdaEnv({ ...dynamoEnv(local), AWS_REGION: REGION }));
    if (run.failures.length > 0) throw new Error(`the bundled audit failed: ${run.failures.join('; ')}`);
    if (run.incidentEvents === 0) throw new Error('the bundled audit published no incident event: it did not audit the mocked account');
    return run.maxRssBytes;
  } finally {
    await local.stop();
  }
}

export async function measureAudit(): Promise<AuditFigures> {
  const account = mockAccount(SHAPE);
  const clients = mockAccountClients(account);
  const reader = liveReader({ region: REGION, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' } });
  const started = performance.now();
  const result = await auditAccount(reader, { region: REGION });
  const elapsed = performance.now() - started;
  const sdkCalls = clients.calls();
  clients.restore();

  const made = Object.values(result.summary.calls).reduce((a, b) => a + (b ?? 0), 0);
  const minimum = Object.values(account.minimum).reduce((a, b) => a + (b ?? 0), 0);
  const lines = [
    `account: ${result.summary.clusters} clusters, ${result.summary.services} services, ${result.summary.taskDefinitions} task definitions in use, ${result.summary.containerInstances} container instances; ${result.findings.length} findings (${result.summary.findings.critical} critical, ${result.summary.findings.warning} warning, ${result.summary.findings.info} info), ${result.summary.failedReads} failed reads`,
    `AWS calls: ${sdkCalls} on the SDK clients (audit's own count ${made}) vs minimum possible ${minimum}: ${(sdkCalls / minimum).toFixed(3)}× (target ≤ 1.05×)`,
  ];
  const calls: AuditFigures['calls'] = {};
  for (const operation of Object.keys(account.minimum) as ReaderOperation[]) {
    calls[operation] = { made: result.summary.calls[operation] ?? 0, min: account.minimum[operation] ?? 0 };
    lines.push(`  ${operation.padEnd(32)} ${String(calls[operation].made).padStart(5)} (minimum ${calls[operation].min})`);
  }
  const full = timeUnderLimits(result.summary.calls, 1);
  const half = timeUnderLimits(result.summary.calls, 0.5);
  for (const [label, { total, phases }] of [
    ['the buckets to itself', full],
    ['half of each bucket left to other callers', half],
  ] as const) {
    lines.push(`time under the documented rate limits, ${label}: ${total.toFixed(0)} s (Lambda allows 900 s)`, ...phases.map((line) => `  ${line}`));
  }
  lines.push(`(this run, mocked, no network: ${(elapsed / 1000).toFixed(1)} s)`);
  const peak = await auditPeakRss();
  lines.push(`the bundled audit Lambda over the same account, findings filed in a local DynamoDB: peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB`);
  return {
    api_calls: sdkCalls,
    api_calls_min: minimum,
    calls,
    findings: result.findings.length,
    rate_limited_seconds: full.total,
    half_rate_limited_seconds: half.total,
    peak_rss_bytes: peak,
    lines,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { lines } = await measureAudit();
  console.log(['audit of a mocked account (bench/audit.ts)', ...lines].join('\n  '));
}
