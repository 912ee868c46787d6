/**
 * The bot's figures (issue: "Performance"), each measured in this run:
 * - AWS calls to account resources for one incident of the restart-loop,
 *   PENDING, secrets and failed-deployment scenarios, counted from aws-sdk-client-mock's recorded
 *   calls on the real SDK clients the live reader creates; 0 expected for a
 *   duplicate delivery and for a repeat of an open incident;
 * - DynamoDB calls per delivery (a local dynalite server, so the conditional
 *   writes are real): a first delivery, a repeat of the open incident, an
 *   exact duplicate, and the 200-event storm's average, its account reads
 *   and incident events.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadScenarios, type Scenario } from '../cli/scenarios';
import { diagnoseFlow } from '../shared/bot/diagnose-flow';
import { sqsDeadLetter } from '../shared/bot/dead-letter';
import { eventBridgePublisher, sqsRecheckScheduler } from '../shared/bot/outputs';
import { dynamoIncidentStore } from '../shared/incidents/store';
import { liveReader } from '../shared/reader/live';
import { snapshotReader } from '../shared/reader/snapshot';
import type { ReaderOperation } from '../shared/reader/port';
import { createIncidentTable, startDynalite } from '../tests/support/dynalite';

/** What the bench needs of a client mock; each aws-sdk-client-mock stub fits it. */
interface AccountMock {
  reset(): void;
  resetHistory(): void;
  calls(): { args: unknown[] }[];
  onAnyCommand(): { callsFake(fake: (input: object) => unknown): unknown };
}

/** The account's SDK clients, by the service prefix of the reader operations. */
const accountMocks: { service: string; mock: AccountMock }[] = [
  { service: 'ecs', mock: mockClient(ECSClient) },
  { service: 'ec2', mock: mockClient(EC2Client) },
  { service: 'elasticloadbalancing', mock: mockClient(ElasticLoadBalancingV2Client) },
  { service: 'logs', mock: mockClient(CloudWatchLogsClient) },
  { service: 'iam', mock: mockClient(IAMClient) },
  { service: 'kms', mock: mockClient(KMSClient) },
  { service: 'secretsmanager', mock: mockClient(SecretsManagerClient) },
  { service: 'ssm', mock: mockClient(SSMClient) },
  { service: 'autoscaling', mock: mockClient(AutoScalingClient) },
  { service: 'application-autoscaling', mock: mockClient(ApplicationAutoScalingClient) },
];
const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);

/** Answers every account read from the scenario's snapshot: the same bytes the offline demo uses. */
function answerFrom(scenario: Scenario): void {
  const snapshot = snapshotReader(scenario.snapshot);
  for (const { service, mock } of accountMocks) {
    mock.reset();
    mock.onAnyCommand().callsFake(async (input: object) => {
      // The command's name is not passed to callsFake; the last recorded call is this one.
      const command = (mock.calls().at(-1)?.args[0] as object | undefined)?.constructor.name.replace(/Command$/, '');
      return snapshot.read(`${service}:${command}` as ReaderOperation, input as never);
    });
  }
}

const accountCalls = () => accountMocks.reduce((sum, { mock }) => sum + mock.calls().length, 0);
const resetAccountHistory = () => {
  for (const { mock } of accountMocks) mock.resetHistory();
};

const local = await startDynalite('bench-incidents');
process.env.AWS_ACCESS_KEY_ID = 'bench';
process.env.AWS_SECRET_ACCESS_KEY = 'bench';
eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
const quiet = { info() {}, warn() {}, error() {} };

let tables = 0;
async function freshFlow() {
  const tableName = `bench-${++tables}`;
  await createIncidentTable(local.client, tableName);
  const sqsClient = new SQSClient({ region: 'us-east-1' });
  return diagnoseFlow({
    store: dynamoIncidentStore({ client: local.documents, tableName, windowSeconds: 3600 }),
    reader: liveReader({ region: 'us-east-1' }),
    publish: eventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' })),
    deadLetter: sqsDeadLetter(sqsClient, 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq'),
    scheduleRecheck: sqsRecheckScheduler(sqsClient, 'https://sqs.us-east-1.amazonaws.com/123456789012/recheck', 300),
    recheckClaimSeconds: 300,
    clock: () => new Date(),
    logger: quiet,
  });
}
const invocation = () => ({ deadline: new Date(Date.now() + 60_000) });

const scenarios = new Map(loadScenarios().map((s) => [s.id, s]));
const rows: string[] = [];
const recheckRows: string[] = [];
const dynamoRows: string[] = [];

for (const [label, id] of [
  ['restart loop', 'health-check-grace-period'],
  ['PENDING pileup', 'pending-pileup'],
  ['secrets (3 secrets, 2 CMKs, private subnet)', 'secrets-pull-failure'],
  ['failed deployment: breaker failure, then its rollback; root cause from the failed tasks', 'deployment-circuit-breaker'],
] as const) {
  const scenario = scenarios.get(id);
  if (!scenario) throw new Error(`scenario ${id} is missing`);
  answerFrom(scenario);
  eventBridge.resetHistory();
  sqs.resetHistory();
  const flow = await freshFlow();
  const perEvent: number[] = [];
  const dynamoPerEvent: number[] = [];
  for (const event of scenario.events) {
    resetAccountHistory();
    local.resetRequests();
    await flow.handleEvent(event, invocation());
    perEvent.push(accountCalls());
    dynamoPerEvent.push(local.requests.length);
  }
  const opening = perEvent.findIndex((calls) => calls > 0);
  resetAccountHistory();
  local.resetRequests();
  await flow.handleEvent(scenario.events[Math.max(opening, 0)], invocation());
  const duplicate = accountCalls();
  dynamoRows.push(
    `| ${label} | ${dynamoPerEvent[opening] ?? 0} | ${dynamoPerEvent.slice(opening + 1).join(', ') || '–'} | ${local.requests.length} |`,
  );
  const incidents = eventBridge.commandCalls(PutEventsCommand).length;
  // Honest counts only: a read the snapshot could not answer would be a call the real account might not need.
  for (const call of eventBridge.commandCalls(PutEventsCommand)) {
    const { finding } = JSON.parse(call.args[0].input.Entries?.[0]?.Detail ?? '{}') as { finding: { unchecked: { reason: string }[] } };
    const unanswered = finding.unchecked.filter((u) => u.reason.startsWith('NotInSnapshot'));
    if (unanswered.length > 0) throw new Error(`${id}: reads missing from the snapshot: ${JSON.stringify(unanswered)}`);
  }
  const repeats = perEvent.filter((calls, i) => i > opening && calls === 0).length;
  // A pileup is also caught by the delayed re-check: replay the message the flow sent itself, with the incident already open…
  const recheck = sqs.commandCalls(SendMessageCommand).find((c) => c.args[0].input.QueueUrl?.endsWith('/recheck'));
  if (recheck) {
    resetAccountHistory();
    await flow.handleRecheck(recheck.args[0].input.MessageBody ?? '', 'bench-recheck', invocation());
    recheckRows.push(`| ${label}, re-check of the open incident | ${accountCalls()} (the re-check's own reads of the service; the incident is a repeat) |`);
    // …and on its own, as when the re-check is the first to see it.
    const alone = await freshFlow();
    resetAccountHistory();
    await alone.handleRecheck(recheck.args[0].input.MessageBody ?? '', 'bench-recheck-alone', invocation());
    recheckRows.push(`| ${label}, re-check opening the incident | ${accountCalls()} |`);
  }
  rows.push(
    `| ${label} (\`${id}\`) | ${perEvent[opening] ?? 0} | ${duplicate} | ${perEvent.slice(opening + 1).reduce((a, b) => a + b, 0)} over ${perEvent.length - opening - 1} later event(s) (${repeats} repeat(s)) | ${incidents} |`,
  );
}

// The storm: 200 task-stopped events of one restart loop, each its own delivery, all at once.
const loop = scenarios.get('health-check-grace-period');
if (!loop) throw new Error('scenario health-check-grace-period is missing');
answerFrom(loop);
const [first] = loop.events as { id: string; detail: { taskArn: string } }[];
if (!first) throw new Error('the restart-loop scenario has no event');
const storm = Array.from({ length: 200 }, (_, i) => {
  const event = structuredClone(first);
  event.id = `${first.id.slice(0, -4)}${String(i).padStart(4, '0')}`;
  event.detail.taskArn = `${first.detail.taskArn.slice(0, -4)}${String(i).padStart(4, '0')}`;
  return event;
});
const stormFlow = await freshFlow();
resetAccountHistory();
eventBridge.resetHistory();
local.resetRequests();
const started = performance.now();
await Promise.all(storm.map((event) => stormFlow.handleEvent(event, invocation())));
const stormMs = performance.now() - started;
const stormDynamo = local.requestCounts();
const stormReads = accountCalls();
const stormAlerts = eventBridge.commandCalls(PutEventsCommand).length;
local.resetRequests();
resetAccountHistory();
await Promise.all(storm.map((event) => stormFlow.handleEvent(event, invocation())));
const redelivered = local.requestCounts();

console.log('AWS calls to account resources (live reader, mocked SDK clients, dynalite):\n');
console.log('| scenario | first incident | duplicate delivery | later events of the scenario | incident events published |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
if (recheckRows.length > 0) {
  console.log('\n| re-check (SQS delay queue) | AWS calls to account resources |');
  console.log('|---|---|');
  for (const row of recheckRows) console.log(row);
}
console.log('\nDynamoDB calls per delivery (incident store):\n');
console.log('| scenario | first delivery (opens, announces) | each later event of the scenario | exact duplicate of the first |');
console.log('|---|---|---|---|');
for (const row of dynamoRows) console.log(row);
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`\nStorm, 200 concurrent deliveries of one restart loop (${stormMs.toFixed(0)} ms in-process):`);
console.log(`- incident events published: ${stormAlerts}; account reads: ${stormReads}`);
console.log(`- DynamoDB calls: ${total(stormDynamo)} ${JSON.stringify(stormDynamo)}, ${(total(stormDynamo) / storm.length).toFixed(3)} a delivery`);
console.log(`- the same 200 delivered again: DynamoDB ${JSON.stringify(redelivered)} (${(total(redelivered) / storm.length).toFixed(1)} a delivery), account reads ${accountCalls()}`);
await local.stop();
