import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, type Tags } from 'yaml';
import type { Region } from '../sarif';

/**
 * CloudFormation templates in YAML, read into the same tree as their JSON
 * form: the short-form intrinsics (`!Ref X`, `!GetAtt R.Arn`, `!Sub [...]`…)
 * become their long forms (`{"Ref": "X"}`, `{"Fn::GetAtt": ["R", "Arn"]}`,
 * `{"Fn::Sub": [...]}`), so the template reader never sees YAML. YAML 1.1, as
 * CloudFormation reads it, without the timestamp type (CloudFormation has none:
 * `2010-09-09` stays a string) and without merge keys (CloudFormation has none).
 * The parsed node tree stays at hand to turn JSON pointers into lines.
 */

/** Short-form tag → long-form key (CloudFormation User Guide, "Intrinsic function reference"; Condition functions). */
const LONG_FORMS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  ...Object.fromEntries(
    ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Length', 'ToJsonString'].map((name) => [
      `!${name}`,
      `Fn::${name}`,
    ]),
  ),
};

/** Each short form on a scalar, a sequence or a mapping, kept as parsed: the tree walk below rewrites it. */
const shortFormTags: Tags = Object.keys(LONG_FORMS).flatMap((tag) => [
  { tag, resolve: (value: string) => value },
  { tag, collection: 'seq' as const, resolve: (value: unknown) => value as never },
  { tag, collection: 'map' as const, resolve: (value: unknown) => value as never },
]);

/** YAML 1.1 types CloudFormation does not have. */
const withoutTypes = new Set(['timestamp', 'tag:yaml.org,2002:timestamp', 'merge', 'tag:yaml.org,2002:merge']);

export class YamlSyntaxError extends Error {}

export interface ParsedYaml {
  document: unknown;
  /** The line and column of the node a JSON pointer names, or of its nearest existing ancestor; a mapping's value at its key. */
  regionOf(pointer: string): Region | undefined;
}

function tokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function parseCloudFormationYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, {
    lineCounter,
    version: '1.1',
    customTags: (tags) => [...tags.filter((t) => !withoutTypes.has(typeof t === 'string' ? t : t.tag)), ...shortFormTags],
  });
  const [error] = parsed.errors;
  if (error) {
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [undefined, undefined];
    throw new YamlSyntaxError(`${line !== undefined ? `line ${line}, column ${column}: ` : ''}${error.message.split('\n')[0]}`);
  }
  const resolved = (node: unknown): unknown => (isAlias(node) ? node.resolve(parsed as Document) : node);
  return {
    document: jsonOf(parsed.contents, resolved),
    regionOf(pointer) {
      let node: unknown = parsed.contents;
      let at: Node | undefined = parsed.contents ?? undefined;
      for (const token of tokens(pointer)) {
        const current = resolved(node);
        let next: unknown;
        if (isMap(current)) {
          const pair = current.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === token);
          next = pair?.value;
          if (pair) at = (isScalar(pair.key) ? pair.key : (pair.value as Node | null)) ?? at;
        } else if (isSeq(current) && /^\d+$/.test(token)) {
          next = current.items[Number(token)];
          if (next) at = next as Node;
        }
        if (next === undefined) break;
        node = next;
      }
      const offset = at?.range?.[0];
      if (offset === undefined) return undefined;
      const { line, col } = lineCounter.linePos(offset);
      return { startLine: line, startColumn: col };
    },
  };
}

/** The JSON value of a node, short forms rewritten to long forms. */
function jsonOf(node: unknown, resolved: (node: unknown) => unknown): unknown {
  const target = resolved(node);
  let value: unknown;
  if (isMap(target)) {
    value = Object.fromEntries(target.items.map((pair) => [String(isScalar(pair.key) ? pair.key.value : pair.key), jsonOf(pair.value, resolved)]));
  } else if (isSeq(target)) {
    value = target.items.map((item) => jsonOf(item, resolved));
  } else if (isScalar(target)) {
    value = target.value;
  } else {
    value = null;
  }
  const tag = (target as Node | null)?.tag;
  const longForm = tag ? LONG_FORMS[tag] : undefined;
  if (!longForm) return value;
  // `!GetAtt Resource.Attribute`: the long form takes [resource, attribute] (the attribute may itself hold dots).
  if (longForm === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { [longForm]: dot > 0 ? [value.slice(0, dot), value.slice(dot + 1)] : [value] };
  }
  return { [longForm]: value };
}
