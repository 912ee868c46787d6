import { parseArgs } from 'node:util';
import type { AuditSummary } from '../../shared/audit/account';
import { type Severity, severityOrder } from '../../shared/findings';
import { renderFinding } from '../../shared/render/text';
import { type Command, UsageError } from '../usage';

const severities: readonly Severity[] = ['critical', 'warning', 'info'];

function summaryLines(summary: AuditSummary): string[] {
  const calls = Object.values(summary.calls).reduce((sum, n) => sum + (n ?? 0), 0);
  return [
    `audited ${summary.region}: ${summary.clusters} cluster(s), ${summary.services} service(s), ${summary.taskDefinitions} task definition(s), ${summary.containerInstances} container instance(s)`,
    `findings: ${severities.map((s) => `${summary.findings[s]} ${s}`).join(', ')}${Object.keys(summary.byRule).length > 0 ? ` (${Object.entries(summary.byRule).map(([rule, n]) => `${rule} ${n}`).join(', ')})` : ''}`,
    `AWS calls: ${calls} (${Object.entries(summary.calls).map(([op, n]) => `${op} ${n}`).join(', ')})${summary.failedReads > 0 ? `; ${summary.failedReads} failed (see "not checked")` : ''}`,
  ];
}

export const audit: Command = {
  name: 'audit',
  summary: 'Audit the ECS configuration of an account, read-only, with the lint checks',
  help: `Usage: ecs-medic audit [--region R] [--profile P] [--cluster NAME]... [--json] [--severity LEVEL]

Reads every cluster, service, task definition in use and container instance
of one Region (or only the --cluster ones), read-only, and runs the same
checks as ecs-medic lint, plus those that need the account: free addresses
in the services' subnets, awsvpc task slots per instance, agent versions,
whether log groups exist. The bot's scheduled audit runs the same code.

Reads: ecs:ListClusters, DescribeClusters, ListServices (100 a page),
DescribeServices (10 at a time), DescribeTaskDefinition (each revision once),
ListContainerInstances and DescribeContainerInstances (clusters with
instances only), ec2:DescribeSubnets, logs:DescribeLogGroups; the SDK retries
throttled calls adaptively. Credentials: the standard AWS chain.

Options:
  --region R       region to audit; default AWS_REGION, then the profile's region
  --profile P      named profile from the shared AWS config files
  --cluster NAME   audit only this cluster (repeatable)
  --json           {"summary": …, "findings": [...], "unchecked": [...]}
  --severity L     lowest severity that fails the run: critical, warning (default) or info
  -h, --help       show this help

Exit status: 0 when no finding is at or above --severity, 1 when any is,
2 on usage errors or when no region is configured.`,

  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { region: { type: 'string' }, profile: { type: 'string' }, cluster: { type: 'string', multiple: true }, json: { type: 'boolean' }, severity: { type: 'string' } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const threshold = (values.severity ?? 'warning') as Severity;
    if (!severities.includes(threshold)) throw new UsageError(`--severity must be one of ${severities.join(', ')}`);
    // Loaded here only, so the other commands never pay for loading the AWS SDK.
    const { configuredRegion, credentialsOnce, liveReader } = await import('../../shared/reader/live');
    const { auditAccount } = await import('../../shared/audit/account');
    const region = values.region ?? (await configuredRegion(values.profile));
    if (!region) throw new UsageError('no region: pass --region or set AWS_REGION (or a region in the profile)');
    const reader = liveReader({ region, profile: values.profile, credentials: credentialsOnce(region, values.profile) });
    const result = await auditAccount(reader, { region, clusters: values.cluster ?? [] });
    if (values.json) io.out(JSON.stringify({ summary: result.summary, findings: result.findings, unchecked: result.unchecked }, null, 2));
    else {
      if (result.findings.length > 0) io.out(`${result.findings.map(renderFinding).join('\n\n')}\n`);
      if (result.unchecked.length > 0) {
        io.out('not checked:');
        for (const u of result.unchecked) io.out(`  - ${[u.resource.cluster, u.resource.service ?? u.resource.taskFamily].filter(Boolean).join('/')}: ${u.check}: ${u.reason}`);
        io.out('');
      }
      for (const line of summaryLines(result.summary)) io.out(line);
    }
    return result.findings.some((f) => severityOrder[f.severity] <= severityOrder[threshold]) ? 1 : 0;
  },
};
