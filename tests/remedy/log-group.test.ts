import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountReader, ReaderOperation } from '../../shared/reader/port';
import logGroupRemedy, { type LogGroupFacts } from '../../shared/rules/log-group-missing/remedy';
import type { RemedyCase } from '../../shared/rules/remedy';
import { liveWriter } from '../../shared/writer/live';
import { BOUNDS, cliProblems, remedyCase, scenarioFinding, service, withAwsCli } from './support';

let incident: RemedyCase;
beforeAll(async () => {
  incident = remedyCase(await scenarioFinding('log-group-missing', 'log-group-missing'));
});

const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5';
const target = (group: string, region?: string) => ({ container: 'web', group, region, createGroup: false });
const facts = (targets = [target('/ecs/webserver', 'us-east-1')], existing: string[] = []): LogGroupFacts => ({ taskDefinition: TASK_DEFINITION, targets, existing });
const WHY = 'rule log-group-missing incident 123456789012/us-east-1/example-cluster/service/webserver/log-group-missing/- opened 2025-05-06T11:05:06.000Z';

describe('log-group remedy: plan', () => {
  it('creates each missing group in its awslogs-region, with retention, tags and the undo command', () => {
    const plan = logGroupRemedy.plan(incident, facts([target('/ecs/webserver', 'us-east-1'), target('/ecs/sidecar', 'eu-west-1'), target('/ecs/exists')], ['/ecs/exists']), BOUNDS, undefined);
    expect(plan).toMatchObject({
      kind: 'change',
      change: {
        groups: [
          { name: '/ecs/webserver', region: 'us-east-1' },
          { name: '/ecs/sidecar', region: 'eu-west-1' },
        ],
        retentionDays: 30,
        account: '123456789012',
        tags: { 'created-by': 'ecs-medic', why: WHY },
      },
      summary: 'create log group /ecs/webserver, /ecs/sidecar (retention 30 days)',
      undo: ['aws logs delete-log-group --log-group-name /ecs/webserver --region us-east-1', 'aws logs delete-log-group --log-group-name /ecs/sidecar --region eu-west-1'],
    });
  });

  it('refuses a group outside the allowed prefixes, and does nothing when every group exists', () => {
    expect(logGroupRemedy.plan(incident, facts([target('/aws/lambda/other')]), BOUNDS, undefined)).toMatchObject({
      kind: 'refusal',
      reason: 'log group /aws/lambda/other is outside the prefixes ecs-medic may create under (/ecs/)',
    });
    expect(logGroupRemedy.plan(incident, facts(undefined, ['/ecs/webserver']), BOUNDS, undefined)).toMatchObject({ kind: 'nothing' });
  });

  it('gathers the task definition of the service and reads which groups of its own Region exist', async () => {
    const reads: ReaderOperation[] = [];
    const reader: AccountReader = {
      read: async (operation) => {
        reads.push(operation);
        if (operation === 'ecs:DescribeTaskDefinition') {
          return {
            taskDefinition: {
              containerDefinitions: [
                { name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/webserver', 'awslogs-region': 'us-east-1' } } },
                { name: 'relay', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/relay', 'awslogs-region': 'eu-west-1' } } },
              ],
            },
          } as never;
        }
        return { logGroups: [] } as never;
      },
    };
    const gathered = await logGroupRemedy.gather(incident, service({ taskDefinition: TASK_DEFINITION }), reader);
    expect(gathered).toMatchObject({ taskDefinition: TASK_DEFINITION, existing: [] });
    // The eu-west-1 group is not read (the bot reads its own Region); CreateLogGroup's answer settles it.
    expect(reads).toEqual(['ecs:DescribeTaskDefinition', 'logs:DescribeLogGroups']);
  });

  it.skipIf(withAwsCli)('the undo commands parse with the AWS CLI', async () => {
    const plan = logGroupRemedy.plan(incident, facts(), BOUNDS, undefined);
    expect(await cliProblems(plan.kind === 'change' ? plan.undo : ['not a change'])).toEqual([]);
  });
});

describe('log-group remedy: apply', () => {
  const logs = mockClient(CloudWatchLogsClient);
  beforeEach(() => {
    logs.reset();
    logs.onAnyCommand().resolves({});
  });

  it('sends exactly CreateLogGroup (with the KMS key), PutRetentionPolicy and TagResource, in that order', async () => {
    const kmsKeyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const plan = logGroupRemedy.plan(incident, facts(), { ...BOUNDS, kmsKeyId }, undefined);
    if (plan.kind !== 'change') throw new Error('expected a change');
    const done: string[] = [];
    await logGroupRemedy.apply(plan.change, liveWriter(), done);
    expect(logs.calls().map((call) => [call.args[0].constructor.name, call.args[0].input])).toEqual([
      ['CreateLogGroupCommand', { logGroupName: '/ecs/webserver', kmsKeyId }],
      ['PutRetentionPolicyCommand', { logGroupName: '/ecs/webserver', retentionInDays: 30 }],
      ['TagResourceCommand', { resourceArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/webserver', tags: { 'created-by': 'ecs-medic', why: WHY } }],
    ]);
    expect(done).toEqual(['log group /ecs/webserver (us-east-1): created, retention 30 days, tagged']);
  });

  it('creates each group in its own Region', async () => {
    const plan = logGroupRemedy.plan(incident, facts([target('/ecs/sidecar', 'eu-west-1')]), BOUNDS, undefined);
    if (plan.kind !== 'change') throw new Error('expected a change');
    await logGroupRemedy.apply(plan.change, liveWriter(), []);
    const regions = await Promise.all(logs.calls().map((call) => (call.thisValue as CloudWatchLogsClient).config.region()));
    expect(regions).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1']);
    expect(logs.commandCalls(CreateLogGroupCommand)[0]?.args[0].input).toEqual({ logGroupName: '/ecs/sidecar' });
  });

  it('guardrail group already exists: success, and the existing group is left as it is (no retention, no tags)', async () => {
    logs.on(CreateLogGroupCommand).rejects(new ResourceAlreadyExistsException({ message: 'The specified log group already exists', $metadata: {} }));
    const plan = logGroupRemedy.plan(incident, facts(), BOUNDS, undefined);
    if (plan.kind !== 'change') throw new Error('expected a change');
    const done: string[] = [];
    await logGroupRemedy.apply(plan.change, liveWriter(), done);
    expect(logs.commandCalls(PutRetentionPolicyCommand)).toHaveLength(0);
    expect(logs.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(done).toEqual(['log group /ecs/webserver (us-east-1): already existed, left as it is']);
  });
});
