import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { AccessDeniedException, ECSClient, type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type IncidentDetail, incidentDetail } from '../../shared/bot/incident-event';
import type { Finding } from '../../shared/findings';
import { fingerprint } from '../../shared/incidents/fingerprint';
import type { AccountReader } from '../../shared/reader/port';
import { REMEDIATION_DEFAULTS, type RemediationConfig } from '../../shared/remedy/config';
import { remediationFlow } from '../../shared/remedy/flow';
import { dynamoRemedyLedger } from '../../shared/remedy/ledger';
import type { RemedyDetail } from '../../shared/remedy/outcome';
import { liveWriter } from '../../shared/writer/live';
import { type LocalDynamo, startDynalite } from '../support/dynalite';
import { scenarioFinding, service as serviceWith } from './support';

let local: LocalDynamo;
let graceFinding: Finding;
let logFinding: Finding;
beforeAll(async () => {
  local = await startDynalite();
  graceFinding = await scenarioFinding('health-check-grace-period', 'health-check-grace-period');
  logFinding = await scenarioFinding('log-group-missing', 'log-group-missing');
});
afterAll(async () => {
  await local.stop();
});

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);

let now: Date;
let published: RemedyDetail[];
/** The account as the flow reads it: the service (mutable), its task definition, no log groups. */
let services: Record<string, Service>;
let reads: string[];
let sequence = 0;

const reader: AccountReader = {
  async read(operation, input) {
    reads.push(operation);
    if (operation === 'ecs:DescribeServices') {
      const name = (input as { services: string[] }).services[0] as string;
      return { services: services[name] ? [services[name]] : [], failures: [] } as never;
    }
    if (operation === 'ecs:DescribeTaskDefinition') {
      return {
        taskDefinition: {
          containerDefinitions: [{ name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/webserver', 'awslogs-region': 'us-east-1' } } }],
        },
      } as never;
    }
    if (operation === 'logs:DescribeLogGroups') return { logGroups: [] } as never;
    throw new Error(`not expected: ${operation}`);
  },
};

function flow(config: Partial<RemediationConfig> = {}) {
  const merged = { ...REMEDIATION_DEFAULTS, modes: { 'grace-period': 'on', 'log-group': 'on' } as const, ...config };
  return remediationFlow({
    config: merged,
    reader,
    writer: liveWriter(),
    ledger: dynamoRemedyLedger({ client: local.documents, tableName: local.tableName, coolDownSeconds: merged.coolDownHours * 3600, budgetPerHour: merged.budgetPerHour, clock: () => now }),
    publish: async (detail) => {
      published.push(detail);
    },
    home: { account: '111111111111', region: 'us-west-2' },
  });
}

/** An opened incident of the finding, on a service of its own per test (every test shares one table). */
function opened(finding: Finding, serviceName: string, firstSeen = now.toISOString()): IncidentDetail {
  const onService = { ...finding, resource: { ...finding.resource, service: serviceName } };
  return incidentDetail({
    state: 'opened',
    fingerprint: fingerprint(onService),
    occurrences: 1,
    firstSeen,
    lastSeen: firstSeen,
    finding: onService,
    trigger: { id: `event-${++sequence}`, detailType: 'ECS Task State Change' },
  });
}

/** A fresh looping service, opted in to `tag`, behind a load balancer with no grace period. */
function looping(tag: string | null = 'grace-period log-group', overrides: Partial<Service> = {}): string {
  const name = `web-${++sequence}`;
  services[name] = serviceWith({ serviceName: name, tags: tag === null ? [] : [{ key: 'ecs-medic:auto-fix', value: tag }], ...overrides });
  return name;
}

const updates = () => ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input);
const advanceHours = (hours: number) => {
  now = new Date(now.getTime() + hours * 3600_000);
};

beforeEach(() => {
  // Each test its own hour: the account's budget item is per hour.
  now = new Date(Date.UTC(2025, 4, 6, 0, 0, 0) + ++sequence * 3600_000 * 24);
  published = [];
  services = {};
  reads = [];
  ecs.reset();
  logs.reset();
  ecs.on(UpdateServiceCommand).callsFake(async (input: { service: string; healthCheckGracePeriodSeconds: number }) => {
    const svc = services[input.service];
    if (svc) svc.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
    return { service: svc };
  });
  logs.onAnyCommand().resolves({});
});

describe('remediation guardrails', () => {
  it('applies a raise on an opted-in looping service: one UpdateService, outcome with before/after and the undo command', async () => {
    const name = looping();
    local.resetRequests();
    const result = await flow().handleIncident(opened(graceFinding, name));
    expect(updates()).toEqual([{ cluster: 'example-cluster', service: name, healthCheckGracePeriodSeconds: 90 }]);
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'applied', summary: `raised the grace period of service ${name} from 0 s to 90 s` } });
    expect(published[0]?.outcome).toMatchObject({
      values: [{ before: '0', after: '90' }],
      undo: [`aws ecs update-service --cluster example-cluster --service ${name} --health-check-grace-period-seconds 0 --region us-west-2`],
      done: [`service ${name}: healthCheckGracePeriodSeconds 0 → 90`],
    });
    // The reads and writes of one change: DescribeServices, then the ledger (read, claim, budget, record), then UpdateService.
    expect(reads).toEqual(['ecs:DescribeServices']);
    expect(local.requestCounts()).toEqual({ GetItem: 1, UpdateItem: 3 });
  });

  it('guardrail no tag: a service without the opt-in tag (or whose tag lists other actions) is not changed and nothing is published', async () => {
    for (const tag of [null, 'log-group', 'grace-period,log-group']) {
      const result = await flow().handleIncident(opened(graceFinding, looping(tag)));
      expect(result).toMatchObject({ status: 'quiet', why: expect.stringContaining('not opted in') });
    }
    expect(updates()).toEqual([]);
    expect(published).toEqual([]);
  });

  it('guardrail dry-run: publishes exactly what it would do, and changes nothing (no write, no ledger claim)', async () => {
    const name = looping();
    local.resetRequests();
    const result = await flow({ modes: { 'grace-period': 'dry-run', 'log-group': 'dry-run' } }).handleIncident(opened(graceFinding, name));
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'dry-run', summary: `would raise the grace period of service ${name} from 0 s to 90 s` } });
    expect(published[0]?.outcome.done).toEqual([`would call ecs:UpdateService in us-west-2: {"cluster":"example-cluster","service":"${name}","healthCheckGracePeriodSeconds":90}`]);
    expect(ecs.calls()).toHaveLength(0);
    expect(local.requestCounts()).toEqual({ GetItem: 1 });
  });

  it('guardrail off: reads nothing, changes nothing, publishes nothing', async () => {
    const result = await flow({ modes: { 'grace-period': 'off', 'log-group': 'on' } }).handleIncident(opened(graceFinding, looping()));
    expect(result).toEqual({ status: 'ignored', why: 'grace-period is off' });
    expect(reads).toEqual([]);
    expect(ecs.calls()).toHaveLength(0);
    expect(published).toEqual([]);
  });

  it('guardrail ceiling: the raise stops at the configured ceiling', async () => {
    const name = looping();
    await flow({ ceilingSeconds: 60 }).handleIncident(opened(graceFinding, name));
    expect(updates()).toEqual([{ cluster: 'example-cluster', service: name, healthCheckGracePeriodSeconds: 60 }]);
    expect(published[0]?.outcome.summary).toContain('capped at the ceiling');
  });

  it('guardrail never lower: a grace period above the recommendation is left as it is, and the skip says why', async () => {
    const result = await flow().handleIncident(opened(graceFinding, looping('grace-period', { healthCheckGracePeriodSeconds: 300 })));
    expect(updates()).toEqual([]);
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'skipped', reason: expect.stringContaining('never lowered') } });
  });

  it('guardrail cool-down: a second incident of the service within the cool-down makes no second change; after it, one may', async () => {
    const name = looping();
    await flow().handleIncident(opened(graceFinding, name));
    // Set back by someone (a deploy), then another incident of the same service.
    (services[name] as Service).healthCheckGracePeriodSeconds = 0;
    advanceHours(1);
    const second = await flow().handleIncident(opened({ ...graceFinding, cause: 'container-health-check' }, name));
    expect(second).toMatchObject({ status: 'published', outcome: { status: 'skipped', reason: expect.stringContaining('one change per service per action until') } });
    expect(updates()).toHaveLength(1);
    advanceHours(6);
    await flow().handleIncident(opened(graceFinding, name));
    expect(updates()).toHaveLength(2);
  });

  it('guardrail budget: past the account budget per hour, a change is skipped and its cool-down given back', async () => {
    const names = [looping(), looping(), looping()];
    for (const name of names) await flow({ budgetPerHour: 2 }).handleIncident(opened(graceFinding, name));
    expect(updates().map((u) => u.service)).toEqual(names.slice(0, 2));
    expect(published[2]?.outcome).toMatchObject({ status: 'skipped', reason: "the account's budget of 2 changes per hour is spent" });
    // The next hour, the refused service is not held by a cool-down it never used.
    advanceHours(1);
    await flow({ budgetPerHour: 2 }).handleIncident(opened(graceFinding, names[2] as string, '2025-01-01T00:00:00.000Z'));
    expect(updates().map((u) => u.service)).toEqual(names);
  });

  it('guardrail concurrent duplicate: two deliveries of one incident at once make one change', async () => {
    const name = looping();
    const incident = opened(graceFinding, name);
    const results = await Promise.all([flow().handleIncident(incident), flow().handleIncident(incident), flow().handleIncident(incident)]);
    expect(updates()).toHaveLength(1);
    expect(results.filter((r) => r.status === 'published' && r.outcome.status === 'applied').length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 'quiet' || (r.status === 'published' && r.outcome.status === 'applied'))).toBe(true);
  });

  it('guardrail loop continuing after a raise: no second raise, and the outcome escalates naming the other causes', async () => {
    const name = looping();
    await flow().handleIncident(opened(graceFinding, name));
    expect(services[name]?.healthCheckGracePeriodSeconds).toBe(90);
    // Past the cool-down the loop is still there: the incident opens again, the grace period is still ecs-medic's 90 s.
    advanceHours(7);
    const result = await flow().handleIncident(opened(graceFinding, name));
    expect(updates()).toHaveLength(1);
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'skipped' } });
    const reason = result.status === 'published' ? result.outcome.reason : '';
    expect(reason).toContain(`already raised the grace period of service ${name} from 0 s to 90 s`);
    expect(reason).toContain('is not the cause');
    expect(reason).toContain('a target group that checks the wrong path or port');
  });

  it('guardrail CloudFormation-managed: flagged with the template lines; skipped when configured', async () => {
    const managed = [{ key: 'ecs-medic:auto-fix', value: 'grace-period' }, { key: 'aws:cloudformation:stack-name', value: 'shop' }];
    const name = looping('grace-period', { tags: managed });
    await flow().handleIncident(opened(graceFinding, name));
    expect(published[0]?.outcome).toMatchObject({ status: 'applied', managedBy: { stack: 'shop' } });
    expect(published[0]?.outcome.managedBy?.templateLines.join('\n')).toMatch(
      /HealthCheckGracePeriodSeconds: 90[\s\S]*healthCheckGracePeriod: Duration\.seconds\(90\)[\s\S]*health_check_grace_period_seconds = 90/,
    );
    const skipped = looping('grace-period', { tags: managed });
    const result = await flow({ skipCloudFormationManaged: true }).handleIncident(opened(graceFinding, skipped));
    expect(updates()).toHaveLength(1);
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'skipped', managedBy: { stack: 'shop' }, reason: expect.stringContaining('CloudFormation stack shop') } });
  });

  it('guardrail AccessDenied: reported as failed, not thrown, and not retried when the incident is delivered again', async () => {
    ecs.on(UpdateServiceCommand).rejects(new AccessDeniedException({ message: 'User is not authorized to perform: ecs:UpdateService', $metadata: {} }));
    const name = looping();
    const incident = opened(graceFinding, name);
    const first = await flow().handleIncident(incident);
    expect(first).toMatchObject({ status: 'published', outcome: { status: 'failed', undo: [], reason: expect.stringMatching(/^AWS refused it \(AccessDeniedException: .*Not retried\.$/) } });
    const again = await flow().handleIncident(incident);
    advanceHours(1);
    await flow().handleIncident(opened(graceFinding, name));
    expect(updates()).toHaveLength(1);
    // The retry publishes the recorded outcome again (notify sends each once), it does not try again.
    expect(again).toMatchObject({ status: 'published', outcome: { status: 'failed' } });
  });

  it('guardrail group already exists: success, and the group is left as it is', async () => {
    logs.on(CreateLogGroupCommand).rejects(new ResourceAlreadyExistsException({ message: 'The specified log group already exists', $metadata: {} }));
    const name = looping('log-group');
    const result = await flow().handleIncident(opened({ ...logFinding, resource: { ...logFinding.resource, region: 'us-east-1' } }, name));
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'applied', done: ['log group /ecs/webserver (us-east-1): already existed, left as it is'] } });
    expect(logs.commandCalls(PutRetentionPolicyCommand)).toHaveLength(0);
    expect(logs.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('creates a missing log group with its retention and tags, and refuses one outside the allowed prefixes', async () => {
    const name = looping('log-group');
    const result = await flow().handleIncident(opened(logFinding, name));
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'applied', undo: ['aws logs delete-log-group --log-group-name /ecs/webserver --region us-east-1'] } });
    expect(logs.calls().map((call) => call.args[0].constructor.name)).toEqual(['CreateLogGroupCommand', 'PutRetentionPolicyCommand', 'TagResourceCommand']);
    logs.resetHistory();
    const refused = await flow({ logGroupPrefixes: ['/app/'] }).handleIncident(opened(logFinding, looping('log-group')));
    expect(refused).toMatchObject({ status: 'published', outcome: { status: 'skipped', reason: expect.stringContaining('outside the prefixes') } });
    expect(logs.calls()).toHaveLength(0);
  });

  it('ignores resolved incidents and rules without a remedy', async () => {
    const name = looping();
    expect(await flow().handleIncident({ ...opened(graceFinding, name), state: 'resolved' })).toMatchObject({ status: 'ignored' });
    expect(await flow().handleIncident(opened({ ...graceFinding, rule: 'container-oom-killed' }, name))).toMatchObject({ status: 'ignored' });
    expect(reads).toEqual([]);
  });
});
