/**
 * A deliberately tiny validator: checks only the fields the rules read, in one
 * pass, and reports the first bad field by its path. It returns nothing new,
 * so a valid event costs no copy (bench/ compares it with JSON.parse).
 */

export type FieldKind = 'string' | 'number' | 'boolean' | 'object' | 'array';

export interface FieldSpec {
  kind: FieldKind;
  optional: boolean;
  /** For objects: their fields. For arrays of objects: each element's fields. */
  fields?: Schema;
  /** For arrays of scalars: the element kind. */
  items?: FieldKind;
  /** For objects: `null` is accepted where AWS sends it (CloudTrail requestParameters). */
  nullable?: boolean;
}

export type Schema = Record<string, FieldSpec>;

export interface SchemaProblem {
  field: string;
  problem: string;
}

const field =
  (optional: boolean) =>
  (kind: FieldKind, extra: Omit<FieldSpec, 'kind' | 'optional'> = {}): FieldSpec => ({
    kind,
    optional,
    ...extra,
  });

export const required = field(false);
export const optional = field(true);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validate(value: Record<string, unknown>, schema: Schema, path: string): SchemaProblem | null {
  for (const key in schema) {
    const problem = validateField(value[key], schema[key] as FieldSpec, path, key);
    if (problem) return problem;
  }
  return null;
}

/** `path.key`; built only for a field that is bad or has fields of its own (a valid event's leaves cost no string). */
function fieldPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function validateField(value: unknown, spec: FieldSpec, path: string, key: string): SchemaProblem | null {
  if (value === undefined || (value === null && spec.nullable)) {
    return spec.optional ? null : { field: fieldPath(path, key), problem: 'is missing' };
  }
  const actual = kindOf(value);
  if (actual !== spec.kind) return { field: fieldPath(path, key), problem: `should be ${spec.kind}, is ${actual}` };
  if (spec.kind === 'object' && spec.fields) {
    return validate(value as Record<string, unknown>, spec.fields, fieldPath(path, key));
  }
  if (spec.kind === 'array' && (spec.fields || spec.items)) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (spec.fields) {
        if (!isObject(item)) return { field: `${fieldPath(path, key)}[${i}]`, problem: `should be object, is ${kindOf(item)}` };
        const problem = validate(item, spec.fields, '');
        // Paths inside an element are built from the element on the way out, only when one is bad.
        if (problem) return { field: `${fieldPath(path, key)}[${i}].${problem.field}`, problem: problem.problem };
      } else if (kindOf(item) !== spec.items) {
        return { field: `${fieldPath(path, key)}[${i}]`, problem: `should be ${spec.items}, is ${kindOf(item)}` };
      }
    }
  }
  return null;
}
