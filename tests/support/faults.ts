/**
 * Fault injection for the bot's own calls: a DynamoDB document client that
 * fails the calls a test chooses and passes every other to the real one
 * (dynalite), so conditional writes stay real.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface FaultPlan {
  /** Decides per call (command name such as "UpdateCommand", and its 1-based number among all calls) whether it fails. */
  fails(command: string, call: number): boolean;
}

export const internalError = () => Object.assign(new Error('Internal server error (injected)'), { name: 'InternalServerError', $fault: 'server' });

export function faultyDocuments(inner: DynamoDBDocumentClient, plan: FaultPlan): DynamoDBDocumentClient & { calls: string[] } {
  const calls: string[] = [];
  const client = {
    calls,
    send(command: { constructor: { name: string } }) {
      calls.push(command.constructor.name);
      if (plan.fails(command.constructor.name, calls.length)) return Promise.reject(internalError());
      return (inner.send as (c: unknown) => Promise<unknown>)(command);
    },
  };
  return client as unknown as DynamoDBDocumentClient & { calls: string[] };
}
