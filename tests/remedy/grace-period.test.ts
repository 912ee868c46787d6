import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings';
import type { AccountReader } from '../../shared/reader/port';
import graceRemedy from '../../shared/rules/health-check-grace-period/remedy';
import type { RemedyCase } from '../../shared/rules/remedy';
import { dryRunWriter } from '../../shared/writer/dry-run';
import { liveWriter } from '../../shared/writer/live';
import { BOUNDS, cliProblems, remedyCase, scenarioFinding, service, withAwsCli } from './support';

let finding: Finding;
let incident: RemedyCase;
beforeAll(async () => {
  finding = await scenarioFinding('health-check-grace-period', 'health-check-grace-period');
  incident = remedyCase(finding);
});

const facts = (overrides: Parameters<typeof service>[0] = {}) => ({ service: service(overrides), containerHealthChecks: false });

describe('grace-period remedy: plan', () => {
  it("raises the grace period to the real finding's recommendation, with the undo command and the template lines", () => {
    const plan = graceRemedy.plan(incident, facts(), BOUNDS, undefined);
    expect(plan).toMatchObject({
      kind: 'change',
      change: { cluster: 'example-cluster', service: 'webserver', region: 'us-west-2', from: 0, to: 90 },
      summary: 'raise the grace period of service webserver from 0 s to 90 s',
      values: [{ target: 'service webserver healthCheckGracePeriodSeconds', before: '0', after: '90' }],
      undo: ['aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 0 --region us-west-2'],
    });
    expect(plan.kind === 'change' && plan.templateLines.join('\n')).toMatch(/HealthCheckGracePeriodSeconds: 90[\s\S]*healthCheckGracePeriod: Duration.seconds\(90\)[\s\S]*health_check_grace_period_seconds = 90/);
  });

  it('guardrail ceiling: never above the ceiling (capped, and said so)', () => {
    const plan = graceRemedy.plan(incident, facts(), { ...BOUNDS, ceilingSeconds: 60 }, undefined);
    expect(plan).toMatchObject({ kind: 'change', change: { to: 60 }, summary: expect.stringContaining('capped at the ceiling') });
    expect(graceRemedy.plan(incident, facts({ healthCheckGracePeriodSeconds: 60 }), { ...BOUNDS, ceilingSeconds: 60 }, undefined)).toMatchObject({
      kind: 'refusal',
      reason: expect.stringContaining('above the ceiling of 60 s'),
    });
  });

  it('guardrail never lower: a grace period at or above the recommendation is left alone', () => {
    for (const current of [90, 300]) {
      expect(graceRemedy.plan(incident, facts({ healthCheckGracePeriodSeconds: current }), BOUNDS, undefined)).toMatchObject({
        kind: 'nothing',
        reason: expect.stringContaining('never lowered'),
      });
    }
  });

  it('refuses a service with neither a load balancer nor container health checks, and takes one with container checks', () => {
    expect(graceRemedy.plan(incident, facts({ loadBalancers: [] }), BOUNDS, undefined)).toMatchObject({ kind: 'refusal', reason: expect.stringContaining('neither a load balancer') });
    expect(graceRemedy.plan(incident, { service: service({ loadBalancers: [] }), containerHealthChecks: true }, BOUNDS, undefined)).toMatchObject({ kind: 'change' });
  });

  it('refuses when the loop was not ongoing, and does nothing without a recommendation', () => {
    const ended = { ...incident, finding: { ...finding, explanation: finding.explanation.replace('The loop is ongoing:', 'The service is at its desired count') } };
    expect(graceRemedy.plan(ended, facts(), BOUNDS, undefined)).toMatchObject({ kind: 'refusal', reason: expect.stringContaining('not ongoing') });
    const unmeasured = { ...incident, finding: { ...finding, evidence: finding.evidence.filter((e) => !e.observed.startsWith('recommended grace period')) } };
    expect(graceRemedy.plan(unmeasured, facts(), BOUNDS, undefined)).toMatchObject({ kind: 'nothing' });
  });

  it('guardrail loop continuing after a raise: no second raise, and the refusal names the other causes', () => {
    const previous = { at: '2025-05-06T05:00:00.000Z', before: '0', after: '90' };
    const plan = graceRemedy.plan(incident, facts({ healthCheckGracePeriodSeconds: 90 }), BOUNDS, previous);
    expect(plan).toMatchObject({ kind: 'refusal', reason: expect.stringContaining('already raised the grace period of service webserver from 0 s to 90 s') });
    expect(plan.kind === 'refusal' && plan.reason).toContain('a target group that checks the wrong path or port');
    // Set back below ecs-medic's value (a deploy reverted it): that is not the loop continuing after a raise.
    expect(graceRemedy.plan(incident, facts({ healthCheckGracePeriodSeconds: 0 }), BOUNDS, previous)).toMatchObject({ kind: 'change' });
  });

  it.skipIf(withAwsCli)('the undo command parses with the AWS CLI', async () => {
    const plan = graceRemedy.plan(incident, facts({ healthCheckGracePeriodSeconds: 30 }), BOUNDS, undefined);
    expect(plan.kind).toBe('change');
    expect(await cliProblems(plan.kind === 'change' ? plan.undo : [])).toEqual([]);
  });
});

describe('grace-period remedy: gather and apply', () => {
  const ecs = mockClient(ECSClient);
  beforeEach(() => ecs.reset());

  it('sends exactly one UpdateService with cluster, service and the grace period, and no other field', async () => {
    ecs.on(UpdateServiceCommand).resolves({ service: { serviceName: 'webserver', healthCheckGracePeriodSeconds: 90 } });
    const plan = graceRemedy.plan(incident, facts(), BOUNDS, undefined);
    if (plan.kind !== 'change') throw new Error('expected a change');
    // A caller's extra field would not reach the API: the binding builds the input from the port's three fields.
    const done: string[] = [];
    await graceRemedy.apply({ ...plan.change }, liveWriter(), done);
    expect(ecs.calls()).toHaveLength(1);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster: 'example-cluster', service: 'webserver', healthCheckGracePeriodSeconds: 90 });
    expect(await ecs.commandCalls(UpdateServiceCommand)[0]?.thisValue.config.region()).toBe('us-west-2');
    expect(done).toEqual(['service webserver: healthCheckGracePeriodSeconds 0 → 90']);
  });

  it('the live binding drops any field beyond the grace period', async () => {
    ecs.on(UpdateServiceCommand).resolves({});
    const input = { cluster: 'c', service: 's', healthCheckGracePeriodSeconds: 60, forceNewDeployment: true, desiredCount: 0 };
    await liveWriter().write('ecs:UpdateService', input, 'eu-west-1');
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster: 'c', service: 's', healthCheckGracePeriodSeconds: 60 });
  });

  it('the dry-run writer records the change and sends nothing', async () => {
    const plan = graceRemedy.plan(incident, facts(), BOUNDS, undefined);
    if (plan.kind !== 'change') throw new Error('expected a change');
    const writer = dryRunWriter();
    await graceRemedy.apply(plan.change, writer, []);
    expect(ecs.calls()).toHaveLength(0);
    expect(writer.requests).toEqual([
      { operation: 'ecs:UpdateService', region: 'us-west-2', input: { cluster: 'example-cluster', service: 'webserver', healthCheckGracePeriodSeconds: 90 } },
    ]);
  });

  it('reads the task definition only for a service without a load balancer', async () => {
    const reads: string[] = [];
    const reader: AccountReader = {
      read: async (operation) => {
        reads.push(operation);
        return { taskDefinition: { containerDefinitions: [{ name: 'web', healthCheck: { command: ['CMD', 'true'] } }] } } as never;
      },
    };
    expect(await graceRemedy.gather(incident, service(), reader)).toMatchObject({ containerHealthChecks: false });
    expect(reads).toEqual([]);
    expect(await graceRemedy.gather(incident, service({ loadBalancers: [] }), reader)).toMatchObject({ containerHealthChecks: true });
    expect(reads).toEqual(['ecs:DescribeTaskDefinition']);
  });
});
