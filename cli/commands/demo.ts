import { parseArgs } from 'node:util';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { fingerprint } from '../../shared/incidents/fingerprint';
import { snapshotReader } from '../../shared/reader/snapshot';
import { REMEDIATION_DEFAULTS } from '../../shared/remedy/config';
import { dryRunWriter } from '../../shared/writer/dry-run';
import { loadScenarios, type Scenario } from '../scenarios';
import { echo, renderForTerminal } from '../terminal';
import { type Command, type Io, UsageError } from '../usage';
import { openedIncident, printRun, type RemedyDeps, runRemedies, uncheckedLedger } from './remedy';

export interface Incident {
  finding: Finding;
  /** How many findings of the scenario's events fell into this incident. */
  occurrences: number;
}

/** Replays a scenario's events against its snapshot and groups the findings into incidents, first seen first, each with the evidence of all its findings. */
export async function replay(scenario: Scenario): Promise<{ incidents: Incident[]; invalid: string[] }> {
  const reader = snapshotReader(scenario.snapshot);
  const incidents = new Map<string, Incident>();
  const invalid: string[] = [];
  for (const event of scenario.events) {
    const result = await diagnoseEvent(event, reader);
    if (result.status === 'invalid') {
      invalid.push(result.message);
      continue;
    }
    for (const finding of result.findings) {
      const key = fingerprint(finding);
      const known = incidents.get(key);
      if (!known) {
        incidents.set(key, { finding: { ...finding, evidence: [...finding.evidence] }, occurrences: 1 });
        continue;
      }
      known.occurrences++;
      // What a repeat saw that the first finding did not (the rollback event of a failed deployment) joins the incident.
      for (const item of finding.evidence) {
        if (!known.finding.evidence.some((e) => e.source === item.source && e.observed === item.observed)) known.finding.evidence.push(item);
      }
    }
  }
  return { incidents: [...incidents.values()], invalid };
}

interface ScenarioEvent {
  id?: string;
  'detail-type'?: string;
  time?: string;
  account?: string;
  region?: string;
}

/** The dry-run plan of an incident whose rule has a remedy, from the scenario's snapshot: what the bot would change, and how to undo it. */
async function printRemedyPlan(io: Io, scenario: Scenario, { finding }: Incident): Promise<void> {
  const first = (scenario.events[0] ?? {}) as ScenarioEvent;
  const deps: RemedyDeps = {
    config: REMEDIATION_DEFAULTS,
    reader: snapshotReader(scenario.snapshot),
    writer: dryRunWriter(),
    ledger: uncheckedLedger,
    home: { account: first.account ?? '', region: first.region ?? '' },
  };
  const trigger = { id: first.id ?? '', detailType: first['detail-type'] ?? '' };
  for (const run of await runRemedies([openedIncident(finding, trigger, first.time ?? '')], deps)) {
    await printRun(io, run, deps);
    io.out('');
  }
}

export const demo: Command = {
  name: 'demo',
  summary: 'Replay the built-in failure scenarios offline and print the alerts',
  help: `Usage: ecs-medic demo [--json] [SCENARIO...]

Replays built-in scenarios (real AWS event shapes and SDK responses, no AWS
account needed) through the same path the bot uses, and prints each incident
the way it reads in an alert. Repeated findings of one incident print once.
For an incident whose rule has a remedy, the dry-run plan follows: what the
bot would change, the API call, and the command that undoes it.

Options:
  --json       one JSON object per scenario: {"scenario", "title", "findings": [...]}
  -h, --help   show this help

SCENARIO limits the run to those scenario ids (the file names in cli/scenarios/).`,

  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    const all = loadScenarios();
    const unknown = positionals.filter((id) => !all.some((s) => s.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown scenario "${echo(unknown[0] as string)}"; known: ${all.map((s) => s.id).join(', ')}`);
    const scenarios = positionals.length > 0 ? all.filter((s) => positionals.includes(s.id)) : all;

    for (const [i, scenario] of scenarios.entries()) {
      const { incidents, invalid } = await replay(scenario);
      if (values.json) {
        io.out(JSON.stringify({ scenario: scenario.id, title: scenario.title, findings: incidents.map((x) => x.finding) }));
        continue;
      }
      if (i > 0) io.out('');
      io.out(`━━ ${scenario.title}  [${scenario.id}]`);
      io.out(scenario.story);
      io.out('');
      for (const message of invalid) io.out(`(${message})`);
      for (const incident of incidents) {
        io.out(renderForTerminal(incident.finding));
        if (incident.occurrences > 1) io.out(`  seen:      ${incident.occurrences} times in this scenario, alerted once`);
        io.out('');
        await printRemedyPlan(io, scenario, incident);
      }
    }
    return 0;
  },
};
