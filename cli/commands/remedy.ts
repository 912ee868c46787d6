import { parseArgs } from 'node:util';
import { type IncidentDetail, incidentDetail } from '../../shared/bot/incident-event';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { fingerprint } from '../../shared/incidents/fingerprint';
import { parseIncidentEvent } from '../../shared/notify/incident';
import { type AccountReader, cachingReader } from '../../shared/reader/port';
import { optedInActions, parseRemediation, REMEDIATION_DEFAULTS, type RemediationConfig } from '../../shared/remedy/config';
import { type RemediationResult, remediationFlow } from '../../shared/remedy/flow';
import type { RemedyLedger } from '../../shared/remedy/ledger';
import type { RemedyDetail } from '../../shared/remedy/outcome';
import { remedies, remedyFor } from '../../shared/rules/remedies';
import type { RemedyAction } from '../../shared/rules/remedy';
import { shellArg } from '../../shared/rules/text';
import { dryRunWriter } from '../../shared/writer/dry-run';
import type { AccountWriter } from '../../shared/writer/port';
import { readJsonFile } from '../read-json';
import { echo } from '../terminal';
import { type Command, type Io, UsageError } from '../usage';
import { eventFileOf, eventRegion, liveAccount } from './diagnose';

/**
 * The human path to a remedy: the same guarded flow as the remediate Lambda
 * (shared/remedy/flow.ts), run from a laptop. The mode is the command line's
 * (dry-run unless --apply); the opt-in tag, the bounds, the CloudFormation
 * flag and the refusals are the flow's own. The cool-down and the budget live
 * in the bot's table: checked there with --table, and said to be unchecked
 * without it.
 */

/** A ledger that holds nothing: every claim succeeds, no change is remembered. Used only when the output says so. */
export const uncheckedLedger: RemedyLedger = {
  entry: async () => ({ lastChange: undefined, recorded: undefined }),
  claim: async () => ({ status: 'claimed' }),
  spendBudget: async () => true,
  release: async () => {},
  recordOutcome: async () => {},
};

export interface RemedyRun {
  finding: Finding;
  result: RemediationResult;
  /** The published outcome, when the flow published one. */
  published: RemedyDetail | undefined;
}

export interface RemedyDeps {
  config: RemediationConfig;
  reader: AccountReader;
  writer: AccountWriter;
  ledger: RemedyLedger;
  home: { account: string; region: string };
}

/** Runs each opened incident of a rule with a remedy through the guarded flow; other incidents are not its business. */
export async function runRemedies(incidents: readonly IncidentDetail[], deps: RemedyDeps): Promise<RemedyRun[]> {
  const runs: RemedyRun[] = [];
  for (const detail of incidents) {
    if (!remedyFor(detail.finding.rule)) continue;
    let published: RemedyDetail | undefined;
    const flow = remediationFlow({
      ...deps,
      publish: async (outcome) => {
        published = outcome;
      },
    });
    runs.push({ finding: detail.finding, result: await flow.handleIncident(detail), published });
  }
  return runs;
}

/** The incident a finding of an ECS event opens, as the diagnose Lambda would publish it. */
export function openedIncident(finding: Finding, trigger: IncidentDetail['trigger'], seen: string): IncidentDetail {
  return incidentDetail({ state: 'opened', fingerprint: fingerprint(finding), occurrences: 1, firstSeen: seen, lastSeen: seen, finding, trigger });
}

/** The opt-in command for a service the flow left alone for lack of the tag: its value keeps the actions it already lists. */
async function optInCommand(finding: Finding, action: RemedyAction, deps: RemedyDeps): Promise<string> {
  const { cluster, service } = finding.resource;
  const region = finding.resource.region ?? deps.home.region;
  let arn = `arn:aws:ecs:${region}:${finding.resource.account ?? deps.home.account}:service/${cluster ?? 'default'}/${service}`;
  let listed: string[] = [];
  try {
    // The flow read it already: the caching reader answers from memory.
    const answer = await deps.reader.read('ecs:DescribeServices', { cluster, services: [service as string], include: ['TAGS'] });
    const read = answer.services?.find((s) => s.serviceName === service || s.serviceArn === service);
    arn = read?.serviceArn ?? arn;
    listed = optedInActions(read?.tags, deps.config.tagKey);
  } catch {
    // The flow reported an unreadable service already; the command names the ARN it would have.
  }
  const value = [...new Set([...listed, action])].join(' ');
  return `aws ecs tag-resource --resource-arn ${shellArg(arn, 'service-arn')} --tags ${shellArg(`key=${deps.config.tagKey},value=${value}`, 'tag')} --region ${shellArg(region, 'region')}`;
}

export type Verdict = 'ok' | 'refused';

/** Prints one run the way an alert reads it; says whether it was a refusal or failure (exit 1) or not. */
export async function printRun(io: Io, run: RemedyRun, deps: RemedyDeps): Promise<Verdict> {
  const { result, published } = run;
  const remedy = remedyFor(run.finding.rule);
  if (result.status === 'ignored') {
    io.out(`remedy: not considered: ${echo(result.why)}`);
    return 'ok';
  }
  if (!published) {
    io.out(`remedy (not opted in): ${echo(result.status === 'quiet' ? result.why : '')}`);
    if (remedy) {
      io.out('  opt in (the same tag the bot reads), then run this again:');
      io.out(`    ${await optInCommand(run.finding, remedy.action, deps)}`);
    }
    return 'refused';
  }
  // The outcome's texts are bounded already (remedyDetail), and whole: a command cut short would not paste.
  const { outcome } = published;
  const nothingToDo = result.status === 'published' && result.nothingToDo === true;
  io.out(`remedy (${nothingToDo ? 'nothing to do' : outcome.status}): ${outcome.summary}`);
  if (outcome.reason && outcome.status !== 'skipped') io.out(`  why:       ${outcome.reason}`);
  for (const value of outcome.values) io.out(`  value:     ${value.target}: ${value.before} → ${value.after}`);
  const stepLabel = outcome.status === 'dry-run' ? 'API call:  ' : 'done:      ';
  for (const step of outcome.done) io.out(`  ${stepLabel}${step}`);
  if (outcome.undo.length > 0) {
    io.out('  undo:');
    for (const command of outcome.undo) io.out(`    ${command}`);
  }
  if (outcome.managedBy) {
    io.out(`  managed by CloudFormation stack ${outcome.managedBy.stack}: the next deploy may set it back; change the template too:`);
    for (const line of outcome.managedBy.templateLines) io.out(`    ${line}`);
  }
  return outcome.status === 'failed' || (outcome.status === 'skipped' && !nothingToDo) ? 'refused' : 'ok';
}

/** The remediation settings: a `remediation` object, or a cdk.json holding one in its context. */
function configFrom(path: string | undefined): RemediationConfig {
  if (!path) return REMEDIATION_DEFAULTS;
  const raw = readJsonFile(path, 'config') as { context?: { remediation?: unknown } } | null;
  const settings = raw && typeof raw === 'object' && 'context' in raw ? raw.context?.remediation : raw;
  try {
    return parseRemediation(settings, path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

interface Envelope {
  id?: unknown;
  account?: unknown;
  time?: unknown;
  source?: unknown;
}

export const remedy: Command = {
  name: 'remedy',
  summary: 'Plan (or, with --apply, make) the auto-fix for an event, with the bot\'s guardrails',
  help: `Usage: ecs-medic remedy --event FILE [--apply] [--table NAME] [--config FILE]
                      [--region R] [--profile P]

Runs the remediate Lambda's guarded flow from your terminal, for the rules
with a remedy (health-check-grace-period, log-group-missing). FILE is an ECS
EventBridge event (as for "diagnose"; it is diagnosed against the account
first) or an ecs-medic incident event ("ECS Medic Incident", opened).

Without --apply it is a dry run and read-only: it prints what it would do, the
exact API call, and the command that undoes it. With --apply it makes that
change with your credentials (the standard AWS credential chain, or --profile).

The same guardrails as the bot: the service must carry the opt-in tag
(ecs-medic:auto-fix listing the action; the command to add it is printed),
the grace period is never lowered nor raised above the ceiling (600 s), only
while the loop is ongoing and never twice; log groups only under the allowed
prefixes (/ecs/); a service a CloudFormation stack manages is flagged with the
template line to change; AccessDenied is reported, never retried.

Options:
  --event FILE     an ECS event or an ecs-medic incident event (or an array)
  --apply          make the change (default: dry run, nothing written)
  --table NAME     the bot's DynamoDB table (stack output IncidentTableName):
                   with --apply the change claims the service's cool-down and
                   the account's hourly budget there, as the bot's would, and
                   a raise made before is not repeated. Without it, neither is
                   checked, and the output says so
  --config FILE    the deployment's remediation settings: a cdk.json (its
                   context.remediation) or that object; default the built-in
                   defaults. Its modes are ignored: --apply is the mode
  --region R       region to read and change; default AWS_REGION,
                   AWS_DEFAULT_REGION, the profile's region, else the event's
  --profile P      named profile from the shared AWS config files
  -h, --help       show this help

Exit status: 0 when every remedy was planned (dry run), made (--apply), or had
nothing to do (or the events need none); 1 when one was refused (not opted in,
a guardrail, cooling down) or failed, or an event is invalid; 2 on usage
errors or an unreadable file.`,

  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { event: { type: 'string' }, apply: { type: 'boolean' }, table: { type: 'string' }, config: { type: 'string' }, region: { type: 'string' }, profile: { type: 'string' } },
    });
    const eventFile = eventFileOf(values.event, positionals);
    if (values.table !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(values.table)) throw new UsageError(`--table "${echo(values.table)}" is not a DynamoDB table name`);
    const base = configFrom(values.config);
    const mode = values.apply ? 'on' : 'dry-run';
    const config: RemediationConfig = { ...base, modes: { 'grace-period': mode, 'log-group': mode } };
    const input = readJsonFile(eventFile, 'event file');
    const events = Array.isArray(input) ? input : [input];

    const account = await liveAccount(values);
    const writer: AccountWriter = values.apply
      ? (await import('../../shared/writer/live')).liveWriter({ credentials: account.credentials })
      : // A dry run never holds a writer that could change anything.
        dryRunWriter();
    let ledger = uncheckedLedger;
    if (values.table) {
      const [{ DynamoDBClient }, { incidentDocumentClient }, { dynamoRemedyLedger }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('../../shared/incidents/store'),
        import('../../shared/remedy/ledger'),
      ]);
      // The table is in the bot's Region, which is the incidents' own.
      const tableRegion = account.region ?? eventRegion(events[0]);
      if (!tableRegion) throw new UsageError('--table needs a region: pass --region');
      const client = incidentDocumentClient(new DynamoDBClient({ region: tableRegion, credentials: account.credentials }));
      ledger = dynamoRemedyLedger({ client, tableName: values.table, coolDownSeconds: config.coolDownHours * 3600, budgetPerHour: config.budgetPerHour });
    }

    let refused = 0;
    let runs = 0;
    for (const [index, event] of events.entries()) {
      const envelope = (event ?? {}) as Envelope;
      const region = account.region ?? eventRegion(event);
      if (!region) throw new UsageError(`event #${index + 1} names no region and none is configured: pass --region`);
      if (account.region && eventRegion(event) && eventRegion(event) !== account.region) {
        io.err(`ecs-medic: note: event #${index + 1} is from ${eventRegion(event)}; reading and changing the account in ${account.region}`);
      }
      const reader = cachingReader(account.readerIn(region));
      const deps: RemedyDeps = { config, reader, writer, ledger, home: { account: typeof envelope.account === 'string' ? envelope.account : '', region } };
      let incidents: IncidentDetail[];
      if (envelope.source === 'ecs-medic') {
        const parsed = parseIncidentEvent(event);
        if (parsed.status === 'invalid') {
          io.out(`event #${index + 1}: not an incident event: ${parsed.field} ${parsed.problem}`);
          refused++;
          continue;
        }
        incidents = [parsed.detail];
      } else {
        const diagnosis = await diagnoseEvent(event, reader);
        if (diagnosis.status === 'invalid') {
          io.out(`event #${index + 1}: ${diagnosis.message}`);
          refused++;
          continue;
        }
        const seen = typeof envelope.time === 'string' ? envelope.time : new Date().toISOString();
        const trigger = { id: diagnosis.id, detailType: diagnosis.detailType };
        incidents = diagnosis.status === 'diagnosed' ? diagnosis.findings.map((finding) => openedIncident(finding, trigger, seen)) : [];
      }
      io.out(`event #${index + 1} ${echo(String(envelope.id ?? ''))}`);
      const planned = await runRemedies(incidents, deps);
      if (planned.length === 0) io.out(`no finding with a remedy (only ${Object.values(remedies).map((r) => r.rule).join(' and ')} have one)`);
      for (const run of planned) {
        io.out(`finding: ${echo(run.finding.title)}`);
        if ((await printRun(io, run, deps)) === 'refused') refused++;
        runs++;
      }
    }
    if (runs > 0) io.out(ledgerNote(values.table, values.apply === true));
    return refused > 0 ? 1 : 0;
  },
};

function ledgerNote(table: string | undefined, apply: boolean): string {
  if (!table) {
    return "cool-down and budget: not checked (no --table): the bot's ledger was not read, so a raise it already made is not known, and a change made here does not count against its cool-down or hourly budget";
  }
  return apply
    ? `cool-down and budget: checked in table ${table}; a change made here counts against the bot's`
    : `cool-down and budget: checked only with --apply (a dry run claims nothing); the last change was read from table ${table}`;
}
