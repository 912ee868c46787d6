import { findNodeAtLocation, type Node, parseTree } from 'jsonc-parser';
import type { Finding, Severity } from '../findings';
import type { StaticCheck } from './check';

/**
 * SARIF 2.1.0 (OASIS), the format code-scanning UIs read (GitHub code
 * scanning among them): one run, one reporting descriptor per static check,
 * one result per finding, located by file and line, with the JSON pointer as
 * the logical location.
 */

const level: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', warning: 'warning', info: 'note' };

/** The JSON pointer's tokens, unescaped (RFC 6901). */
function tokens(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((t) => (/^\d+$/.test(t) ? Number(t) : t));
}

/** A SARIF region: 1-based line and column. */
export interface Region {
  startLine: number;
  startColumn: number;
}

/** Where in its file a JSON pointer is; one per linted file, for its format. */
export type Locate = (pointer: string) => Region | undefined;

/** The 1-based line and column, in JSON text, of the node a pointer names, or of its nearest existing ancestor. */
export function lineOf(text: string, pointer: string): Region | undefined {
  const root = parseTree(text);
  if (!root) return undefined;
  const path = tokens(pointer);
  let node: Node | undefined;
  for (let length = path.length; length >= 0 && !node; length--) node = findNodeAtLocation(root, path.slice(0, length));
  if (!node) return undefined;
  // A property's value: point at its key, where a reader looks.
  const offset = node.parent?.type === 'property' ? node.parent.offset : node.offset;
  const before = text.slice(0, offset);
  const startLine = before.split('\n').length;
  return { startLine, startColumn: offset - before.lastIndexOf('\n') };
}

/** `locators`: for each file by name, how its pointers become lines. */
export function sarifLog(findings: readonly Finding[], checks: readonly StaticCheck[], locators: ReadonlyMap<string, Locate>): object {
  const rules = checks.map((check) => ({
    id: check.rule,
    name: check.rule
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: `ecs-medic ${check.rule}` },
    fullDescription: { text: check.summary },
    properties: { causes: check.causes, tags: ['ecs', 'configuration'] },
  }));
  const index = new Map(checks.map((check, i) => [check.rule, i]));
  const results = findings.map((finding) => {
    const { file, pointer = '', logicalId } = finding.resource;
    const region = file ? locators.get(file)?.(pointer) : undefined;
    return {
      ruleId: finding.rule,
      ruleIndex: index.get(finding.rule) ?? -1,
      level: level[finding.severity],
      message: { text: `${finding.title}. ${finding.explanation}\nFix: ${finding.fix}` },
      locations: [
        {
          ...(file ? { physicalLocation: { artifactLocation: { uri: file }, ...(region ? { region } : {}) } } : {}),
          logicalLocations: [{ ...(logicalId ? { name: logicalId } : {}), fullyQualifiedName: `${logicalId ?? finding.resource.taskFamily ?? finding.resource.service ?? ''}${pointer}`, kind: 'resource' }],
        },
      ],
      partialFingerprints: { 'ecsMedic/v1': [finding.rule, finding.cause ?? '', file ?? '', logicalId ?? '', pointer].join('|') },
      properties: { cause: finding.cause, severity: finding.severity, fix: finding.fix, pointer },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'ecs-medic', rules } }, results, columnKind: 'utf16CodeUnits' }],
  };
}
