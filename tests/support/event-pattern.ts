/**
 * An EventBridge event-pattern matcher for the tests, covering exactly the
 * operators the stack's patterns use (infra/patterns.ts): exact values
 * (string, number, boolean, null), `prefix`, `suffix`, `wildcard`,
 * `anything-but` (a value or a list of values), `exists` and `$or`.
 *
 * Semantics, as the EventBridge user guide documents them ("Event patterns",
 * "Content filtering", "Arrays in event patterns", "Matching null values"):
 * - fields of an object are ANDed; the values listed for a leaf are ORed;
 * - every field named in the pattern must be present in the event, except
 *   for `{"exists": false}`, the only matcher that an absent field satisfies;
 * - when the event holds an array, the pattern matches if any element matches;
 * - `$or` holds two or more sub-patterns, at least one of which must match.
 *
 * Any other operator (numeric, cidr, equals-ignore-case…) throws: a pattern
 * using one would otherwise be evaluated wrongly instead of failing the test.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type EventPattern = { [key: string]: unknown };

type Leaf = (value: Json) => boolean;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `*` matches any run of characters (also none); `\*` is a literal star and `\\` a literal backslash. */
function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new Error(`wildcard "${pattern}": a backslash may only escape * or \\`);
      source += `\\${next}`;
      i++;
    } else if (char === '*') {
      if (pattern[i + 1] === '*') throw new Error(`wildcard "${pattern}": consecutive wildcard characters are not allowed`);
      source += '[\\s\\S]*';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function anythingBut(operand: unknown): Leaf {
  const excluded: unknown[] = Array.isArray(operand) ? operand : [operand];
  // Only a value of the same kind can be "anything but" it (a string is not "anything but" 5).
  const kind = typeof excluded[0];
  if ((kind !== 'string' && kind !== 'number') || !excluded.every((v) => typeof v === kind)) {
    throw new Error(`anything-but takes a string, a number, or a list of only strings or only numbers, got ${JSON.stringify(operand)}`);
  }
  return (value) => typeof value === kind && !excluded.includes(value);
}

function leafMatcher(spec: unknown): Leaf {
  if (isScalar(spec)) return (value) => value === spec;
  if (!isObject(spec)) throw new Error(`unsupported pattern value ${JSON.stringify(spec)}`);
  const entries = Object.entries(spec);
  const [operator, operand] = entries[0] ?? [];
  if (entries.length !== 1 || operator === undefined) throw new Error(`a matcher has exactly one operator: ${JSON.stringify(spec)}`);
  switch (operator) {
    case 'prefix':
      if (typeof operand !== 'string') break;
      return (value) => typeof value === 'string' && value.startsWith(operand);
    case 'suffix':
      if (typeof operand !== 'string') break;
      return (value) => typeof value === 'string' && value.endsWith(operand);
    case 'wildcard': {
      if (typeof operand !== 'string') break;
      const regex = wildcard(operand);
      return (value) => typeof value === 'string' && regex.test(value);
    }
    case 'anything-but':
      return anythingBut(operand);
    case 'exists':
      // Handled by the caller, which knows whether the field is present.
      if (typeof operand !== 'boolean') break;
      return () => operand;
    default:
      throw new Error(`operator "${operator}" is not supported by this matcher (tests/support/event-pattern.ts)`);
  }
  throw new Error(`bad operand for "${operator}": ${JSON.stringify(operand)}`);
}

/** A field's leaf values: an array's scalar elements, or the scalar itself. Objects are intermediate nodes, not values. */
function leafValues(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => !Array.isArray(v) && !isObject(v));
}

function matchLeaf(specs: unknown[], value: Json | undefined): boolean {
  if (specs.length === 0) throw new Error('a pattern field must list at least one value');
  const values = leafValues(value);
  return specs.some((spec) => {
    const leaf = leafMatcher(spec);
    // Exists matching "only works on leaf nodes": an object or an empty array counts as absent.
    if (isObject(spec) && 'exists' in spec) return spec.exists === values.length > 0;
    return values.some(leaf);
  });
}

function matchObject(pattern: Record<string, unknown>, event: Json | undefined): boolean {
  // An array of objects matches when one of its elements matches the whole sub-pattern.
  if (Array.isArray(event) && event.some(isObject)) return event.some((element) => matchObject(pattern, element));
  const fields: Record<string, Json> = isObject(event) ? (event as Record<string, Json>) : {};
  return Object.entries(pattern).every(([key, spec]) => {
    if (key === '$or') {
      if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isObject)) throw new Error('$or takes a list of two or more patterns');
      return spec.some((branch) => matchObject(branch, event));
    }
    const value = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (Array.isArray(spec)) return matchLeaf(spec, value);
    if (isObject(spec)) return matchObject(spec, value);
    throw new Error(`pattern field "${key}" must be a list of values or a nested pattern`);
  });
}

/** True when EventBridge would deliver `event` to a rule with `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event as Json);
}
