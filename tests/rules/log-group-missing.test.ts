import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import { type Snapshot, snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/log-group-missing';
import { SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn, sampleTaskDefinition, stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';
import { countingReader } from '../support/counting-reader';

const EC2_FORM =
  'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist';
const EC2_SOURCE = 'https://github.com/cn-terraform/terraform-aws-nexus/issues/35';
const FARGATE_FORM =
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';
const FARGATE_SOURCE = '../shared/reference/ecs-events.md §8.4 (PV 1.4 form, observed in public repo notes)';

ruleTester(rule, {
  invalid: [
    { name: 'EC2 / PV 1.3 container reason', text: EC2_FORM, source: EC2_SOURCE, cause: null, fixIncludes: ['aws logs create-log-group'] },
    { name: 'Fargate PV 1.4 stoppedReason', text: FARGATE_FORM, source: FARGATE_SOURCE, cause: null },
    { name: 'lower-cased by a log pipeline', text: FARGATE_FORM.toLowerCase(), source: FARGATE_SOURCE, cause: null },
    {
      name: 'stopped task event',
      event: stoppedTaskEvent({ stoppedReason: FARGATE_FORM, stopCode: 'TaskFailedToStart' }),
      source: FARGATE_SOURCE,
      cause: null,
    },
  ],
  valid: [
    {
      name: 'a connection problem reaching CloudWatch Logs is not a missing group',
      text: 'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed',
      source: '../shared/reference/ecs-events.md §8.4',
    },
    {
      name: 'a missing log stream in an application library',
      text: 'Error: { ResourceNotFoundException: The specified log stream does not exist.',
      source: 'https://github.com/mentum/lawgs/issues/11',
    },
    {
      name: 'the application itself writing to a missing group',
      text: 'Caught exception: An error occurred (ResourceNotFoundException) when calling the PutLogEvents operation: The specified log group does not exist.',
      source: 'https://github.com/osperlabs/logbeam/issues/7',
    },
  ],
});


describe('log-group-missing investigation', () => {
  const event = stoppedTaskEvent({ stoppedReason: FARGATE_FORM, stopCode: 'TaskFailedToStart' });

  it('names the missing group and gives the exact create command', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        sampleTaskDefinition({
          containerDefinitions: [
            {
              name: 'web',
              image: 'nginx',
              logConfiguration: {
                logDriver: 'awslogs',
                options: { 'awslogs-group': '/ecs/webserver', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' },
              },
            },
          ],
        }),
      ],
      'logs:DescribeLogGroups': [{ input: { logGroupNamePrefix: '/ecs/webserver' }, output: { logGroups: [] } }],
    });
    const result = await diagnoseEvent(event, reader);
    expect(result.status).toBe('diagnosed');
    const [finding] = result.status === 'diagnosed' ? result.findings : [];
    expect(finding?.rule).toBe('log-group-missing');
    expect(finding?.fix).toBe('aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1');
    expect(finding?.resource.container).toBe('web');
    expect(finding?.unchecked).toEqual([]);
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        { input: { taskDefinition: taskDefinitionArn }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeTaskDefinition' } },
      ],
    });
    const result = await diagnoseEvent(event, reader);
    const [finding] = result.status === 'diagnosed' ? result.findings : [];
    expect(finding?.rule).toBe('log-group-missing');
    expect(finding?.fix).toContain('awslogs-create-group');
    expect(finding?.unchecked).toEqual([
      { check: "the task definition's log configuration", reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTaskDefinition' },
    ]);
  });
});

describe('log-group-missing: awslogs-create-group and the permission it needs', () => {
  const event = stoppedTaskEvent({ stoppedReason: FARGATE_FORM, stopCode: 'TaskFailedToStart' });
  const executionRoleArn = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
  const groupArn = 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/webserver:*';
  const simulationInput = { PolicySourceArn: executionRoleArn, ActionNames: ['logs:CreateLogGroup'], ResourceArns: [groupArn] };

  function snapshot(createGroup: boolean, simulation?: { decision?: string; error?: { name: string; message: string } }): Snapshot {
    const options: Record<string, string> = { 'awslogs-group': '/ecs/webserver', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' };
    if (createGroup) options['awslogs-create-group'] = 'true';
    const result: Snapshot = {
      'ecs:DescribeTaskDefinition': [
        sampleTaskDefinition({
          executionRoleArn,
          containerDefinitions: [{ name: 'web', image: 'nginx', logConfiguration: { logDriver: 'awslogs', options } }],
        }),
      ],
      'logs:DescribeLogGroups': [{ input: { logGroupNamePrefix: '/ecs/webserver' }, output: { logGroups: [] } }],
    };
    if (simulation?.error) result['iam:SimulatePrincipalPolicy'] = [{ input: simulationInput, error: simulation.error }];
    else if (simulation?.decision) {
      const matched = simulation.decision === 'implicitDeny' ? [] : [{ SourcePolicyId: 'ecs-logs', SourcePolicyType: 'role' }];
      result['iam:SimulatePrincipalPolicy'] = [
        {
          input: simulationInput,
          output: {
            EvaluationResults: [
              {
                EvalActionName: 'logs:CreateLogGroup',
                // biome-ignore lint/suspicious/noTemplateCurlyInString: the simulator answers with this ARN template, verbatim
                EvalResourceName: 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}',
                EvalDecision: simulation.decision,
                MatchedStatements: matched,
                MissingContextValues: [],
                ResourceSpecificResults: [{ EvalResourceName: groupArn, EvalResourceDecision: simulation.decision, MatchedStatements: matched, MissingContextValues: [] }],
              },
            ],
            IsTruncated: false,
          },
        },
      ];
    }
    return result;
  }

  async function finding(s: Snapshot) {
    const { reader, calls } = countingReader(snapshotReader(s));
    const result = await diagnoseEvent(event, reader, [rule]);
    return { finding: result.status === 'diagnosed' ? result.findings[0] : undefined, calls };
  }

  it('without awslogs-create-group: no simulation, just the create command', async () => {
    const { finding: f, calls } = await finding(snapshot(false));
    expect(calls).toEqual(['ecs:DescribeTaskDefinition', 'logs:DescribeLogGroups']);
    expect(f?.explanation).toContain('awslogs-create-group is not set');
  });

  it('set, but the role may not create the group (implicitDeny): grants logs:CreateLogGroup on that exact group', async () => {
    const { finding: f, calls } = await finding(snapshot(true, { decision: 'implicitDeny' }));
    expect(calls).toEqual(['ecs:DescribeTaskDefinition', 'logs:DescribeLogGroups', 'iam:SimulatePrincipalPolicy']);
    expect(f?.evidence).toContainEqual({ source: 'iam:SimulatePrincipalPolicy', observed: `ecsTaskExecutionRole logs:CreateLogGroup on ${groupArn}: implicitDeny: no policy allows it` });
    expect(f?.explanation).toContain(`ecsTaskExecutionRole may not logs:CreateLogGroup on ${groupArn}`);
    expect(f?.fix).toContain(`aws iam put-role-policy --role-name ecsTaskExecutionRole --policy-name ecs-medic-create-log-group-`);
    expect(f?.fix).toContain(`"Resource":"${groupArn}"`);
    expect(f?.fix).toContain('aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1');
    expect(f?.unchecked).toEqual([]);
  });

  it('set and explicitly denied: says an Allow does not override it', async () => {
    const { finding: f } = await finding(snapshot(true, { decision: 'explicitDeny' }));
    expect(f?.explanation).toContain('explicitDeny: a Deny statement in ecs-logs; an Allow does not override it.');
  });

  it('set and allowed: the role is not the problem', async () => {
    const { finding: f } = await finding(snapshot(true, { decision: 'allowed' }));
    expect(f?.explanation).toContain('the execution role may logs:CreateLogGroup (simulated)');
    expect(f?.fix).toBe('aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1');
  });

  it('the simulation refused: unchecked, with the likely fix', async () => {
    const { finding: f } = await finding(
      snapshot(true, { error: { name: 'AccessDenied', message: 'User: arn:aws:sts::123456789012:assumed-role/ecs-medic/x is not authorized to perform: iam:SimulatePrincipalPolicy' } }),
    );
    expect(f?.unchecked.map((u) => u.check)).toEqual(['whether ecsTaskExecutionRole may logs:CreateLogGroup']);
    expect(f?.explanation).toContain('most likely lacks logs:CreateLogGroup');
  });
});
