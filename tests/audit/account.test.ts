import { describe, expect, it } from 'vitest';
import { auditAccount } from '../../shared/audit/account';
import type { AccountReader } from '../../shared/reader/port';
import { ACCOUNT, mockAccount, REGION } from '../support/mock-account';

const shape = { clusters: 6, services: 250, ec2Every: 3, instancesPerEc2Cluster: 12, sharedEvery: 4 };

describe('auditAccount on a mocked account', () => {
  it('reads every cluster, service, task definition in use and container instance', async () => {
    const account = mockAccount(shape);
    const { summary } = await auditAccount(account.reader, { region: REGION });
    expect(summary).toMatchObject({ region: REGION, clusters: 6, services: 250, taskDefinitions: account.taskDefinitions.size, containerInstances: 24, failedReads: 0 });
  });

  it('makes the fewest calls the APIs allow (100 a page, 10 services a call, each revision once, no listing of Fargate-only clusters)', async () => {
    const account = mockAccount(shape);
    const { summary } = await auditAccount(account.reader, { region: REGION });
    const { 'logs:DescribeLogGroups': logs, ...rest } = summary.calls;
    const { 'logs:DescribeLogGroups': minimumLogs, ...restMinimum } = account.minimum;
    expect(rest).toEqual(restMinimum);
    // Listing a shared prefix also returns the groups that need no check; never more than twice the floor.
    expect(logs).toBeLessThanOrEqual(2 * (minimumLogs ?? 0));
  });

  it('finds the misconfigurations the account holds, each with the service and pointer', async () => {
    const { findings } = await auditAccount(mockAccount(shape).reader, { region: REGION });
    const zero = findings.find((f) => f.rule === 'minimum-healthy-percent');
    expect(zero?.resource).toMatchObject({ account: ACCOUNT, region: REGION, pointer: '/deploymentConfiguration/minimumHealthyPercent' });
    expect(zero?.resource.cluster).toMatch(/^cluster-\d\d$/);
    expect(zero?.evidence[0]?.source).toBe('ecs:DescribeServices#/deploymentConfiguration');
    const rules = new Set(findings.map((f) => `${f.rule}/${f.cause}`));
    for (const expected of [
      'fargate-task-size/invalid-combination',
      'minimum-healthy-percent/zero-capacity',
      'deployment-circuit-breaker/no-circuit-breaker',
      'health-check-grace-period/elb-health-check',
      'log-group-missing/null',
      'awsvpc-ip-exhaustion/subnet-ips',
      'agent-version-drift/below-feature-minimum',
      'agent-version-drift/fleet-drift',
      'platform-version-drift/unpinned',
    ]) {
      expect(rules).toContain(expected);
    }
  });

  it('audits only the named clusters, and then claims no account-wide completeness', async () => {
    const account = mockAccount(shape);
    const result = await auditAccount(account.reader, { region: REGION, clusters: ['cluster-01'] });
    expect(result.summary.clusters).toBe(1);
    expect(result.summary.calls['ecs:ListClusters']).toBeUndefined();
    expect(result.complete).toBe(false);
    expect([...result.completeClusters]).toEqual(['cluster-01']);
  });

  it('a refused read is listed as unchecked and leaves its cluster incomplete; the rest is audited', async () => {
    const account = mockAccount(shape);
    const refusing: AccountReader = {
      read: (operation, input) =>
        operation === 'ecs:ListServices' && (input as { cluster: string }).cluster.endsWith('cluster-02')
          ? Promise.reject(Object.assign(new Error('User is not authorized to perform: ecs:ListServices'), { name: 'AccessDeniedException' }))
          : account.reader.read(operation, input),
    };
    const result = await auditAccount(refusing, { region: REGION });
    expect(result.summary.failedReads).toBe(1);
    expect(result.unchecked).toContainEqual(expect.objectContaining({ check: "the cluster's services", reason: expect.stringContaining('AccessDeniedException') }));
    expect(result.completeClusters.has('cluster-02')).toBe(false);
    expect(result.completeClusters.has('cluster-01')).toBe(true);
    expect(result.complete).toBe(false);
  });
});
