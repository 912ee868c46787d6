import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import type { ReaderInput, ReaderOperation } from '../../shared/reader/port';
import { mockAccount, REGION } from '../support/mock-account';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => '' });
  return { code, text: out.join('\n'), err: err.join('\n') };
}

describe('ecs-medic audit, against mocked AWS clients behind the live reader', () => {
  const ecs = mockClient(ECSClient);
  const ec2 = mockClient(EC2Client);
  const logs = mockClient(CloudWatchLogsClient);
  const account = mockAccount({ clusters: 3, services: 45, ec2Every: 3, instancesPerEc2Cluster: 3, sharedEvery: 4 });
  const answer =
    <K extends ReaderOperation>(operation: K) =>
    (input: ReaderInput<K>) =>
      account.reader.read(operation, input);

  beforeEach(() => {
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    for (const client of [ecs, ec2, logs]) client.reset();
    ecs.on(ListClustersCommand).callsFake(answer('ecs:ListClusters'));
    ecs.on(DescribeClustersCommand).callsFake(answer('ecs:DescribeClusters'));
    ecs.on(ListServicesCommand).callsFake(answer('ecs:ListServices'));
    ecs.on(DescribeServicesCommand).callsFake(answer('ecs:DescribeServices'));
    ecs.on(DescribeTaskDefinitionCommand).callsFake(answer('ecs:DescribeTaskDefinition'));
    ecs.on(ListContainerInstancesCommand).callsFake(answer('ecs:ListContainerInstances'));
    ecs.on(DescribeContainerInstancesCommand).callsFake(answer('ecs:DescribeContainerInstances'));
    ec2.on(DescribeSubnetsCommand).callsFake(answer('ec2:DescribeSubnets'));
    logs.on(DescribeLogGroupsCommand).callsFake(answer('logs:DescribeLogGroups'));
  });
  afterAll(() => {
    for (const client of [ecs, ec2, logs]) client.restore();
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
