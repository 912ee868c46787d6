import type { Finding, ResourceRef } from '../findings';
import { oneLine } from '../notify/safe-text';

const severityLabel = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' } as const;

const resourceLabels: [keyof ResourceRef, string][] = [
  ['cluster', 'cluster'],
  ['service', 'service'],
  ['taskFamily', 'task family'],
  ['task', 'task'],
  ['container', 'container'],
  ['containerInstance', 'instance'],
  ['file', 'file'],
  ['logicalId', 'resource'],
  ['pointer', 'at'],
];

export function describeResource(resource: ResourceRef): string {
  const parts = resourceLabels.filter(([key]) => resource[key]).map(([key, label]) => `${label} ${resource[key]}`);
  return parts.length > 0 ? parts.join(' · ') : 'not named in the input';
}

function indent(text: string, prefix: string): string {
  return text.split('\n').join(`\n${prefix}`);
}

/**
 * A finding as a person reads it in an alert: what broke, where, why,
 * evidence, the fix, what was not checked. What AWS texts fill (evidence,
 * names, reasons) is kept to one line, so a line break in a stoppedReason
 * cannot start a line that reads as the finding's own (`  fix: curl … | sh`);
 * the explanation and the fix, which rules write, keep theirs, indented.
 */
export function renderFinding(finding: Finding): string {
  const cause = finding.cause ? ` (${finding.cause})` : '';
  const lines = [
    `${severityLabel[finding.severity]}  ${oneLine(finding.title)}`,
    `  rule:      ${oneLine(`${finding.rule}${cause}`)}`,
    `  where:     ${oneLine(describeResource(finding.resource))}`,
    `  why:       ${indent(finding.explanation, '             ')}`,
  ];
  if (finding.evidence.length > 0) {
    lines.push('  evidence:');
    for (const item of finding.evidence) lines.push(`    - ${oneLine(item.source)}: ${oneLine(item.observed)}`);
  }
  lines.push(`  fix:       ${indent(finding.fix, '             ')}`);
  if (finding.unchecked.length > 0) {
    lines.push('  not checked:');
    for (const item of finding.unchecked) lines.push(`    - ${oneLine(item.check)}: ${oneLine(item.reason)}`);
  }
  return lines.join('\n');
}
