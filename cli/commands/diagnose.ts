import { parseArgs } from 'node:util';
import { diagnoseEvent, type EventDiagnosis } from '../../shared/diagnose';
import { type AccountReader, eventOnlyReader } from '../../shared/reader/port';
import { type Snapshot, snapshotProblem, snapshotReader } from '../../shared/reader/snapshot';
import { renderFinding } from '../../shared/render/text';
import { readJsonFile } from '../read-json';
import { type Command, type Io, UsageError } from '../usage';

function readerFrom(snapshotPath: string | undefined): AccountReader {
  if (!snapshotPath) return eventOnlyReader;
  const snapshot = readJsonFile(snapshotPath, 'snapshot');
  const problem = snapshotProblem(snapshot);
  if (problem) throw new UsageError(`snapshot ${snapshotPath}: ${problem}`);
  return snapshotReader(snapshot as Snapshot);
}

function printHuman(io: Io, index: number, result: EventDiagnosis): void {
  if (result.status === 'invalid') {
    io.out(`event #${index + 1}: ${result.message}`);
    return;
  }
  io.out(`event #${index + 1} ${result.id} (${result.detailType})`);
  if (result.status === 'unsupported') io.out('  not diagnosed: ecs-medic does not read this detail-type yet');
  else if (result.findings.length === 0) io.out('  no failure recognised');
  else io.out(result.findings.map(renderFinding).join('\n\n'));
}

export const diagnose: Command = {
  name: 'diagnose',
  summary: 'Diagnose EventBridge ECS events from a file, as the bot does',
  help: `Usage: ecs-medic diagnose --event FILE [--snapshot FILE] [--json]

Runs a whole EventBridge event (or a JSON array of events) through the same
path the Lambda uses: validate, classify, then check the account.

Options:
  --event FILE      the event, or a JSON array of events
  --snapshot FILE   AWS SDK responses keyed by operation and input, replayed
                    instead of calling AWS (see README, "Snapshots")
                    Without it, rules answer from the event alone and list
                    what they could not check.
  --json            one JSON object per event, in input order
  -h, --help        show this help

Exit status: 0 when every event was processed, 1 when any event was invalid,
2 on usage errors or an unreadable file.`,

  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { event: { type: 'string' }, snapshot: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (the event goes in --event FILE)`);
    if (!values.event) throw new UsageError('--event FILE is required');
    const input = readJsonFile(values.event, 'event file');
    const reader = readerFrom(values.snapshot);
    const events = Array.isArray(input) ? input : [input];

    let invalid = 0;
    for (const [index, event] of events.entries()) {
      const result = await diagnoseEvent(event, reader);
      if (result.status === 'invalid') invalid++;
      if (values.json) io.out(JSON.stringify({ index, ...result }));
      else printHuman(io, index, result);
    }
    return invalid > 0 ? 1 : 0;
  },
};
