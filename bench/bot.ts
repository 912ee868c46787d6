/**
 * AWS calls to account resources for one incident of the restart-loop, PENDING, secrets and failed-deployment
 * scenarios, counted from aws-sdk-client-mock's recorded calls on the real SDK clients the live reader creates,
 * with the incident store on a local dynalite server (real conditional writes); 0 expected for a duplicate
 * delivery and for a repeat of an open incident. Beside each count, its minimum for the same reads: one call per operation that
 * takes a list (DescribeServices, DescribeTasks…), one per distinct resource for those that take one.
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
import { canonicalJson, type ReaderOperation } from '../shared/reader/port';
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
/** The calls recorded since the last reset: operation (e.g. "ecs:DescribeServices") and input. */
const accountOperations = () =>
  accountMocks.flatMap(({ service, mock }) =>
    mock.calls().map((c) => {
      const command = c.args[0] as { input: unknown };
      return { operation: `${service}:${command.constructor.name.replace(/Command$/, '')}`, input: canonicalJson(command.input) };
    }),
  );

/** Operations that take one resource per call: each distinct input needs its own call. The others take lists. */
const oneResourcePerCall = new Set([
  'ecs:DescribeTaskDefinition',
  'elasticloadbalancing:DescribeTargetHealth',
  'iam:SimulatePrincipalPolicy',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'secretsmanager:DescribeSecret',
]);

/** The fewest calls that read the same: one per list-taking operation, one per distinct input of the others. */
function minimumCalls(calls: { operation: string; input: string }[]): number {
  const needed = new Set(calls.map(({ operation, input }) => (oneResourcePerCall.has(operation) ? `${operation} ${input}` : operation)));
  return needed.size;
}
const resetAccountHistory = () => {
  for (const { mock } of accountMocks) mock.resetHistory();
};

export interface ApiCallFigures {
  restart_loop: number;
  restart_loop_min: number;
  pending: number;
  pending_min: number;
  secrets: number;
  secrets_min: number;
  failed_deployment: number;
  failed_deployment_min: number;
  duplicate_delivery: number;
  duplicate_delivery_min: 0;
  repeat: number;
  repeat_min: 0;
  /** The delayed re-check of a PENDING pileup whose incident is open. */
  recheck: number;
  recheck_min: number;
  /** The same re-check when it is the first to see the pileup (it opens the incident). */
  recheck_opening: number;
  recheck_opening_min: number;
}

/** DynamoDB calls of one scenario's deliveries: the first (opens and announces), each later event, a duplicate of the first. */
export interface DynamoDeliveryFigures {
  first: number;
  later: number[];
  duplicate: number;
}

export interface BotFigures {
  api_calls: ApiCallFigures;
  dynamodb_calls_per_delivery: Record<string, DynamoDeliveryFigures>;
  /** Incidents a scenario's events opened besides the one of its own rule, as "rule (trigger)". */
  other_incidents: Record<string, string[]>;
}

export async function measureBot(): Promise<BotFigures> {
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
  const dynamo: Record<string, DynamoDeliveryFigures> = {};
  const others: Record<string, string[]> = {};
  const figures: Partial<ApiCallFigures> = { duplicate_delivery: 0, duplicate_delivery_min: 0, repeat: 0, repeat_min: 0 };

  // Restart loop; PENDING pileup; secrets (3 secrets, 2 CMKs, private subnet); failed deployment (breaker failure, then its rollback).
  for (const [id, key] of [
    ['health-check-grace-period', 'restart_loop'],
    ['pending-pileup', 'pending'],
    ['secrets-pull-failure', 'secrets'],
    ['deployment-circuit-breaker', 'failed_deployment'],
  ] as const) {
    const scenario = scenarios.get(id);
    if (!scenario) throw new Error(`scenario ${id} is missing`);
    answerFrom(scenario);
    eventBridge.resetHistory();
    sqs.resetHistory();
    const flow = await freshFlow();
    const perEvent: number[] = [];
    const dynamoPerEvent: number[] = [];
    const operations: ReturnType<typeof accountOperations>[] = [];
    for (const event of scenario.events) {
      resetAccountHistory();
      local.resetRequests();
      await flow.handleEvent(event, invocation());
      perEvent.push(accountCalls());
      dynamoPerEvent.push(local.requests.length);
      operations.push(accountOperations());
    }
    const opening = perEvent.findIndex((calls) => calls > 0);
    figures[key] = perEvent[opening] ?? 0;
    figures[`${key}_min`] = minimumCalls(operations[opening] ?? []);
    resetAccountHistory();
    local.resetRequests();
    await flow.handleEvent(scenario.events[Math.max(opening, 0)], invocation());
    const duplicate = accountCalls();
    dynamo[key] = { first: dynamoPerEvent[opening] ?? 0, later: dynamoPerEvent.slice(opening + 1), duplicate: local.requests.length };
    figures.duplicate_delivery = Math.max(figures.duplicate_delivery ?? 0, duplicate);
    const incidents = eventBridge.commandCalls(PutEventsCommand).map(
      (call) =>
        JSON.parse(call.args[0].input.Entries?.[0]?.Detail ?? '{}') as {
          finding: { rule: string; unchecked: { reason: string }[] };
          trigger: { detailType: string; eventName?: string };
        },
    );
    const rule = scenario.expect[0]?.rule;
    const own = incidents.filter((incident) => incident.finding.rule === rule).length;
    if (own !== 1) throw new Error(`${id}: ${own} incident events of ${rule} published for one incident`);
    // Reported, not hidden: another rule's incident is a second alert for the same scenario.
    others[key] = incidents
      .filter((incident) => incident.finding.rule !== rule)
      .map(({ finding, trigger }) => `${finding.rule} (${[trigger.detailType, trigger.eventName].filter(Boolean).join(' ')})`);
    // Honest counts only: a read the snapshot could not answer would be a call the real account might not need.
    for (const { finding } of incidents) {
      const unanswered = finding.unchecked.filter((u) => u.reason.startsWith('NotInSnapshot'));
      if (unanswered.length > 0) throw new Error(`${id}: reads missing from the snapshot: ${JSON.stringify(unanswered)}`);
    }
    figures.repeat = Math.max(figures.repeat ?? 0, ...perEvent.slice(opening + 1));
    // A pileup is also caught by the delayed re-check: replay the message the flow sent itself, with the incident already open…
    const recheck = sqs.commandCalls(SendMessageCommand).find((c) => c.args[0].input.QueueUrl?.endsWith('/recheck'));
    if (recheck) {
      resetAccountHistory();
      await flow.handleRecheck(recheck.args[0].input.MessageBody ?? '', 'bench-recheck', invocation());
      figures.recheck = accountCalls();
      figures.recheck_min = minimumCalls(accountOperations());
      // …and on its own, as when the re-check is the first to see it.
      const alone = await freshFlow();
      resetAccountHistory();
      await alone.handleRecheck(recheck.args[0].input.MessageBody ?? '', 'bench-recheck-alone', invocation());
      figures.recheck_opening = accountCalls();
      figures.recheck_opening_min = minimumCalls(accountOperations());
    }
  }
  await local.stop();
  return { api_calls: figures as ApiCallFigures, dynamodb_calls_per_delivery: dynamo, other_incidents: others };


}
