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
  /** This very incident holds it: a second delivery of the same event, or its retry. */
  | { status: 'duplicate' }
  /** Another incident of the service holds it. */
  | { status: 'cooling-down'; holder: string; claimedAt: string; until: string };

export interface RemedyLedger {
  /** The last change this action made to the service, if still remembered. */
  previous(serviceKey: string, action: RemedyAction): Promise<PreviousChange | undefined>;
  /** Claims the service's cool-down for the action for `incident` (fingerprint|firstSeen). */
  claim(serviceKey: string, action: RemedyAction, incident: string): Promise<ClaimResult>;
  /** Counts one change against the account's hourly budget; false when the hour's budget is spent. */
  spendBudget(account: string): Promise<boolean>;
  /** Gives a claim back (only its holder can): nothing was sent. */
  release(serviceKey: string, action: RemedyAction, incident: string): Promise<void>;
  /** What the holder's attempt came to; a change that was made is remembered as the service's last for the action. */
  recordOutcome(serviceKey: string, action: RemedyAction, incident: string, outcome: RemedyOutcome, change: { before: string; after: string } | undefined): Promise<void>;
  /** The outcome `incident` recorded, while it holds the claim. */
  outcome(serviceKey: string, action: RemedyAction, incident: string): Promise<RemedyOutcome | undefined>;
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

  return {
    async previous(serviceKey, action) {
      const { Item: item } = await client.send(new GetCommand({ TableName, Key: changeKey(serviceKey, action), ConsistentRead: true }));
      const last = item?.lastChange as PreviousChange | undefined;
      return last && Number(item?.expiresAt) > epoch() ? last : undefined;
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
      const { Item: item } = await client.send(new GetCommand({ TableName, Key: changeKey(serviceKey, action), ConsistentRead: true }));
      if (item?.holder === incident) return { status: 'duplicate' };
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

    async outcome(serviceKey, action, incident) {
      const { Item: item } = await client.send(new GetCommand({ TableName, Key: changeKey(serviceKey, action), ConsistentRead: true }));
      return item?.holder === incident ? (item.outcome as RemedyOutcome | undefined) : undefined;
    },
  };
}
