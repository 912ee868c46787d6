/**
 * Cold start. Each Lambda's bundle (built as the stack builds it) against a floor bundle that only imports and
 * constructs the SDK clients every invocation of that function needs (bench/functions.ts): size, and import time in fresh Node
 * processes, interleaved. Then the diagnose Lambda's import plus its first investigation of the restart-loop
 * scenario against a floor that imports and constructs only the clients that investigation uses and makes the
 * same calls (account reads through the same mocks, DynamoDB round trips to the same local server).
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { Metafile } from 'esbuild';
import { loadScenarios } from '../cli/scenarios';
import { FUNCTION_NAMES, type FunctionName } from '../infra/sizes';
import { incidentTableSchema } from '../shared/incidents/store';
import { createIncidentTable, dynamoEnv, startDynalite } from '../tests/support/dynalite';
import { type ClientClass, functionBenches, sdkPackages } from './functions';
import { bundle, importMs, lambdaEnv, median, runDriver, writeEntry } from './lambda-bundle';

/** The client class by the service prefix of reader operations. */
const clientOfService: Record<string, ClientClass> = { ecs: 'ECSClient', elasticloadbalancing: 'ElasticLoadBalancingV2Client' };

export interface FunctionColdStart {
  /** The asset's code: index.mjs and the chunks it imports on demand. */
  bundle_bytes: number;
  /** index.mjs alone: what every cold start parses. */
  index_bytes: number;
  floor_bundle_bytes: number;
  /** SDK client packages in the asset (index.mjs or a chunk). */
  sdk_clients_bundled: string[];
  /** SDK client packages in index.mjs: parsed and evaluated at every cold start. */
  sdk_clients_in_index: string[];
  import_ms: number;
  floor_import_ms: number;
  init_ratio: number;
}

export interface ColdStartFigures {
  functions: Record<FunctionName, FunctionColdStart>;
  /** Restart loop: import + first investigation, against its floor (ms since process start, medians). */
  first_investigation: { ms: number; floor_ms: number; ratio: number; floor_clients: string[] };
}

/** The SDK client packages in a bundle's outputs (all of them, or those `only` selects), from esbuild's metafile. */
function sdkClients(metafile: Metafile, only: (output: string) => boolean = () => true): string[] {
  const packages = new Set<string>();
  const inputs = Object.entries(metafile.outputs).flatMap(([output, o]) => (only(output) ? Object.keys(o.inputs) : []));
  for (const input of inputs) {
    const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
    if (match?.[1]) packages.add(match[1]);
  }
  return [...packages].sort();
}

function importLines(classes: Iterable<ClientClass>, commands: Map<ClientClass, Set<string>> = new Map()): string {
  return [...new Set(classes)]
    .map((cls) => `import { ${[cls, ...(commands.get(cls) ?? [])].join(', ')} } from '${sdkPackages[cls]}';`)
    .join('\n');
}

function floorEntry(name: string, classes: ClientClass[]): string {
  const constructed = classes.map((cls, i) => `export const c${i} = new ${cls}({});`).join('\n');
  return writeEntry(`${name}-floor-entry`, `${importLines(classes)}\n${constructed}\n`);
}

const ROUNDS = 15;

/** Median import times of a handler bundle and its floor, interleaved in fresh processes. */
async function functionColdStart(name: FunctionName): Promise<FunctionColdStart> {
  const handler = await bundle(`functions/${name}/handler.ts`, name);
  const floor = await bundle(floorEntry(name, functionBenches[name].floor), `${name}-floor`);
  const env = lambdaEnv();
  const handlerTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    handlerTimes.push(importMs(handler.file, env));
    floorTimes.push(importMs(floor.file, env));
  }
  const [h, f] = [median(handlerTimes), median(floorTimes)];
  return {
    bundle_bytes: handler.bytes,
    index_bytes: handler.entryBytes,
    floor_bundle_bytes: floor.bytes,
    sdk_clients_bundled: sdkClients(handler.metafile),
    sdk_clients_in_index: sdkClients(handler.metafile, (output) => output.endsWith('/index.mjs')),
    import_ms: h,
    floor_import_ms: f,
    init_ratio: h / f,
  };
}

/**
 * The floor of one investigation: import and construct the clients it uses, then make its calls: each account
 * read through the same mocks, as many DynamoDB round trips (GetItem) to the same server, one PutEvents.
 */
function investigationFloorEntry(operations: string[], dynamoCalls: number): string {
  const commands = new Map<ClientClass, Set<string>>();
  const reads = operations.map((operation) => {
    const [service = '', name = ''] = operation.split(':');
    const cls = clientOfService[service];
    if (!cls) throw new Error(`the floor knows no client for ${operation}`);
    commands.set(cls, (commands.get(cls) ?? new Set()).add(`${name}Command`));
    return `await clients.${cls}.send(new ${name}Command({}));`;
  });
  const classes = [...functionBenches.diagnose.floor, ...commands.keys()];
  const account = [...commands.keys()];
  commands.set('DynamoDBClient', new Set(['GetItemCommand']));
  commands.set('EventBridgeClient', new Set(['PutEventsCommand']));
  const source = `import { mockClient } from 'aws-sdk-client-mock';
${importLines(classes, commands)}
const clients = { ${[...new Set(classes)].map((cls) => `${cls}: new ${cls}({})`).join(', ')} };
${[...account, 'EventBridgeClient', 'SQSClient'].map((cls) => `mockClient(${cls}).onAnyCommand().resolves({});`).join('\n')}
${reads.join('\n')}
for (let i = 0; i < ${dynamoCalls}; i++) {
  await clients.DynamoDBClient.send(new GetItemCommand({ TableName: 'bench', Key: { ${incidentTableSchema.partitionKey.name}: { S: 'bench-' + i } } }));
}
await clients.EventBridgeClient.send(new PutEventsCommand({ Entries: [] }));
process.stdout.write('\\n' + JSON.stringify({ handledAt: [performance.now()] }) + '\\n');
`;
  return writeEntry('first-investigation-floor-entry', source);
}

async function firstInvestigation(): Promise<ColdStartFigures['first_investigation']> {
  const scenario = loadScenarios().find((s) => s.id === 'health-check-grace-period');
  if (!scenario) throw new Error('scenario health-check-grace-period is missing');
  const local = await startDynalite('bench');
  try {
    const env = lambdaEnv(dynamoEnv(local));
    const driver = await bundle('bench/lambda-driver.ts', 'diagnose-driver');
    const input = { function: 'diagnose' as const, events: scenario.events.slice(0, 1), snapshot: scenario.snapshot, lenient: false };
    // One run to learn the calls the floor must make.
    local.resetRequests();
    const probe = await runDriver(driver.file, input, env);
    if (probe.published.length !== 1) throw new Error(`the first restart-loop event published ${probe.published.length} incident events`);
    const floor = await bundle(investigationFloorEntry(probe.operations, local.requests.length), 'first-investigation-floor');
    const floorClientNames = [...new Set([...functionBenches.diagnose.floor, ...probe.operations.map((o) => clientOfService[o.split(':')[0] ?? ''] ?? '')])];
    const times: number[] = [];
    const floorTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // A fresh table each round: the event opens its incident every time.
      await local.client.send(new DeleteTableCommand({ TableName: 'bench' }));
      await createIncidentTable(local.client, 'bench');
      times.push((await runDriver(driver.file, input, env)).handledAt[0] ?? Number.NaN);
      floorTimes.push((await runDriver(floor.file, input, env)).handledAt[0] ?? Number.NaN);
    }
    const [ms, floorMs] = [median(times), median(floorTimes)];
    return { ms, floor_ms: floorMs, ratio: ms / floorMs, floor_clients: floorClientNames };
  } finally {
    await local.stop();
  }
}

export async function measureColdStart(): Promise<ColdStartFigures> {
  const functions = {} as Record<FunctionName, FunctionColdStart>;
  for (const name of FUNCTION_NAMES) functions[name] = await functionColdStart(name);
  return { functions, first_investigation: await firstInvestigation() };
}
