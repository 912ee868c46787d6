import type { Finding } from '../findings';
import { severityOrder } from '../findings';
import type { ResourceRef } from '../findings';
import { staticChecks } from '../rules/checks';
import type { ClusterSubject, Issue, Origin, Report, ServiceSubject, StaticCheck, TaskDefinitionSubject } from './check';

/** Everything one source (a file, a template, an account) holds. */
export interface Configuration {
  taskDefinitions: readonly TaskDefinitionSubject[];
  services: readonly ServiceSubject[];
  clusters: readonly ClusterSubject[];
}

export interface StaticUnchecked {
  resource: ResourceRef;
  check: string;
  reason: string;
}

export interface StaticResult {
  findings: Finding[];
  unchecked: StaticUnchecked[];
}

function findingOf(rule: string, issue: Issue): Finding {
  const { origin, path } = issue.at;
  return {
    rule,
    cause: issue.cause,
    severity: issue.severity,
    title: issue.title,
    explanation: issue.explanation,
    fix: issue.fix,
    resource: { ...origin.resource, pointer: origin.pointerOf(path) },
    evidence: issue.evidence,
    unchecked: [],
  };
}

/** Runs every static check over a configuration; findings most severe first, in check order within a severity. */
export function runStaticChecks(configuration: Configuration, checks: readonly StaticCheck[] = staticChecks): StaticResult {
  const findings: Finding[] = [];
  const unchecked: StaticUnchecked[] = [];
  for (const check of checks) {
    const report: Report = {
      issue: (issue) => findings.push(findingOf(check.rule, issue)),
      unchecked: (origin: Origin, what: string, reason: string) => unchecked.push({ resource: { ...origin.resource }, check: `${check.rule}: ${what}`, reason }),
    };
    for (const subject of configuration.taskDefinitions) check.taskDefinition?.(subject, report);
    for (const subject of configuration.services) check.service?.(subject, report);
    for (const subject of configuration.clusters) check.cluster?.(subject, report);
  }
  findings.sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity]);
  return { findings, unchecked };
}
