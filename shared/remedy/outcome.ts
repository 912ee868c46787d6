import { cut } from '../bot/incident-event';
import type { ResourceRef } from '../findings';
import type { RemedyAction, ValueChange } from '../rules/remedy';

/**
 * What a remedy did about one incident, published on the bus (source
 * `ecs-medic`, detail-type `ECS Medic Remedy`) and sent by notify. Documented
 * in the README ("What it changes, and how to stop it"); fields are only ever added.
 */
export const REMEDY_DETAIL_TYPE = 'ECS Medic Remedy';

export type RemedyStatus = 'applied' | 'dry-run' | 'skipped' | 'failed';

export interface RemedyOutcome {
  action: RemedyAction;
  rule: string;
  status: RemedyStatus;
  /** One sentence: "would raise the grace period of service web from 30 s to 90 s". */
  summary: string;
  /** Why it was skipped or failed. */
  reason?: string;
  /** The values the change sets (or would set): before and after. */
  values: ValueChange[];
  /** The steps that were made, in order (a failure part-way lists what was made before it). */
  done: string[];
  /** AWS CLI commands that put back what the change set. Empty when nothing was (or would be) changed. */
  undo: string[];
  /** The service is managed by a CloudFormation stack: the next deploy may set the value back, so change the template too. */
  managedBy?: { stack: string; templateLines: string[] };
  resource: ResourceRef;
}

export interface RemedyDetail {
  schemaVersion: 1;
  /** The incident the remedy answered (shared/bot/incident-event.ts). */
  fingerprint: string;
  firstSeen: string;
  outcome: RemedyOutcome;
}

const CAP = 2000;

/** The detail as published: each text capped, so a PutEvents entry stays far below its 256 KB. */
export function remedyDetail(fingerprint: string, firstSeen: string, outcome: RemedyOutcome): RemedyDetail {
  const capped = (texts: readonly string[]) => texts.slice(0, 20).map((text) => cut(text, CAP));
  return {
    schemaVersion: 1,
    fingerprint,
    firstSeen,
    outcome: {
      ...outcome,
      summary: cut(outcome.summary, CAP),
      ...(outcome.reason === undefined ? {} : { reason: cut(outcome.reason, 4 * CAP) }),
      values: outcome.values.slice(0, 20).map((v) => ({ target: cut(v.target, 500), before: cut(v.before, 500), after: cut(v.after, 500) })),
      done: capped(outcome.done),
      undo: capped(outcome.undo),
      ...(outcome.managedBy ? { managedBy: { stack: cut(outcome.managedBy.stack, 256), templateLines: capped(outcome.managedBy.templateLines) } } : {}),
    },
  };
}
