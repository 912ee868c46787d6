import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditAccount } from '../../shared/audit/account';
import { AUDIT_DETAIL_TYPE, reportAudit } from '../../shared/audit/incidents';
import type { IncidentDetail } from '../../shared/bot/incident-event';
import { dynamoIncidentStore } from '../../shared/incidents/store';
import { type LocalDynamo, startDynalite } from '../support/dynalite';
import { mockAccount, REGION } from '../support/mock-account';

const DAY = 24 * 3600;
let local: LocalDynamo;

beforeAll(async () => {
  local = await startDynalite('ecs-medic-audit-incidents');
});
afterAll(async () => {
  await local.stop();
});

describe('the scheduled audit through the incident path', () => {
  it('alerts once per static finding, stays quiet on the next days, and resolves what was fixed', async () => {
    let now = new Date('2026-11-30T06:00:00.000Z');
    // Daily schedule: incidents stay open for two periods plus an hour (infra/stack.ts).
    const store = dynamoIncidentStore({ client: local.documents, tableName: local.tableName, windowSeconds: 2 * DAY + 3600, clock: () => now });
    const published: IncidentDetail[] = [];
    const dependencies = { store, publish: async (detail: IncidentDetail) => void published.push(detail) };
    const account = mockAccount({ clusters: 4, services: 120, ec2Every: 2, instancesPerEc2Cluster: 4, sharedEvery: 5 });
    const run = async (id: string, clusters: string[] = []) => {
      const result = await auditAccount(account.reader, { region: REGION, clusters });
      return { result, report: await reportAudit(result, id, now, new Date(now.getTime() + 900_000), dependencies) };
    };

    const first = await run('audit#day-1');
    const findings = first.result.findings.length;
    expect(findings).toBeGreaterThan(10);
    expect(first.report.opened).toHaveLength(new Set(published.map((p) => p.fingerprint)).size);
    expect(published.every((p) => p.state === 'opened' && p.trigger.detailType === AUDIT_DETAIL_TYPE)).toBe(true);
    const openedOnDayOne = published.length;

    now = new Date(now.getTime() + DAY);
    const second = await run('audit#day-2');
    expect(second.report.opened).toEqual([]);
    expect(second.report.repeated).toBe(openedOnDayOne);
    expect(published).toHaveLength(openedOnDayOne);

    // Someone fixes one service's deployment configuration.
    const broken = first.result.findings.find((f) => f.rule === 'minimum-healthy-percent');
    const service = account.services.get(broken?.resource.cluster ?? '')?.find((s) => s.serviceName === broken?.resource.service);
    expect(service).toBeDefined();
    account.mutate(() => {
      if (service?.deploymentConfiguration) service.deploymentConfiguration.minimumHealthyPercent = 100;
    });
    now = new Date(now.getTime() + DAY);
    // A run scoped to another cluster resolves nothing outside it.
    const other = account.clusters.find((c) => c.clusterName !== broken?.resource.cluster)?.clusterName as string;
    expect((await run('audit#day-3-scoped', [other])).report.resolved).toEqual([]);
    const third = await run('audit#day-3');
    expect(third.report.resolved).toHaveLength(1);
    const resolved = published.at(-1);
    expect(resolved).toMatchObject({ state: 'resolved', finding: { rule: 'minimum-healthy-percent', resource: { service: broken?.resource.service } } });
    expect(third.report.opened).toEqual([]);
  });
});
