import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

// SQS rejects a message containing characters outside this set (SendMessage, MessageBody); lone surrogates included.
const notAllowedInSqs = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text SQS accepts: an event's bad field may hold anything, and the dead letter must still go out. */
export function sqsSafe(text: string): string {
  return text.replace(notAllowedInSqs, '\uFFFD');
}

function messageBody(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  return sqsSafe(text) || '(empty)';
}

/**
 * Sends what can never be processed to the function's dead-letter queue, as
 * it arrived (so it can be redriven), with the reason as a message attribute.
 */
export function sqsDeadLetter(client: SQSClient, queueUrl: string): (raw: unknown, reason: string) => Promise<void> {
  return async (raw, reason) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: messageBody(raw),
        MessageAttributes: { reason: { DataType: 'String', StringValue: sqsSafe(reason).slice(0, 1024) || 'unknown' } },
      }),
    );
  };
}
