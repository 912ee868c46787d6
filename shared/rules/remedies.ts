import graceRemedy from './health-check-grace-period/remedy';
import logGroupRemedy from './log-group-missing/remedy';
import type { AnyRemedy, RemedyAction } from './remedy';

/** Every remedy, by the action it performs (a rule's `meta.autoFix`). Adding one touches its rule folder and this line. */
export const remedies: Readonly<Record<RemedyAction, AnyRemedy>> = {
  'grace-period': graceRemedy,
  'log-group': logGroupRemedy,
};

/** The remedy of a rule's incidents, if it has one. */
export function remedyFor(rule: string): AnyRemedy | undefined {
  return Object.values(remedies).find((remedy) => remedy.rule === rule);
}
