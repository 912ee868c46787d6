import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand, TagResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AccessDeniedException, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { INCIDENT_DETAIL_TYPE, INCIDENT_SOURCE, incidentDetail } from '../../shared/bot/incident-event';
import type { Finding } from '../../shared/findings';
import { fingerprint } from '../../shared/incidents/fingerprint';
import { serviceActionEvent, stoppedTaskEvent } from '../fixtures/events';
import { cliProblems, scenarioFinding, service as serviceWith, withAwsCli } from '../remedy/support';
import { dynamoEnv, type LocalDynamo, startDynalite } from '../support/dynalite';

const dir = mkdtempSync(join(tmpdir(), 'ecs-medic-remedy-'));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => '' });
  return { code, out, err, text: out.join('\n') };
}

/** An opened incident event of the finding, as the diagnose Lambda publishes it. */
function incidentEvent(finding: Finding, firstSeen = '2025-05-06T11:05:06.000Z') {
  return {
    version: '0',
    id: 'incident-event-1',
    source: INCIDENT_SOURCE,
    'detail-type': INCIDENT_DETAIL_TYPE,
    account: finding.resource.account,
    region: finding.resource.region,
    time: '2025-05-06T11:05:06Z',
    resources: [],
    detail: incidentDetail({
      state: 'opened',
      fingerprint: fingerprint(finding),
      occurrences: 1,
      firstSeen,
      lastSeen: firstSeen,
      finding,
      trigger: { id: 'ecs-event-1', detailType: 'ECS Service Action' },
    }),
  };
}

const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5';
const logGroupEvent = file(
  'log-group-missing.json',
  stoppedTaskEvent({
    stoppedReason:
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
    stopCode: 'TaskFailedToStart',
    group: 'service:webserver',
  }),
);

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);
let graceFinding: Finding;
let graceEvent: string;
/** The services DescribeServices answers with, by name. */
let services: Record<string, Service>;

beforeAll(async () => {
  graceFinding = await scenarioFinding('health-check-grace-period', 'health-check-grace-period');
  graceEvent = file('grace-incident.json', incidentEvent(graceFinding));
});
afterAll(() => {
  ecs.restore();
  logs.restore();
});

beforeEach(() => {
  // No AWS configuration of the developer's may reach the test, and nothing can reach AWS.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION']) vi.stubEnv(name, undefined);
  const home = mkdtempSync(join(dir, 'home-'));
  vi.stubEnv('AWS_CONFIG_FILE', join(home, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
  ecs.reset();
  logs.reset();
  services = {
    webserver: serviceWith(),
  };
  ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({ services: input.services.flatMap((name) => (services[name] ? [services[name]] : [])), failures: [] }));
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: TASK_DEFINITION,
      containerDefinitions: [{ name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/webserver', 'awslogs-region': 'us-east-1' } } }],
    },
  });
  ecs.on(UpdateServiceCommand).resolves({});
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  logs.on(CreateLogGroupCommand).resolves({});
  logs.on(PutRetentionPolicyCommand).resolves({});
  logs.on(TagResourceCommand).resolves({});
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const UNDO_GRACE = 'aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 0 --region us-west-2';

describe('ecs-medic remedy, grace period (from an incident event)', () => {
  it('without --apply is read-only: prints what it would do, the API call and the undo command, sends no UpdateService', async () => {
    const { code, out, text } = await run(['remedy', '--event', graceEvent, '--region', 'us-west-2']);
    expect(code).toBe(0);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'example-cluster', services: ['webserver'], include: ['TAGS'] });
    expect(out).toContain('remedy (dry-run): would raise the grace period of service webserver from 0 s to 90 s');
    expect(out).toContain('  API call:  would call ecs:UpdateService in us-west-2: {"cluster":"example-cluster","service":"webserver","healthCheckGracePeriodSeconds":90}');
    expect(out).toContain(`    ${UNDO_GRACE}`);
    expect(text).toContain('cool-down and budget: not checked (no --table)');
  });

  it('with --apply sends exactly one UpdateService setting only the grace period', async () => {
    const { code, out } = await run(['remedy', '--event', graceEvent, '--apply', '--region', 'us-west-2']);
    expect(code).toBe(0);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toStrictEqual({ cluster: 'example-cluster', service: 'webserver', healthCheckGracePeriodSeconds: 90 });
    expect(out).toContain('remedy (applied): raised the grace period of service webserver from 0 s to 90 s');
    expect(out).toContain(`    ${UNDO_GRACE}`);
    expect(ecs.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeServicesCommand', 'UpdateServiceCommand']);
  });

  it('refuses an untagged service with the reason and the command that opts it in, exit 1, even with --apply', async () => {
    services.webserver = serviceWith({ tags: [{ key: 'team', value: 'web' }] });
    const { code, out } = await run(['remedy', '--event', graceEvent, '--apply', '--region', 'us-west-2']);
    expect(code).toBe(1);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
    expect(out).toContain('remedy (not opted in): service webserver is not opted in (tag ecs-medic:auto-fix does not list grace-period)');
    expect(out).toContain(
      "    aws ecs tag-resource --resource-arn arn:aws:ecs:us-west-2:111111111111:service/example-cluster/webserver --tags 'key=ecs-medic:auto-fix,value=grace-period' --region us-west-2",
    );
  });

  it('keeps the actions the tag already lists in the opt-in command', async () => {
    services.webserver = serviceWith({ tags: [{ key: 'ecs-medic:auto-fix', value: 'log-group' }] });
    const { out } = await run(['remedy', '--event', graceEvent, '--region', 'us-west-2']);
    expect(out.join('\n')).toContain("--tags 'key=ecs-medic:auto-fix,value=log-group grace-period'");
  });

  it('never lowers: a service with a longer grace period has nothing to do, exit 0', async () => {
    services.webserver = serviceWith({ healthCheckGracePeriodSeconds: 300 });
    const { code, out } = await run(['remedy', '--event', graceEvent, '--apply', '--region', 'us-west-2']);
    expect(code).toBe(0);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
    expect(out.join('\n')).toContain('remedy (nothing to do): the grace period of service webserver not changed: service webserver already has a grace period of 300 s');
  });

  it('caps at the ceiling of --config (a cdk.json), and flags a CloudFormation-managed service with the template lines', async () => {
    services.webserver = serviceWith({ tags: [...(serviceWith().tags ?? []), { key: 'aws:cloudformation:stack-name', value: 'web-stack' }] });
    const cdkJson = file('cdk.json', { app: 'npx tsx infra/app.ts', context: { remediation: { ceilingSeconds: 60 } } });
    const { code, text } = await run(['remedy', '--event', graceEvent, '--config', cdkJson, '--region', 'us-west-2']);
    expect(code).toBe(0);
    expect(text).toContain('would raise the grace period of service webserver from 0 s to 60 s (the recommended 90 s capped at the ceiling)');
    expect(text).toContain('managed by CloudFormation stack web-stack: the next deploy may set it back; change the template too:');
    expect(text).toContain('CloudFormation (AWS::ECS::Service): HealthCheckGracePeriodSeconds: 60');
  });

  it('reports AccessDenied from AWS clearly, not retried, exit 1', async () => {
    ecs.on(UpdateServiceCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform: ecs:UpdateService', $metadata: {} }));
    const { code, text } = await run(['remedy', '--event', graceEvent, '--apply', '--region', 'us-west-2']);
    expect(code).toBe(1);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(text).toContain('remedy (failed): failed to raise the grace period of service webserver from 0 s to 90 s');
    expect(text).toContain('AWS refused it (AccessDeniedException: not authorized to perform: ecs:UpdateService)');
  });
});

describe('ecs-medic remedy, log group (from an ECS event, diagnosed live)', () => {
  beforeEach(() => {
    // The event's service, in its account and Region.
    services.webserver = serviceWith({
      serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/example-cluster/webserver',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/example-cluster',
      taskDefinition: TASK_DEFINITION,
    });
  });

  it('without --apply sends no CreateLogGroup, PutRetentionPolicy or TagResource', async () => {
    const { code, out } = await run(['remedy', '--event', logGroupEvent]);
    expect(code).toBe(0);
    expect(logs).toHaveReceivedCommandTimes(CreateLogGroupCommand, 0);
    expect(logs).toHaveReceivedCommandTimes(PutRetentionPolicyCommand, 0);
    expect(logs).toHaveReceivedCommandTimes(TagResourceCommand, 0);
    expect(out).toContain('remedy (dry-run): would create log group /ecs/webserver (retention 30 days)');
    expect(out).toContain('    aws logs delete-log-group --log-group-name /ecs/webserver --region us-east-1');
  });

  it('with --apply creates the group, then its retention, then its tags, and nothing else', async () => {
    const { code, out } = await run(['remedy', '--event', logGroupEvent, '--apply']);
    expect(code).toBe(0);
    const writes = logs.calls().filter((call) => !(call.args[0] instanceof DescribeLogGroupsCommand));
    expect(writes.map((call) => [call.args[0].constructor.name, call.args[0].input])).toEqual([
      ['CreateLogGroupCommand', { logGroupName: '/ecs/webserver' }],
      ['PutRetentionPolicyCommand', { logGroupName: '/ecs/webserver', retentionInDays: 30 }],
      [
        'TagResourceCommand',
        {
          resourceArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/webserver',
          tags: { 'created-by': 'ecs-medic', why: expect.stringMatching(/^rule log-group-missing incident 123456789012\/us-east-1\/example-cluster\/service\/webserver\/log-group-missing/) },
        },
      ],
    ]);
    // The diagnosis and the remedy share their reads: one DescribeTaskDefinition and one DescribeLogGroups in all.
    expect(ecs.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeTaskDefinitionCommand', 'DescribeServicesCommand']);
    expect(logs).toHaveReceivedCommandTimes(DescribeLogGroupsCommand, 1);
    expect(out).toContain('  done:      log group /ecs/webserver (us-east-1): created, retention 30 days, tagged');
  });

  it('refuses a group outside the allowed prefixes, exit 1', async () => {
    const cdkJson = file('prefixes.json', { logGroupPrefixes: ['/aws/ecs/'] });
    const { code, text } = await run(['remedy', '--event', logGroupEvent, '--apply', '--config', cdkJson]);
    expect(code).toBe(1);
    expect(logs).toHaveReceivedCommandTimes(CreateLogGroupCommand, 0);
    expect(text).toContain('log group /ecs/webserver is outside the prefixes ecs-medic may create under (/aws/ecs/)');
  });

  it('says so when the event has no finding with a remedy, exit 0', async () => {
    const other = file('steady.json', serviceActionEvent({ eventType: 'INFO', eventName: 'SERVICE_STEADY_STATE' }));
    const { code, out } = await run(['remedy', '--event', other]);
    expect(code).toBe(0);
    expect(out).toContain('no finding with a remedy (only health-check-grace-period and log-group-missing have one)');
  });
});

describe('ecs-medic remedy --table: the bot\'s cool-down', () => {
  let local: LocalDynamo;
  beforeAll(async () => {
    local = await startDynalite();
  });
  afterAll(async () => {
    await local.stop();
  });

  it('a change made here claims the cool-down in the table: the same incident again changes nothing, another is refused until it ends', async () => {
    for (const [name, value] of Object.entries(dynamoEnv(local))) vi.stubEnv(name, value);
    const apply = (event: string) => run(['remedy', '--event', event, '--apply', '--table', local.tableName, '--region', 'us-west-2']);
    local.resetRequests();
    const first = await apply(graceEvent);
    expect(first.code).toBe(0);
    // As the bot's change: read the last change, claim the cool-down, spend the budget, record the outcome.
    expect(local.requestCounts()).toEqual({ GetItem: 1, UpdateItem: 3 });
    expect(first.text).toContain(`cool-down and budget: checked in table ${local.tableName}`);
    // The same incident again is a repeated delivery: its recorded outcome, no second change.
    const again = await apply(graceEvent);
    expect(again.out).toContain('remedy (applied): raised the grace period of service webserver from 0 s to 90 s');
    const second = await apply(file('grace-incident-later.json', incidentEvent(graceFinding, '2025-05-06T12:00:00.000Z')));
    expect(second.code).toBe(1);
    expect(second.text).toMatch(/ecs-medic changed the grace period of this service at .*; one change per service per action until/);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });
});

describe('ecs-medic remedy usage', () => {
  it.each([
    [['remedy'], '--event FILE is required'],
    [['remedy', 'event.json'], 'unexpected argument "event.json"'],
    [['remedy', '--event', '/nonexistent/event.json'], 'cannot read event file /nonexistent/event.json: no such file'],
    [['remedy', '--event', 'x.json', '--table', 'no spaces allowed'], 'is not a DynamoDB table name'],
    [['remedy', '--event', 'x.json', '--force-untagged'], "Unknown option '--force-untagged'"],
  ])('exits 2 with one line: %j', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
  });

  it('exits 2 for a --config the deployment would reject, naming the key', async () => {
    const bad = file('bad-config.json', { ceilingSeconds: 'lots' });
    const { code, err } = await run(['remedy', '--event', graceEvent, '--config', bad]);
    expect(code).toBe(2);
    expect(err[0]).toContain('ceilingSeconds must be a whole number');
  });

  it('documents its exit status in --help', async () => {
    const { code, text } = await run(['remedy', '--help']);
    expect(code).toBe(0);
    expect(text).toMatch(/^Usage: ecs-medic remedy --event FILE \[--apply\]/);
    expect(text).toContain('Exit status: 0 when every remedy was planned');
  });
});

describe.skipIf(withAwsCli)('ecs-medic remedy: printed commands', () => {
  it('the undo and opt-in commands pass the real AWS CLI', async () => {
    const dry = await run(['remedy', '--event', graceEvent, '--region', 'us-west-2']);
    const logGroup = await run(['remedy', '--event', logGroupEvent]);
    services.webserver = serviceWith({ tags: [{ key: 'ecs-medic:auto-fix', value: 'log-group' }] });
    const untagged = await run(['remedy', '--event', graceEvent, '--region', 'us-west-2']);
    const commands = [dry, logGroup, untagged].flatMap((r) => r.out.map((line) => line.trim()).filter((line) => line.startsWith('aws ')));
    expect(commands).toHaveLength(3);
    expect(await cliProblems(commands)).toEqual([]);
  });
});
