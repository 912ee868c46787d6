/**
 * The deployed bot, driven through the emulated account as AWS would drive it:
 * events go onto the default bus with PutEvents; a tap rule (the harness's own,
 * matching every event of the account) copies what the bus carries to an SQS
 * queue; each copy is handed to the function of every deployed rule whose
 * pattern — read back from the account — matches it, under the project's
 * matcher. The incident events the diagnose Lambda publishes travel the same
 * way to the notify and remediate Lambdas, and remedy outcomes to notify.
 *
 * moto gaps worked around here:
 * - Lambda functions cannot be invoked without Docker: the bundles run in this
 *   process (lambda.ts) instead of moto's own rule → Lambda delivery;
 * - EventBridge delivery does not look inside arrays of objects (the task
 *   patterns match `containers[].reason`), so moto's matcher decides nothing
 *   here: the tap pattern matches on `account` alone, and the project's
 *   matcher (tests/support/event-pattern.ts) applies the deployed patterns;
 * - PutEvents fails (HTTP 500, NotImplementedError) when a rule with a Lambda
 *   target matches, enabled or not: once read back (the stack tests check
 *   them), the deployed rules' Lambda targets are removed in the emulated
 *   account, and the harness delivers for them;
 * - moto's EventBridge never fires a schedule rule: the harness sends the
 *   rule's targets the Scheduled Event EventBridge would (`fireSchedule`);
 * - moto's SQS hands a message sent to a queue with an event source mapping to
 *   the mapped function itself, inside SendMessage, which cannot run without
 *   Docker: once read back, the deployed mappings are disabled in the emulated
 *   account, and the harness polls their queues as Lambda would
 *   (`pollEventSources`).
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { matchesPattern } from '../../support/event-pattern';
import type { Clients, DeployedEventSource, DeployedFunctionName, DeployedRule, DeployedStack } from './account';
import type { DeployedRuntime } from './lambda';
import { ACCOUNT, REGION } from './moto';

export interface Envelope {
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface Invocation {
  function: string;
  rule: string;
  event: unknown;
  result?: unknown;
  error?: unknown;
}

/** Creates a queue and returns its URL and ARN. */
export async function createQueue(aws: Clients, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  const { Attributes } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
}

/** Every message now in the queue, deleted as read. */
export async function drainQueue(aws: Clients, url: string): Promise<{ body: string; attributes: Record<string, string> }[]> {
  const messages: { body: string; attributes: Record<string, string> }[] = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30, MessageSystemAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return messages;
    for (const m of Messages) messages.push({ body: m.Body ?? '', attributes: (m.Attributes ?? {}) as Record<string, string> });
    await aws.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }),
    );
  }
}

export interface Bot {
  /** PutEvents of one ECS event (its source, detail-type, resources, detail, time), then every delivery it causes. */
  send(event: Envelope): Promise<Invocation[]>;
  /** Delivers one exact envelope again, as EventBridge's at-least-once delivery may. */
  redeliver(envelope: Envelope): Promise<Invocation[]>;
  /**
   * Polls each deployed event source's queue as Lambda does, waiting up to `waitSeconds` for a first message:
   * one batch (at most the mapping's batch size) to the mapped function, its messages deleted unless the function
   * reports them in batchItemFailures; then every delivery that causes.
   */
  pollEventSources(waitSeconds: number): Promise<EventSourceBatch[]>;
  /**
   * What EventBridge does when a schedule rule fires at `time`: its Scheduled Event to each function the rule
   * targets, then every delivery that causes (the audit's incident events to notify).
   */
  fireSchedule(rule: DeployedRule, time: Date): Promise<Invocation[]>;
  /** Hands one envelope to `runtime` (a function the deployed rules do not target), then every delivery that causes. */
  deliverTo(runtime: DeployedRuntime, envelope: Envelope): Promise<Invocation[]>;
  /** What the tap saw, by event id: the envelopes as EventBridge delivered them. */
  seen: Envelope[];
}

export interface EventSourceBatch {
  source: DeployedEventSource;
  /** The SQS event the function received. */
  event: SQSEvent;
  /** What the function answered (a partial batch response), or threw. */
  response?: SQSBatchResponse | undefined;
  error?: unknown;
  /** The deliveries the batch caused (incident events to notify). */
  invocations: Invocation[];
}

/** The SQS event Lambda's event source mapping builds from received messages (the Lambda developer guide's sample). */
export function sqsEvent(queueArn: string, messages: Message[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '',
        SenderId: m.Attributes?.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: REGION,
    })),
  };
}

export async function connectBot(options: {
  aws: Clients;
  stack: DeployedStack;
  runtimes: Record<DeployedFunctionName, DeployedRuntime>;
}): Promise<Bot> {
  const { aws, stack, runtimes } = options;
  const tap = await createQueue(aws, 'e2e-bus-tap');
  await aws.events.send(new PutRuleCommand({ Name: 'e2e-bus-tap', EventPattern: JSON.stringify({ account: [ACCOUNT] }) }));
  await aws.events.send(new PutTargetsCommand({ Rule: 'e2e-bus-tap', Targets: [{ Id: 'tap', Arn: tap.arn }] }));
  for (const rule of stack.rules) {
    const ids = rule.targets.filter((t) => t.arn.includes(':lambda:')).map((t) => t.id);
    await aws.events.send(new RemoveTargetsCommand({ Rule: rule.name, Ids: ids }));
  }
  for (const source of stack.eventSources) {
    await aws.lambda.send(new UpdateEventSourceMappingCommand({ UUID: source.uuid, Enabled: false }));
  }
  const runtimeByArn = new Map(Object.values(runtimes).map((runtime) => [runtime.function.arn, runtime]));
  const seen: Envelope[] = [];

  async function pollEventSource(source: DeployedEventSource, waitSeconds: number): Promise<EventSourceBatch | undefined> {
    const runtime = runtimeByArn.get(source.functionArn);
    if (!runtime) throw new Error(`event source ${source.queueArn} maps to ${source.functionArn}, which is not a function of the stack`);
    const { QueueUrl } = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: source.queueArn.slice(source.queueArn.lastIndexOf(':') + 1) }));
    const deadline = Date.now() + waitSeconds * 1000;
    let messages: Message[] = [];
    while (messages.length === 0 && Date.now() < deadline) {
      const wait = Math.min(20, Math.max(1, Math.ceil((deadline - Date.now()) / 1000)));
      ({ Messages: messages = [] } = await aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: Math.min(10, source.batchSize ?? 10), WaitTimeSeconds: wait, MessageSystemAttributeNames: ['All'] }),
      ));
    }
    if (messages.length === 0) return undefined;
    const event = sqsEvent(source.queueArn, messages);
    const batch: EventSourceBatch = { source, event, invocations: [] };
    try {
      batch.response = (await runtime.invoke(event)) as SQSBatchResponse | undefined;
    } catch (error) {
      batch.error = error;
    }
    // On success Lambda deletes the batch but the items reported failed (with ReportBatchItemFailures); on an error, none.
    const failed = new Set(batch.error === undefined ? (batch.response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : messages.map((m) => m.MessageId));
    const done = messages.filter((m) => !failed.has(m.MessageId));
    if (done.length > 0) {
      await aws.sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
    }
    batch.invocations = await pump();
    return batch;
  }

  async function invoke(runtime: DeployedRuntime, rule: string, event: Envelope | ScheduledEvent): Promise<Invocation> {
    const invocation: Invocation = { function: runtime.function.logicalId, rule, event };
    try {
      invocation.result = await runtime.invoke(event);
    } catch (error) {
      invocation.error = error;
    }
    return invocation;
  }

  /** Invokes each function the rule targets with the event, as EventBridge delivers to a Lambda target. */
  async function invokeTargets(rule: DeployedRule, event: Envelope | ScheduledEvent): Promise<Invocation[]> {
    const invocations: Invocation[] = [];
    for (const arn of rule.functionTargets) {
      const runtime = runtimeByArn.get(arn);
      if (!runtime) throw new Error(`rule ${rule.name} targets ${arn}, which is not a function of the stack`);
      invocations.push(await invoke(runtime, rule.logicalId, event));
    }
    return invocations;
  }

  async function deliver(envelope: Envelope): Promise<Invocation[]> {
    const invocations: Invocation[] = [];
    for (const rule of stack.rules) {
      // A rule without a pattern is the audit's schedule: no event reaches it.
      if (Object.keys(rule.pattern).length === 0 || !matchesPattern(rule.pattern, envelope)) continue;
      invocations.push(...(await invokeTargets(rule, envelope)));
    }
    return invocations;
  }

  /** Hands every event on the tap to its rules' functions, until the bus is quiet. */
  async function pump(): Promise<Invocation[]> {
    const invocations: Invocation[] = [];
    for (;;) {
      const messages = await drainQueue(aws, tap.url);
      if (messages.length === 0) return invocations;
      for (const message of messages) {
        // moto gap: the copy it delivers to an SQS target lacks the envelope's "account", which EventBridge always sets.
        const parsed = JSON.parse(message.body) as Omit<Envelope, 'account'> & { account?: string };
        const envelope: Envelope = { ...parsed, account: parsed.account ?? ACCOUNT };
        seen.push(envelope);
        invocations.push(...(await deliver(envelope)));
      }
    }
  }

  return {
    seen,
    async send(event) {
      const answer = await aws.events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: event.source,
              DetailType: event['detail-type'],
              Resources: event.resources,
              Detail: JSON.stringify(event.detail),
              Time: new Date(event.time),
            },
          ],
        }),
      );
      if (answer.FailedEntryCount) throw new Error(`PutEvents rejected the event: ${JSON.stringify(answer.Entries)}`);
      return pump();
    },
    async deliverTo(runtime, envelope) {
      const invocation = await invoke(runtime, '(direct)', envelope);
      return [invocation, ...(await pump())];
    },
    async redeliver(envelope) {
      const invocations = await deliver(envelope);
      return [...invocations, ...(await pump())];
    },
    async fireSchedule(rule, time) {
      // The event EventBridge sends a schedule rule's targets (EventBridge user guide, "Creating a rule that runs on a schedule").
      const event: ScheduledEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: ACCOUNT,
        time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: REGION,
        resources: [rule.arn],
        detail: {},
      };
      const invocations = await invokeTargets(rule, event);
      return [...invocations, ...(await pump())];
    },
    async pollEventSources(waitSeconds) {
      const batches: EventSourceBatch[] = [];
      for (const source of stack.eventSources) {
        const batch = await pollEventSource(source, waitSeconds);
        if (batch) batches.push(batch);
      }
      return batches;
    },
  };
}
