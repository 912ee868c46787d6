import { readFileSync } from 'node:fs';
import type { Finding } from '../../shared/findings';
import { configurationOf } from '../../shared/static/documents';
import { runStaticChecks, type StaticResult } from '../../shared/static/run';

/** A fixture from tests/fixtures/static, parsed fresh each time so tests can change it. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/static/${name}`, import.meta.url), 'utf8')) as T;
}

/** Lints documents as `ecs-medic lint` would, keyed by file name. */
export function lintDocuments(documents: Record<string, unknown>): StaticResult {
  return runStaticChecks(configurationOf(Object.entries(documents).map(([file, document]) => ({ file, document }))));
}

export function ofRule(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

/** rule/cause@pointer, the part of a finding a test usually pins. */
export function brief(finding: Finding): string {
  return `${finding.rule}/${finding.cause ?? '-'}@${finding.resource.pointer}`;
}
