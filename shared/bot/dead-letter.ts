import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

// SQS rejects a message containing characters outside this set (SendMessage, MessageBody); lone surrogates included.
const notAllowedInSqs = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text SQS accepts: an event's bad field may hold anything, and the dead letter must still go out. */
export function sqsSafe(text: string): string {
  return text.replace(notAllowedInSqs, '\uFFFD');
}

/** Deeper than this, a value is replaced by a note: JSON.stringify overflows the stack at a few thousand levels. */
const MAX_DEPTH = 64;
/** SQS takes at most 256 KiB a message (body and attributes); the reason attribute is at most 1 KiB. */
export const MAX_BODY_BYTES = 250 * 1024;

/** JSON of anything: too-deep values cut, cycles and other failures named instead of thrown. */
function serialize(raw: unknown): string {
  const depths = new WeakMap<object, number>();
  try {
    return (
      JSON.stringify(raw, function (this: unknown, _key, value: unknown) {
        if (typeof value !== 'object' || value === null) return value;
        const depth = (typeof this === 'object' && this !== null ? (depths.get(this) ?? 0) : 0) + 1;
        if (depth > MAX_DEPTH) return `(nested deeper than ${MAX_DEPTH} levels: cut)`;
        depths.set(value, depth);
        return value;
      }) ?? String(raw)
    );
  } catch (error) {
    return `(could not be serialized: ${error instanceof Error ? error.message : String(error)})`;
  }
}

function messageBody(raw: unknown): string {
  let text = typeof raw === 'string' ? raw : serialize(raw);
  const bytes = Buffer.byteLength(text);
  // A UTF-16 unit is at most 3 bytes of UTF-8: this many always fit.
  if (bytes > MAX_BODY_BYTES) text = `${text.slice(0, Math.floor(MAX_BODY_BYTES / 3) - 100)}… (cut: the message was ${bytes} bytes)`;
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
