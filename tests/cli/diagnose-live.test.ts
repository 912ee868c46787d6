import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { stoppedTaskEvent } from '../fixtures/events';

const dir = mkdtempSync(join(tmpdir(), 'ecs-medic-live-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface Finding {
  rule: string;
  fix: string;
  unchecked: { check: string; reason: string }[];
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => '' });
  const results = () => out.map((l) => JSON.parse(l) as { status: string; findings: Finding[] });
  return { code, out, err, results };
}

const logGroupMissing = stoppedTaskEvent({
  stoppedReason:
    'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
  stopCode: 'TaskFailedToStart',
});
const eventFile = file('log-group-missing.json', JSON.stringify(logGroupMissing));
const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5';

/**
 * An environment with no AWS configuration at all: no credentials, no config
 * files, no region. Endpoints point at a closed local port, so even a
 * credential found by mistake could not reach AWS.
 */
function stubBareAwsEnvironment(): void {
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_AUTHORIZATION_TOKEN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
    'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  ]) {
    vi.stubEnv(name, undefined);
  }
  const home = mkdtempSync(join(dir, 'home-'));
  vi.stubEnv('HOME', home);
  vi.stubEnv('AWS_CONFIG_FILE', join(home, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
}

describe('ecs-medic diagnose, live', () => {
  beforeEach(stubBareAwsEnvironment);
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  describe('with mocked AWS clients', () => {
    const ecs = mockClient(ECSClient);
    const logs = mockClient(CloudWatchLogsClient);
    let regions: string[];
    beforeEach(() => {
      ecs.reset();
      logs.reset();
      regions = [];
      ecs.on(DescribeTaskDefinitionCommand).callsFake(async (_input, getClient) => {
        regions.push(await getClient().config.region());
        return {
          taskDefinition: {
            containerDefinitions: [{ name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/webserver' } } }],
          },
        };
      });
      logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    });
    afterAll(() => {
      ecs.restore();
      logs.restore();
    });

    it('reads the account in the --region given, and says when the event is from another', async () => {
      const { code, err, results } = await run(['diagnose', '--json', '--event', eventFile, '--region', 'eu-west-1']);
      expect(code).toBe(0);
      expect(regions).toEqual(['eu-west-1']);
      expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
      expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toStrictEqual({ taskDefinition: TASK_DEFINITION });
      expect(logs).toHaveReceivedCommandTimes(DescribeLogGroupsCommand, 1);
      expect(logs.commandCalls(DescribeLogGroupsCommand)[0]?.args[0].input).toStrictEqual({ logGroupNamePrefix: '/ecs/webserver' });
      expect(results()[0]?.findings[0]).toMatchObject({
        rule: 'log-group-missing',
        fix: 'aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1',
        unchecked: [],
      });
      expect(err).toEqual(['ecs-medic: note: event #1 is from us-east-1; reading the account in eu-west-1']);
    });

    it.each([
      ['AWS_REGION', () => vi.stubEnv('AWS_REGION', 'eu-south-1'), [], 'eu-south-1'],
      ['AWS_DEFAULT_REGION', () => vi.stubEnv('AWS_DEFAULT_REGION', 'ap-southeast-2'), [], 'ap-southeast-2'],
      [
        "the profile's region",
        () => writeFileSync(process.env.AWS_CONFIG_FILE ?? '', '[profile audit]\nregion = eu-north-1\n'),
        ['--profile', 'audit'],
        'eu-north-1',
      ],
      ["the event's own region when nothing names one", () => {}, [], 'us-east-1'],
    ])('without --region, reads the region from %s', async (_label, configure, options, expected) => {
      configure();
      const { code } = await run(['diagnose', '--json', '--event', eventFile, ...options]);
      expect(code).toBe(0);
      expect(regions).toEqual([expected]);
    });

    it('makes no AWS call with --offline, and lists the reads as not checked', async () => {
      const { code, results } = await run(['diagnose', '--json', '--offline', '--event', eventFile]);
      expect(code).toBe(0);
      expect(ecs.calls()).toHaveLength(0);
      expect(logs.calls()).toHaveLength(0);
      const [finding] = results()[0]?.findings ?? [];
      expect(finding?.rule).toBe('log-group-missing');
      expect(finding?.unchecked[0]?.reason).toContain('ReaderUnavailable');
    });

    it.each([
      [['--offline', '--snapshot', eventFile], '--snapshot and --offline exclude each other'],
      [['--offline', '--region', 'eu-west-1'], '--region and --profile apply to live reads only'],
      [['--snapshot', eventFile, '--profile', 'audit'], '--region and --profile apply to live reads only'],
    ])('rejects %j as a usage error', async (options, message) => {
      const { code, err } = await run(['diagnose', '--event', eventFile, ...options]);
      expect(code).toBe(2);
      expect(err[0]).toContain(message);
      expect(ecs.calls()).toHaveLength(0);
    });
  });

  describe('without credentials (the real SDK credential chain)', () => {
    // A local stand-in for the instance metadata service that has no role: the chain's last provider fails fast here.
    let metadataRequests = 0;
    const metadata = createServer((_request, response) => {
      metadataRequests++;
      response.writeHead(404).end();
    });
    beforeAll(() => new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve)));
    afterAll(() => new Promise((resolve) => metadata.close(resolve)));
    beforeEach(() => {
      const { port } = metadata.address() as { port: number };
      vi.stubEnv('AWS_EC2_METADATA_DISABLED', undefined);
      vi.stubEnv('AWS_EC2_METADATA_SERVICE_ENDPOINT', `http://127.0.0.1:${port}`);
      metadataRequests = 0;
    });

    it('lists every read as not checked with CredentialsProviderError, and exits 0', async () => {
      const { code, results } = await run(['diagnose', '--json', '--event', eventFile, '--region', 'us-east-1']);
      expect(code).toBe(0);
      const [finding] = results()[0]?.findings ?? [];
      expect(finding?.rule).toBe('log-group-missing');
      expect(finding?.unchecked).toHaveLength(1);
      expect(finding?.unchecked[0]?.reason).toMatch(/^CredentialsProviderError: /);
    });

    it('runs the credential chain once per run, however many reads fail', async () => {
      await run(['diagnose', '--json', '--event', eventFile, '--region', 'us-east-1']);
      const forOneEvent = metadataRequests;
      metadataRequests = 0;
      const threeEvents = file('three.json', JSON.stringify([logGroupMissing, logGroupMissing, logGroupMissing]));
      const { code, results } = await run(['diagnose', '--json', '--event', threeEvents, '--region', 'us-east-1']);
      expect(code).toBe(0);
      expect(results().flatMap((r) => r.findings.flatMap((f) => f.unchecked))).toHaveLength(3);
      expect(forOneEvent).toBeGreaterThan(0);
      expect(metadataRequests).toBe(forOneEvent);
    });
  });
});
