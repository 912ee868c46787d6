import { parseArgs } from 'node:util';
import { diagnoseEvent, type EventDiagnosis } from '../../shared/diagnose';
import type { Credentials } from '../../shared/reader/live';
import { type AccountReader, eventOnlyReader } from '../../shared/reader/port';
import { type Snapshot, snapshotProblem, snapshotReader } from '../../shared/reader/snapshot';
import { readJsonFile } from '../read-json';
import { echo, renderForTerminal } from '../terminal';
import { type Command, type Io, UsageError } from '../usage';

function snapshotFrom(path: string): AccountReader {
  const snapshot = readJsonFile(path, 'snapshot');
  const problem = snapshotProblem(snapshot);
  if (problem) throw new UsageError(`snapshot ${path}: ${problem}`);
  return snapshotReader(snapshot as Snapshot);
}

export function eventRegion(event: unknown): string | undefined {
  const region = (event as { region?: unknown } | null)?.region;
  return typeof region === 'string' && region ? region : undefined;
}

interface ReaderChoice {
  snapshot?: string | undefined;
  offline?: boolean | undefined;
  region?: string | undefined;
  profile?: string | undefined;
}

export interface LiveAccount {
  /** The region named by --region or the AWS configuration, if any. */
  region: string | undefined;
  credentials: Credentials;
  /** The live reader of a region (one per region, sharing the credentials). */
  readerIn(region: string | undefined): AccountReader;
}

/** The account as the standard credential chain (or the profile) reaches it. Loads the AWS SDK, so only live runs pay for it. */
export async function liveAccount(values: Pick<ReaderChoice, 'region' | 'profile'>): Promise<LiveAccount> {
  const { configuredRegion, credentialsOnce, liveReader } = await import('../../shared/reader/live');
  const { profile } = values;
  const region = values.region ?? (await configuredRegion(profile));
  // One credential chain for the whole run: without credentials every read fails at once, after one probe.
  const credentials = credentialsOnce(region, profile);
  const readers = new Map<string | undefined, AccountReader>();
  return {
    region,
    credentials,
    readerIn(readRegion) {
      let reader = readers.get(readRegion);
      if (!reader) {
        reader = liveReader({ region: readRegion, profile, credentials });
        readers.set(readRegion, reader);
      }
      return reader;
    },
  };
}

/** Picks the reader for each event: a snapshot, none (--offline), or the account itself. */
async function readerFor(values: ReaderChoice, io: Io): Promise<(event: unknown, index: number) => AccountReader> {
  if (values.snapshot) {
    const reader = snapshotFrom(values.snapshot);
    return () => reader;
  }
  if (values.offline) return () => eventOnlyReader;
  const account = await liveAccount(values);
  const { region } = account;
  return (event, index) => {
    const own = eventRegion(event);
    if (region && own && own !== region) {
      io.err(`ecs-medic: note: event #${index + 1} is from ${own}; reading the account in ${region}`);
    }
    // With no region configured anywhere, the event says where its resources are.
    return account.readerIn(region ?? own);
  };
}

/** The `--event FILE` of a command that takes one (diagnose, remedy): required, and the only way to name it. */
export function eventFileOf(event: string | undefined, positionals: readonly string[]): string {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${echo(positionals[0] as string)}" (the event goes in --event FILE)`);
  if (!event) throw new UsageError('--event FILE is required');
  return event;
}

function printHuman(io: Io, index: number, result: EventDiagnosis): void {
  if (result.status === 'invalid') {
    io.out(`event #${index + 1}: ${result.message}`);
    return;
  }
  io.out(`event #${index + 1} ${echo(result.id)} (${echo(result.detailType)})`);
  if (result.status === 'unsupported') io.out('  not diagnosed: ecs-medic does not read this detail-type yet');
  else if (result.findings.length === 0) io.out('  no failure recognised');
  else io.out(result.findings.map(renderForTerminal).join('\n\n'));
}

export const diagnose: Command = {
  name: 'diagnose',
  summary: 'Diagnose EventBridge ECS events from a file, as the bot does',
  help: `Usage: ecs-medic diagnose --event FILE [--region R] [--profile P] [--json]
       ecs-medic diagnose --event FILE --snapshot FILE [--json]
       ecs-medic diagnose --event FILE --offline [--json]

Runs a whole EventBridge event (or a JSON array of events) through the same
path the Lambda uses: validate, classify, then check the account.

By default the checks read the account live, read-only (Describe, List, Get
and SimulatePrincipalPolicy calls), with the standard AWS credential chain
(environment, shared config and credentials files, SSO, container or instance
role). A read that fails (no credentials, AccessDenied, throttling, timeout)
is listed under "not checked" with the reason; the diagnosis still completes.

Options:
  --event FILE      the event, or a JSON array of events
  --region R        region to read; default AWS_REGION, AWS_DEFAULT_REGION,
                    then the profile's region, else each event's own region
  --profile P       named profile from the shared AWS config files
  --snapshot FILE   AWS SDK responses keyed by operation and input, replayed
                    instead of calling AWS (see README, "Snapshots")
  --offline         no AWS calls: rules answer from the event alone and list
                    what they could not check
  --json            one JSON object per event, in input order
  -h, --help        show this help

Off EC2 without credentials, AWS_EC2_METADATA_DISABLED=true skips the SDK's
instance-metadata probe (up to a second per attempt).

Exit status: 0 when every event was processed, 1 when any event was invalid,
2 on usage errors or an unreadable file.`,

  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        event: { type: 'string' },
        snapshot: { type: 'string' },
        offline: { type: 'boolean' },
        region: { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const eventFile = eventFileOf(values.event, positionals);
    if (values.snapshot && values.offline) throw new UsageError('--snapshot and --offline exclude each other');
    if ((values.region || values.profile) && (values.snapshot || values.offline)) {
      throw new UsageError('--region and --profile apply to live reads only, not with --snapshot or --offline');
    }
    const input = readJsonFile(eventFile, 'event file');
    const reader = await readerFor(values, io);
    const events = Array.isArray(input) ? input : [input];

    let invalid = 0;
    for (const [index, event] of events.entries()) {
      const result = await diagnoseEvent(event, reader(event, index));
      if (result.status === 'invalid') invalid++;
      if (values.json) io.out(JSON.stringify({ index, ...result }));
      else printHuman(io, index, result);
    }
    return invalid > 0 ? 1 : 0;
  },
};
