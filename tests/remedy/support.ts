import type { Service } from '@aws-sdk/client-ecs';
import { inject } from 'vitest';
import { loadScenarios } from '../../cli/scenarios';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { snapshotReader } from '../../shared/reader/snapshot';
import type { RemedyBounds, RemedyCase } from '../../shared/rules/remedy';
import { cliAt } from '../support/printed-commands';

/** The finding a built-in scenario's events produce for `rule`, diagnosed against its snapshot. */
export async function scenarioFinding(scenarioId: string, rule: string): Promise<Finding> {
  const scenario = loadScenarios().find((s) => s.id === scenarioId);
  if (!scenario) throw new Error(`no scenario ${scenarioId}`);
  for (const event of scenario.events) {
    const result = await diagnoseEvent(event, snapshotReader(scenario.snapshot));
    const found = result.status === 'diagnosed' ? result.findings.find((f) => f.rule === rule) : undefined;
    if (found) return found;
  }
  throw new Error(`scenario ${scenarioId} produces no ${rule} finding`);
}

export function remedyCase(finding: Finding): RemedyCase {
  return {
    finding,
    fingerprint: `${finding.resource.account}|${finding.resource.region}|${finding.resource.cluster}|service/${finding.resource.service}|${finding.rule}|${finding.cause ?? '-'}`,
    firstSeen: '2025-05-06T11:05:06.000Z',
    region: finding.resource.region ?? 'us-east-1',
    account: finding.resource.account ?? '123456789012',
  };
}

export const BOUNDS: RemedyBounds = { ceilingSeconds: 600, retentionDays: 30, kmsKeyId: undefined, logGroupPrefixes: ['/ecs/'] };

export function service(overrides: Partial<Service> = {}): Service {
  return {
    serviceName: 'webserver',
    serviceArn: 'arn:aws:ecs:us-west-2:111111111111:service/example-cluster/webserver',
    clusterArn: 'arn:aws:ecs:us-west-2:111111111111:cluster/example-cluster',
    taskDefinition: 'arn:aws:ecs:us-west-2:111111111111:task-definition/webserver:5',
    loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/demo/8e6d68f88cd88d12', containerName: 'web', containerPort: 80 }],
    healthCheckGracePeriodSeconds: 0,
    desiredCount: 2,
    runningCount: 0,
    tags: [{ key: 'ecs-medic:auto-fix', value: 'grace-period log-group' }],
    ...overrides,
  };
}

const cli = inject('awsCli');
const ciRequiresCli = process.env.CI === 'true';
/** Skips a test of printed commands where the AWS CLI checker cannot run (never under CI). */
export const withAwsCli = 'unavailable' in cli && !ciRequiresCli;

/** What the real AWS CLI v1 makes of each command: the problems, empty when every one parses and passes validation. */
export async function cliProblems(commands: readonly string[]): Promise<string[]> {
  if ('unavailable' in cli) throw new Error(cli.unavailable);
  const results = await cliAt(cli.url)(commands.map((run) => ({ run, split: run })));
  return results.flatMap((result, i) => (result.ok ? [] : [`${commands[i]}: ${result.message}`]));
}
