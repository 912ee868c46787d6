/**
 * `npm run bench`: one run of every bench module, printed as one table; `npm run bench -- --json` prints the
 * same figures as one JSON object. Each figure is a ratio or count from this run (machines are noisy: a ratio
 * of two things measured interleaved holds where milliseconds do not). Every function of the stack
 * (infra/sizes.ts) gets its rows, from its entry in bench/functions.ts.
 */
import { readFileSync } from 'node:fs';
import { AUDIT_TIMEOUT_SECONDS, FUNCTION_NAMES, type FunctionName, MEMORY_MARGIN, MEMORY_MB } from '../infra/sizes';
import { type AuditFigures, measureAudit } from './audit';
import { type BotFigures, measureBot } from './bot';
import { type ColdStartFigures, measureColdStart } from './bundles';
import { type ClassifyFigures, measureClassify } from './classify';
import { functionBenches, peakRssRuns } from './functions';
import { measureStorm, type StormFigures } from './memory';

const progress = (what: string) => process.stderr.write(`bench: ${what}…\n`);

async function measure() {
  progress('classification and the explain process');
  const classify: ClassifyFigures = await measureClassify();
  progress('bundles and cold start (fresh processes)');
  const coldStart: ColdStartFigures = await measureColdStart();
  progress('AWS calls per scenario');
  const bot: BotFigures = await measureBot();
  progress('the storm through the bundled Lambdas');
  const storm: StormFigures = await measureStorm();
  progress('the audit');
  const audit: AuditFigures = await measureAudit();

  /** A function's peak RSS, from the run its bench entry names. */
  const peakRss = (name: FunctionName): { bytes: number | null; over: string | null; not_measured: string | null } => {
    const source = functionBenches[name].peakRss;
    if (typeof source !== 'string') return { bytes: null, over: null, not_measured: source.notMeasured };
    const bytes = source === 'storm' ? storm.peak_rss_bytes[name] : audit.peak_rss_bytes;
    if (bytes === undefined) throw new Error(`the storm does not run ${name}: bench/functions.ts names the wrong run for its peak RSS`);
    return { bytes, over: peakRssRuns[source], not_measured: null };
  };

  const functionFigures = (name: FunctionName) => {
    const cold = coldStart.functions[name];
    const peak = peakRss(name);
    return {
      bundle_bytes: cold.bundle_bytes,
      index_bytes: cold.index_bytes,
      floor_bundle_bytes: cold.floor_bundle_bytes,
      floor_clients: functionBenches[name].floor,
      sdk_clients_bundled: cold.sdk_clients_bundled.length,
      sdk_clients_in_index: cold.sdk_clients_in_index,
      import_ms: cold.import_ms,
      floor_import_ms: cold.floor_import_ms,
      init_ratio: cold.init_ratio,
      peak_rss_bytes: peak.bytes,
      peak_rss_over: peak.over,
      peak_rss_not_measured: peak.not_measured,
      memory_size_mb: MEMORY_MB[name],
      memory_headroom: peak.bytes === null ? null : (MEMORY_MB[name] * 1024 * 1024) / peak.bytes,
    };
  };
  const functions = {} as Record<FunctionName, ReturnType<typeof functionFigures>>;
  for (const name of FUNCTION_NAMES) functions[name] = functionFigures(name);

  const report = {
    functions,
    first_investigation_ratio: coldStart.first_investigation.ratio,
    first_investigation: coldStart.first_investigation,
    classify_us: classify.classify_us,
    parse_us: classify.parse_us,
    classify_vs_parse_ratio: classify.classify_vs_parse_ratio,
    explain_ms: classify.explain_ms,
    node_ms: classify.node_ms,
    explain_vs_node_ratio: classify.explain_vs_node_ratio,
    api_calls: { ...bot.api_calls, audit: audit.api_calls, audit_min: audit.api_calls_min },
    dynamodb_calls_per_delivery: bot.dynamodb_calls_per_delivery,
    other_incidents: bot.other_incidents,
    audit_api_calls_ratio: audit.api_calls / audit.api_calls_min,
    audit: {
      calls: audit.calls,
      findings: audit.findings,
      rate_limited_seconds: audit.rate_limited_seconds,
      half_rate_limited_seconds: audit.half_rate_limited_seconds,
    },
    storm_events: storm.events,
    storm_alerts: storm.storm_alerts,
    storm_resolutions: storm.storm_resolutions,
    dynamodb_calls_per_event: storm.dynamodb_calls_per_event,
    storm_failures: storm.failures,
  };
  return report;
}

type Report = Awaited<ReturnType<typeof measure>>;

function printTable(report: Report): void {
  const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const x = (ratio: number) => `${ratio.toFixed(2)}×`;
  const rows: [string, string, string, string, string][] = [];
  for (const name of Object.keys(report.functions) as FunctionName[]) {
    const f = report.functions[name];
    rows.push([
      `${name}: import (median of 15 fresh processes)`,
      `${ms(f.import_ms)}; index.mjs ${kb(f.index_bytes)} (${f.sdk_clients_in_index.length} SDK clients) of ${kb(f.bundle_bytes)} (${f.sdk_clients_bundled}; the others load on first use)`,
      `floor (${f.floor_clients.join(', ')} only): ${ms(f.floor_import_ms)}, ${kb(f.floor_bundle_bytes)}`,
      x(f.init_ratio),
      '≤ 1.25×',
    ]);
    if (f.peak_rss_bytes === null || f.memory_headroom === null) {
      rows.push([`${name}: peak RSS`, `not measured: ${f.peak_rss_not_measured}`, `memorySize ${f.memory_size_mb} MB`, '', `≥ ${MEMORY_MARGIN.toFixed(2)}×`]);
      continue;
    }
    rows.push([
      `${name}: peak RSS over ${f.peak_rss_over}`,
      mib(f.peak_rss_bytes),
      `memorySize ${f.memory_size_mb} MB`,
      `${x(f.memory_headroom)} headroom`,
      `≥ ${MEMORY_MARGIN.toFixed(2)}×`,
    ]);
  }
  const first = report.first_investigation;
  rows.push([
    'diagnose: import + first investigation of the restart loop (ms since process start)',
    ms(first.ms),
    `floor (${first.floor_clients.join(', ')}, the same calls): ${ms(first.floor_ms)}`,
    x(first.ratio),
    '',
  ]);
  rows.push([
    'validate + classify a parsed task-state-change event',
    `${report.classify_us.toFixed(1)} µs`,
    `JSON.parse of the same bytes: ${report.parse_us.toFixed(1)} µs`,
    x(report.classify_vs_parse_ratio),
    '≤ 1.00×',
  ]);
  rows.push(['ecs-medic explain, whole process', ms(report.explain_ms), `node -e '': ${ms(report.node_ms)}`, x(report.explain_vs_node_ratio), '']);
  const calls = report.api_calls;
  const scenarios: [string, number, number][] = [
    ['restart loop, first incident', calls.restart_loop, calls.restart_loop_min],
    ['PENDING pileup, first incident', calls.pending, calls.pending_min],
    ['secrets (3 secrets, 2 CMKs, private subnet), first incident', calls.secrets, calls.secrets_min],
    ['failed deployment (breaker failure, then its rollback), first incident', calls.failed_deployment, calls.failed_deployment_min],
    ['duplicate delivery', calls.duplicate_delivery, calls.duplicate_delivery_min],
    ['repeat of an open incident', calls.repeat, calls.repeat_min],
    ['PENDING re-check, incident open', calls.recheck, calls.recheck_min],
    ['PENDING re-check opening the incident', calls.recheck_opening, calls.recheck_opening_min],
    ['audit of 5,000 services in 50 clusters', calls.audit, calls.audit_min],
  ];
  for (const [label, count, min] of scenarios) {
    rows.push([`AWS calls: ${label}`, String(count), `minimum ${min}`, min > 0 ? x(count / min) : count === 0 ? '—' : '∞', '']);
  }
  rows.push([
    'audit of 5,000 services in 50 clusters: time at the documented rate limits',
    `${report.audit.rate_limited_seconds.toFixed(0)} s; ${report.audit.half_rate_limited_seconds.toFixed(0)} s with half of each bucket left to other callers`,
    `Lambda timeout: ${AUDIT_TIMEOUT_SECONDS} s`,
    `${x(report.audit.half_rate_limited_seconds / AUDIT_TIMEOUT_SECONDS)} (at half)`,
    '≤ 1.00×',
  ]);
  for (const [scenario, incidents] of Object.entries(report.other_incidents)) {
    if (incidents.length > 0) rows.push([`incidents besides the scenario's own: ${scenario.replace('_', ' ')}`, incidents.join('; '), 'want none', '', '']);
  }
  for (const [scenario, d] of Object.entries(report.dynamodb_calls_per_delivery)) {
    rows.push([`DynamoDB calls per delivery: ${scenario.replace('_', ' ')}`, `first ${d.first}; later ${d.later.join(', ') || '–'}`, `exact duplicate of the first: ${d.duplicate}`, '', '']);
  }
  rows.push([
    `storm: ${report.storm_events} events, 20 looping services in 3 clusters, 4 diagnose environments`,
    `${report.storm_alerts} alerts, ${report.storm_resolutions} resolutions`,
    'want 20 and 20',
    `${report.dynamodb_calls_per_event.toFixed(2)} DynamoDB calls/event`,
    '',
  ]);
  console.log('| figure | measured | baseline (same run) | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  if (report.storm_failures.length > 0) console.log(`\nstorm failures: ${report.storm_failures.slice(0, 5).join('; ')}`);
}

// `--from FILE` prints the table of a report saved with --json: the table and the JSON of one run.
const from = process.argv.indexOf('--from');
const report: Report = from >= 0 ? (JSON.parse(readFileSync(process.argv[from + 1] ?? '', 'utf8')) as Report) : await measure();
if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
else printTable(report);
