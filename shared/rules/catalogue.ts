import logGroupMissing from './log-group-missing';
import type { AnyRule } from './rule';

/**
 * Every rule, in tie-break order: when two detections are equally specific
 * and equally severe, the one listed first ranks first.
 */
export const catalogue: readonly AnyRule[] = [logGroupMissing];
