import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionally } from '../incidents/store';
import type { PreviousChange, RemedyAction } from '../rules/remedy';
import type { RemedyOutcome } from './outcome';

/**
 * The remediation ledger, in the incident table (shared/incidents/store.ts):
 *
 * | pk                                        | what it is                                                        |
 * |-------------------------------------------|-------------------------------------------------------------------|
 * | `remedy#change#<serviceKey>#<action>`     | who holds the service's cool-down for the action, until when, and the last change it made |
 * | `remedy#budget#<account>#<hour>`          | live changes made in the account in that hour (epoch hours)       |
 *
 * Every decision is one conditional write, so concurrent invocations agree
 * without locks: two deliveries of an incident, or two incidents of a service,
 * claim the cool-down and one wins. A claim is never given back after a change
 * was attempted, failed or not, so a failing change is not retried into a loop;
 * it is given back only when the budget refused it before anything was sent.
 */
export const LEDGER_KEY_PREFIX = 'remedy';

/** A raise is remembered this long (at least the cool-down): a loop that goes on after it is not raised again. */
export const REMEMBER_SECONDS = 7 * 24 * 3600;

const changeKey = (serviceKey: string, action: RemedyAction) => ({ pk: `${LEDGER_KEY_PREFIX}#change#${serviceKey}#${action}` });
const budgetKey = (account: string, hour: number) => ({ pk: `${LEDGER_KEY_PREFIX}#budget#${account}#${hour}` });

export type ClaimResult =
  | { status: 'claimed' }
  /** This very incident holds it: a second delivery of the same event, or its retry; with the outcome it recorded, if any. */
  | { status: 'duplicate'; recorded: RemedyOutcome | undefined }
  /** Another incident of the service holds it. */
  | { status: 'cooling-down'; holder: string; claimedAt: string; until: string };

/** What the ledger holds for a service's action, as one incident sees it. */
export interface LedgerEntry {
  /** The last change this action made to the service, if still remembered. */
  lastChange: PreviousChange | undefined;
  /** The outcome this incident recorded, while it holds the claim: a redelivery republishes it and plans nothing. */
  recorded: RemedyOutcome | undefined;
}

export interface RemedyLedger {
  /** The service's entry for the action, as `incident` (fingerprint|firstSeen) sees it. */
  entry(serviceKey: string, action: RemedyAction, incident: string): Promise<LedgerEntry>;
  /** Claims the service's cool-down for the action for `incident` (fingerprint|firstSeen). */
  claim(serviceKey: string, action: RemedyAction, incident: string): Promise<ClaimResult>;
  /** Counts one change against the account's hourly budget; false when the hour's budget is spent. */
  spendBudget(account: string): Promise<boolean>;
  /** Gives a claim back (only its holder can): nothing was sent. */
  release(serviceKey: string, action: RemedyAction, incident: string): Promise<void>;
  /** What the holder's attempt came to; a change that was made is remembered as the service's last for the action. */
  recordOutcome(serviceKey: string, action: RemedyAction, incident: string, outcome: RemedyOutcome, change: { before: string; after: string } | undefined): Promise<void>;
}

export interface DynamoRemedyLedgerOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  coolDownSeconds: number;
  budgetPerHour: number;
  clock?: () => Date;
}

export function dynamoRemedyLedger({ client, tableName: TableName, coolDownSeconds, budgetPerHour, clock = () => new Date() }: DynamoRemedyLedgerOptions): RemedyLedger {
  const epoch = () => Math.floor(clock().getTime() / 1000);
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
  const remember = Math.max(REMEMBER_SECONDS, coolDownSeconds);

  const read = async (serviceKey: string, action: RemedyAction) =>
    (await client.send(new GetCommand({ TableName, Key: changeKey(serviceKey, action), ConsistentRead: true }))).Item;
  const recordedBy = (item: Record<string, unknown> | undefined, incident: string) =>
    item?.holder === incident ? (item.outcome as RemedyOutcome | undefined) : undefined;

  return {
    async entry(serviceKey, action, incident) {
      const item = await read(serviceKey, action);
      // TTL deletes late: an expired item is as good as gone.
      if (!item || Number(item.expiresAt) <= epoch()) return { lastChange: undefined, recorded: undefined };
      return { lastChange: item.lastChange as PreviousChange | undefined, recorded: recordedBy(item, incident) };
    },

    async claim(serviceKey, action, incident) {
      const now = epoch();
      const claimed = await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: changeKey(serviceKey, action),
            UpdateExpression: 'SET holder = :me, claimedAt = :now, coolUntil = :until, expiresAt = :expires REMOVE outcome',
            // TTL deletes late: an expired item is as good as gone.
            ConditionExpression: 'attribute_not_exists(pk) OR coolUntil <= :now OR expiresAt <= :now',
            ExpressionAttributeValues: { ':me': incident, ':now': now, ':until': now + coolDownSeconds, ':expires': now + remember },
          }),
        ),
      );
      if (claimed) return { status: 'claimed' };
      const item = await read(serviceKey, action);
      if (item?.holder === incident) return { status: 'duplicate', recorded: recordedBy(item, incident) };
      return { status: 'cooling-down', holder: String(item?.holder), claimedAt: iso(Number(item?.claimedAt)), until: iso(Number(item?.coolUntil)) };
    },

    async spendBudget(account) {
      const now = epoch();
      const hour = Math.floor(now / 3600);
      const spent = await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: budgetKey(account, hour),
            UpdateExpression: 'ADD changes :one SET expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(changes) OR changes < :max',
            ExpressionAttributeValues: { ':one': 1, ':max': budgetPerHour, ':expires': (hour + 2) * 3600 },
          }),
        ),
      );
      return spent !== undefined;
    },

    async release(serviceKey, action, incident) {
      const now = epoch();
      await conditionally(
        client.send(
          new UpdateCommand({
            TableName,
            Key: changeKey(serviceKey, action),
            UpdateExpression: 'SET coolUntil = :now',
            ConditionExpression: 'holder = :me',
            ExpressionAttributeValues: { ':me': incident, ':now': now },
          }),
        ),
      );
    },

    async recordOutcome(serviceKey, action, incident, outcome, change) {
      const now = epoch();
      const lastChange: PreviousChange | undefined = change && { at: iso(now), before: change.before, after: change.after };
      await client.send(
        new UpdateCommand({
          TableName,
          Key: changeKey(serviceKey, action),
          UpdateExpression: `SET outcome = :outcome, expiresAt = :expires${lastChange ? ', lastChange = :change' : ''}`,
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': incident, ':outcome': outcome, ':expires': now + remember, ...(lastChange ? { ':change': lastChange } : {}) },
        }),
      );
    },

  };
}
