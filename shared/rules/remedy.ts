import type { Service } from '@aws-sdk/client-ecs';
import type { Finding } from '../findings';
import type { AccountReader, ReaderOperation } from '../reader/port';
import type { AccountWriter, WriterOperation } from '../writer/port';
import type { RuleMeta } from './rule';

/**
 * A rule's remedy, beside its detection (shared/rules/<id>/remedy/): `gather`
 * reads what the plan needs through the reader port, `plan` is pure (from the
 * incident and what was read: a change, a refusal with its reason, or nothing
 * to do), and `apply` makes a planned change through the writer port. The
 * guards (mode, opt-in tag, cool-down, budget: shared/remedy/) wrap all three.
 */
export type RemedyAction = NonNullable<RuleMeta['autoFix']>;

/** The bounds the deployment sets (cdk.json context `remediation`), as remedies see them. */
export interface RemedyBounds {
  /** Never raise the grace period above this. */
  ceilingSeconds: number;
  /** Retention of a created log group. */
  retentionDays: number;
  /** KMS key ARN a created log group is encrypted with; none for the service's default encryption. */
  kmsKeyId: string | undefined;
  /** Log groups are created only under these name prefixes. */
  logGroupPrefixes: readonly string[];
}

/** The incident a remedy answers: its opening finding, and what names it. */
export interface RemedyCase {
  finding: Finding;
  fingerprint: string;
  firstSeen: string;
  /** Region and account of the service (the finding's, else the bot's own). */
  region: string;
  account: string;
}

/** The last change this action made to this service (the ledger's record), for a remedy that must not repeat itself. */
export interface PreviousChange {
  at: string;
  before: string;
  after: string;
}

/** One value a change sets, as the outcome shows it. */
export interface ValueChange {
  /** What holds the value: "service web healthCheckGracePeriodSeconds", "log group /ecs/web". */
  target: string;
  before: string;
  after: string;
}

export type Plan<C> =
  | {
      kind: 'change';
      change: C;
      /** The change as a verb phrase: "raise the grace period of service web from 30 s to 90 s". */
      summary: string;
      /** The same, done: "raised the grace period of service web from 30 s to 90 s". */
      did: string;
      values: ValueChange[];
      /** AWS CLI commands that put back what was there. */
      undo: string[];
      /** Where to make the same change in infrastructure as code, for a service a template manages. */
      templateLines: string[];
    }
  | { kind: 'refusal'; reason: string }
  | { kind: 'nothing'; reason: string };

export interface Remedy<F = unknown, C = unknown> {
  action: RemedyAction;
  /** The rule whose incidents it repairs. */
  rule: string;
  /** Every reader operation `gather` may call (the remediate role is granted these). */
  needs: readonly ReaderOperation[];
  /** Every writer operation `apply` may call (granted only while the action's mode is on). */
  writes: readonly WriterOperation[];
  /** Reads what `plan` needs beyond the service (already read, with its tags); a string says what could not be read. */
  gather(incident: RemedyCase, service: Service, reader: AccountReader): Promise<F | string>;
  plan(incident: RemedyCase, facts: F, bounds: RemedyBounds, previous: PreviousChange | undefined): Plan<C>;
  /** Makes the change; each step done is pushed to `done` as it completes, so a failure part-way says what was made. */
  apply(change: C, writer: AccountWriter, done: string[]): Promise<void>;
}

export function defineRemedy<F, C>(remedy: Remedy<F, C>): Remedy<F, C> {
  return remedy;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds remedies of every facts and change type
export type AnyRemedy = Remedy<any, any>;
