/**
 * The deployed bot, driven through the emulated account as AWS would drive it:
 * events go onto the default bus with PutEvents; a tap rule (the harness's own,
 * matching every event of the account) copies what the bus carries to an SQS
 * queue; each copy is handed to the function of every deployed rule whose
 * pattern — read back from the account — matches it, under the project's
 * matcher. The incident events the diagnose Lambda publishes travel the same
 * way to the notify Lambda.
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
 *   account, and the harness delivers for them.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { matchesPattern } from '../../support/event-pattern';
import type { Clients, DeployedStack } from './account';
import type { DeployedRuntime } from './lambda';
import { ACCOUNT } from './moto';

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
  /** What the tap saw, by event id: the envelopes as EventBridge delivered them. */
  seen: Envelope[];
}

export async function connectBot(options: {
  aws: Clients;
  stack: DeployedStack;
  runtimes: Record<'diagnose' | 'notify', DeployedRuntime>;
}): Promise<Bot> {
  const { aws, stack, runtimes } = options;
  const tap = await createQueue(aws, 'e2e-bus-tap');
  await aws.events.send(new PutRuleCommand({ Name: 'e2e-bus-tap', EventPattern: JSON.stringify({ account: [ACCOUNT] }) }));
  await aws.events.send(new PutTargetsCommand({ Rule: 'e2e-bus-tap', Targets: [{ Id: 'tap', Arn: tap.arn }] }));
  for (const rule of stack.rules) {
    const ids = rule.targets.filter((t) => t.arn.includes(':lambda:')).map((t) => t.id);
    await aws.events.send(new RemoveTargetsCommand({ Rule: rule.name, Ids: ids }));
  }
  const runtimeByArn = new Map(Object.values(runtimes).map((runtime) => [runtime.function.arn, runtime]));
  const seen: Envelope[] = [];

  async function deliver(envelope: Envelope): Promise<Invocation[]> {
    const invocations: Invocation[] = [];
    for (const rule of stack.rules) {
      // A rule without a pattern is the audit's schedule: no event reaches it.
      if (Object.keys(rule.pattern).length === 0 || !matchesPattern(rule.pattern, envelope)) continue;
      for (const arn of rule.functionTargets) {
        const runtime = runtimeByArn.get(arn);
        if (!runtime) throw new Error(`rule ${rule.name} targets ${arn}, which is not a function of the stack`);
        const invocation: Invocation = { function: runtime.function.logicalId, rule: rule.logicalId, event: envelope };
        try {
          invocation.result = await runtime.invoke(envelope);
        } catch (error) {
          invocation.error = error;
        }
        invocations.push(invocation);
      }
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
    async redeliver(envelope) {
      const invocations = await deliver(envelope);
      return [...invocations, ...(await pump())];
    },
  };
}
