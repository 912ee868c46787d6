/**
 * One Lambda execution environment, for the benches: bundled with a handler (bench/lambda-bundle.ts, the stack's
 * esbuild options) into one file and run in a fresh Node process. The mocks patch the bundle's own SDK client
 * classes; DynamoDB is the real protocol against the parent's dynalite (AWS_ENDPOINT_URL_DYNAMODB). Events are
 * handled one after another, as Lambda hands them to one environment. Prints one JSON line (DriverResult).
 *
 * Input (a JSON file named by BENCH_INPUT): the events, the snapshot the account reads are answered from, and
 * whether a read the snapshot lacks may take the operation's first recorded answer (a storm across services
 * the snapshot records only one of); or, for the audit, the shape of a mocked account that answers its reads
 * (tests/support/mock-account.ts).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { FunctionName } from '../infra/sizes';
import type { ReaderOperation } from '../shared/reader/port';
import { type Snapshot, snapshotReader } from '../shared/reader/snapshot';
import type { AccountShape } from '../tests/support/mock-account';

export interface DriverInput {
  function: FunctionName;
  events: unknown[];
  snapshot: Snapshot;
  /** Answer a read the snapshot lacks with the operation's first recorded answer. */
  lenient: boolean;
  /** A mocked account answering every read (the audit's): built in the driver, behind the bundle's own clients. */
  account?: AccountShape;
}

export interface DriverResult {
  /** performance.now() (ms since the process started) when the handler module had loaded, and after each event. */
  loadedAt: number;
  handledAt: number[];
  /** Peak resident set size of the process, bytes. */
  maxRssBytes: number;
  /** Incident event details published (PutEvents entries), in order: diagnose's only (the storm feeds them to notify). */
  published: { detailType: string; detail: string }[];
  /** Incident events published (PutEvents entries). */
  incidentEvents: number;
  snsPublishes: number;
  /** The account reads, in order (operation names). */
  operations: string[];
  failures: string[];
}

const input = JSON.parse(readFileSync(process.env.BENCH_INPUT ?? '', 'utf8')) as DriverInput;

/**
 * The account's SDK clients by the service prefix of the reader operations. Only the services the snapshot
 * answers for are imported and mocked, so the driver loads no client the handler would not.
 */
const accountClients: Record<string, () => Promise<unknown>> = {
  ecs: () => import('@aws-sdk/client-ecs').then((m) => m.ECSClient),
  ec2: () => import('@aws-sdk/client-ec2').then((m) => m.EC2Client),
  elasticloadbalancing: () => import('@aws-sdk/client-elastic-load-balancing-v2').then((m) => m.ElasticLoadBalancingV2Client),
  logs: () => import('@aws-sdk/client-cloudwatch-logs').then((m) => m.CloudWatchLogsClient),
  iam: () => import('@aws-sdk/client-iam').then((m) => m.IAMClient),
  kms: () => import('@aws-sdk/client-kms').then((m) => m.KMSClient),
  secretsmanager: () => import('@aws-sdk/client-secrets-manager').then((m) => m.SecretsManagerClient),
  ssm: () => import('@aws-sdk/client-ssm').then((m) => m.SSMClient),
  autoscaling: () => import('@aws-sdk/client-auto-scaling').then((m) => m.AutoScalingClient),
  'application-autoscaling': () => import('@aws-sdk/client-application-auto-scaling').then((m) => m.ApplicationAutoScalingClient),
};

/**
 * The operation a command calls, from its Smithy operation schema ([9, namespace, name, …]): class names do not
 * survive minification. callsFake is not handed the command; the last recorded call is this one.
 */
function operationName(command: unknown): string {
  const schema = (command as { schema?: unknown[] } | undefined)?.schema;
  return typeof schema?.[2] === 'string' ? schema[2] : 'unknown';
}

const snapshot = snapshotReader(input.snapshot);
const operations: string[] = [];
const services = new Set(Object.keys(input.snapshot).map((operation) => operation.slice(0, operation.indexOf(':'))));
for (const service of services) {
  const load = accountClients[service];
  if (!load) throw new Error(`no client for snapshot service ${service}`);
  const mock = mockClient((await load()) as never);
  mock.onAnyCommand().callsFake(async (commandInput: object) => {
    const operation = `${service}:${operationName(mock.calls().at(-1)?.args[0])}` as ReaderOperation;
    operations.push(operation);
    try {
      return await snapshot.read(operation, commandInput as never);
    } catch (error) {
      const first = input.snapshot[operation]?.[0];
      if (!input.lenient || (error as Error).name !== 'NotInSnapshot' || !first?.output) throw error;
      return structuredClone(first.output);
    }
  });
}
if (input.account) {
  const [{ mockAccount }, { mockAccountClients }] = await Promise.all([
    import('../tests/support/mock-account'),
    import('../tests/support/mock-account-clients'),
  ]);
  mockAccountClients(mockAccount(input.account));
}
// The function's own outputs: what it publishes is recorded (the diagnose storm feeds the notify one).
const published: DriverResult['published'] = [];
// The audit of a large account publishes thousands: counted, not kept, so the result line stays small.
let incidentEvents = 0;
let snsPublishes = 0;
mockClient(SQSClient).on(SendMessageCommand).resolves({ MessageId: 'bench' });
if (input.function !== 'notify') {
  const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
  mockClient(EventBridgeClient)
    .on(PutEventsCommand)
    .callsFake(async ({ Entries = [] }: PutEventsCommandInput) => {
      incidentEvents += Entries.length;
      if (input.function === 'diagnose') {
        for (const entry of Entries) published.push({ detailType: entry.DetailType ?? '', detail: entry.Detail ?? '' });
      }
      return { FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `bench-${incidentEvents}-${i}` })) };
    });
} else {
  const { PublishCommand, SNSClient } = await import('@aws-sdk/client-sns');
  mockClient(SNSClient)
    .on(PublishCommand)
    .callsFake(async () => {
      snsPublishes++;
      return { MessageId: `bench-${snsPublishes}` };
    });
}

/** Each function's handler, imported only for the function this environment runs. */
const handlers: Record<FunctionName, () => Promise<unknown>> = {
  diagnose: () => import('../functions/diagnose/handler'),
  notify: () => import('../functions/notify/handler'),
  audit: () => import('../functions/audit/handler'),
  remediate: () => import('../functions/remediate/handler'),
};
const { handler } = (await handlers[input.function]()) as { handler: (event: unknown, context: Context) => Promise<unknown> };
const loadedAt = performance.now();

const context = (i: number): Context =>
  ({
    functionName: `ecs-medic-${input.function}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:ecs-medic-${input.function}`,
    memoryLimitInMB: '512',
    awsRequestId: `bench-${i}`,
    logGroupName: `/aws/lambda/ecs-medic-${input.function}`,
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
  }) as Context;

const handledAt: number[] = [];
const failures: string[] = [];
for (const [i, event] of input.events.entries()) {
  try {
    await handler(event, context(i));
  } catch (error) {
    failures.push(`event ${i}: ${(error as Error).message}`);
  }
  handledAt.push(performance.now());
}

const result: DriverResult = {
  loadedAt,
  handledAt,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  published,
  incidentEvents,
  snsPublishes,
  operations,
  failures,
};
process.stdout.write(`\n${JSON.stringify(result)}\n`);
