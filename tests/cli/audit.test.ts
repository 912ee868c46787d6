import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { mockAccount, REGION } from '../support/mock-account';
import { mockAccountClients } from '../support/mock-account-clients';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => '' });
  return { code, text: out.join('\n'), err: err.join('\n') };
}

describe('ecs-medic audit, against mocked AWS clients behind the live reader', () => {
  const account = mockAccount({ clusters: 3, services: 45, ec2Every: 3, instancesPerEc2Cluster: 3, sharedEvery: 4 });
  const clients = mockAccountClients(account);
  const { ecs } = clients;

  beforeEach(() => {
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    clients.reset();
  });
  afterAll(() => {
    clients.restore();
    vi.unstubAllEnvs();
  });

  it('lists services 100 a page and describes them 10 at a time, each task definition once', async () => {
    const { code, text } = await run(['audit', '--region', REGION]);
    expect(code).toBe(1);
    for (const call of ecs.commandCalls(ListServicesCommand)) expect(call.args[0].input.maxResults).toBe(100);
    for (const call of ecs.commandCalls(DescribeServicesCommand)) expect(call.args[0].input.services?.length).toBeLessThanOrEqual(10);
    const described = ecs.commandCalls(DescribeTaskDefinitionCommand).map((c) => c.args[0].input.taskDefinition);
    expect(new Set(described).size).toBe(described.length);
    expect(described).toHaveLength(account.taskDefinitions.size);
    expect(text).toContain(`audited ${REGION}: 3 cluster(s), 45 service(s), ${account.taskDefinitions.size} task definition(s), 3 container instance(s)`);
    expect(text).toMatch(/AWS calls: \d+ \(ecs:ListClusters 1, ecs:DescribeClusters 1, /);
  });

  it('--cluster audits only that cluster; --json prints the summary and findings', async () => {
    const { text } = await run(['audit', '--region', REGION, '--cluster', 'cluster-01', '--json']);
    const parsed = JSON.parse(text) as { summary: { clusters: number }; findings: { resource: { cluster?: string } }[] };
    expect(parsed.summary.clusters).toBe(1);
    expect(ecs.commandCalls(ListClustersCommand)).toHaveLength(0);
    expect(parsed.findings.every((f) => f.resource.cluster === undefined || f.resource.cluster === 'cluster-01')).toBe(true);
  });

  it('exits 2 on a bad --severity', async () => {
    expect((await run(['audit', '--region', REGION, '--severity', 'loud'])).code).toBe(2);
  });
});
