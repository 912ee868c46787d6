import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Snapshot } from '../../shared/reader/snapshot';
import { snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/task-execution-role-confusion';
import { apiCallEvent, serviceActionEvent, stoppedTaskEvent, SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

// Every text below is quoted verbatim from its source.
const ECR_403 =
  'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789123.dkr.ecr.us-east-1.amazonaws.com/a2-ecr-app-repo:latest: pulling from host 123456789123.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests latest]: 403 Forbidden';
const ECR_403_SOURCE = 'https://github.com/aws/aws-cdk/issues/29876';
const TASK_ROLE_DENIED =
  'An error occurred (AccessDeniedException) when calling the GetParameters operation: User: arn:aws:sts::845828040396:assumed-role/ecs-service-hacko-integration-2017Emergency-1OUW82E58RBC1/047bdf30-0a11-4fa5-a26e-29beb6005c60 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-west-2:845828040396:parameter/production/2017/API/emergency-service/POSTGRES_PASSWORD';
const UNABLE_TO_ASSUME =
  "service MythicalMysfits-Service failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::281174624655:role/MythicalMysfitsCoreStack-ECSTaskRole-FXO3A6J08BN' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.).";
const UNABLE_TO_ASSUME_SOURCE = 'https://github.com/aws-samples/aws-modern-application-workshop/issues/88';
const SAME_ROLE_SOURCE =
  'ECS Developer Guide CloudTrail record sample (tests/fixtures/aws-samples) with RegisterTaskDefinition requestParameters in the RegisterTaskDefinition API request shape';

ruleTester(rule, {
  invalid: [
    {
      name: 'ECR answered 403 Forbidden to the pull (symptom: names the other causes)',
      text: ECR_403,
      source: ECR_403_SOURCE,
      cause: 'execution-role-permissions',
      fixIncludes: ['AmazonECSTaskExecutionRolePolicy', 'aws ecr get-repository-policy --repository-name a2-ecr-app-repo --region us-east-1'],
      explanationIncludes: ['repository policy', 'task role (taskRoleArn)'],
    },
    {
      name: 'ecr:GetAuthorizationToken denied to the agent, truncated by AWS Batch on ECS',
      text: 'CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::...:assumed-role/OvertureTilesCdkStack-OvertureTilesContainer... is not authorized to perform: ecr:GetAuthorizationToken on r',
      source: 'https://github.com/OvertureMaps/overture-tiles/pull/20',
      cause: 'execution-role-permissions',
      explanationIncludes: ['ecr:GetAuthorizationToken'],
    },
    {
      name: 'awslogs-create-group without logs:CreateLogGroup on the execution role',
      text: 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log group: AccessDeniedException: User: arn:aws:sts::[redacted]:assumed-role/[redacted]-ecs-task-execution-role/[redacted] is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:eu-central-1:[redacted]:log-group:[redacted]:log-stream: because no identity-based policy allows the logs:CreateLogGroup action : exit status 1',
      source: 'https://github.com/terraform-aws-modules/terraform-aws-ecs/pull/313',
      cause: 'execution-role-permissions',
      // The denied resource is the log group's stream ARN, trailing colon and all: without it IAM matches another resource.
      fixIncludes: ["--role-name '[redacted]-ecs-task-execution-role'", 'logs:CreateLogGroup', '"Resource":"arn:aws:logs:eu-central-1:[redacted]:log-group:[redacted]:log-stream:"'],
    },
    {
      name: 'log stream AccessDenied, truncated before the action',
      text: 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::zzzzzzzzzzzz:assumed-role/ecs.task.minecraft-server/123456a999ee4b919...',
      source: 'https://github.com/doctorray117/minecraft-ondemand/issues/12',
      cause: 'execution-role-permissions',
      fixIncludes: ['aws iam attach-role-policy', 'AmazonECSTaskExecutionRolePolicy'],
    },
    {
      name: 'no execution role for an ECR image',
      text: 'ClientException: Fargate requires task definition to have execution role ARN to support ECR images.',
      source: 'https://github.com/hashicorp/terraform-provider-aws/issues/3051',
      cause: 'execution-role-permissions',
      fixIncludes: ['aws iam create-role --role-name ecsTaskExecutionRole', 'ecs-tasks.amazonaws.com', '"executionRoleArn"'],
      explanationIncludes: ['support ECR images'],
    },
    {
      name: 'no execution role for awslogs, in a failed RegisterTaskDefinition CloudTrail event',
      event: apiCallEvent({
        eventName: 'RegisterTaskDefinition',
        errorCode: 'ClientException',
        errorMessage: 'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
      }),
      source: 'https://github.com/virtual-kubelet/virtual-kubelet/issues/193 (message), in the ECS doc CloudTrail sample',
      cause: 'execution-role-permissions',
      explanationIncludes: ['log driver awslogs'],
    },
    {
      name: "the application's call denied to its task role (task session)",
      text: TASK_ROLE_DENIED,
      source: 'https://github.com/hackoregon/civic-devops/issues/252',
      cause: 'task-role-permissions',
      fixIncludes: [
        '--role-name ecs-service-hacko-integration-2017Emergency-1OUW82E58RBC1',
        'ssm:GetParameters',
        'arn:aws:ssm:us-west-2:845828040396:parameter/production/2017/API/emergency-service/POSTGRES_PASSWORD',
      ],
      explanationIncludes: ['task role', 'execution role'],
    },
    {
      name: 'no task role: the SDK fell back to the ECS instance role',
      text: 'An error occurred (AccessDeniedException) when calling the GetParameters operation: User: arn:aws:sts::845828040396:assumed-role/miketesting20190527-ECSRole-us-west-2/i-081cc40f40abe42cd is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-west-2:845828040396:parameter/production/2018/API/local-elections/POSTGRES_NAME',
      source: 'https://github.com/hackoregon/civic-devops/issues/241',
      cause: 'task-role-permissions',
      fixIncludes: ['aws iam create-role', 'ecs-tasks.amazonaws.com', '"taskRoleArn"'],
      explanationIncludes: ['instance role miketesting20190527-ECSRole-us-west-2', 'no task role'],
    },
    {
      name: 'no task role, SQS from the EC2 instance role (lower-case action)',
      text: 'User: arn:aws:sts::<accountid>:assumed-role/xtdb-stack-ecs-EC2InstanceRole-cq4KLVh142Ez/i-0221dfee3da46d752 is not authorized to perform: sqs:createqueue on resource: arn:aws:sqs:eu-west-1:<account-id>:xtdb-object-store-notifs-queue-7de3c104-82b7-4463-a224-d93f831776d7 because no identity-based policy allows the sqs:createqueue action (Service: Sqs, Status Code: 403, Request ID: fa4ced72-32cf-51b5-9c7f-b0923e8b76df, Extended Request ID: null)',
      source: 'https://github.com/xtdb/xtdb/pull/2949',
      cause: 'task-role-permissions',
      fixIncludes: ['sqs:createqueue'],
    },
    {
      name: 'ECS could not assume the role (service event message)',
      text: UNABLE_TO_ASSUME,
      source: UNABLE_TO_ASSUME_SOURCE,
      cause: 'trust-policy',
      fixIncludes: ['aws iam get-role --role-name MythicalMysfitsCoreStack-ECSTaskRole-FXO3A6J08BN --query Role.AssumeRolePolicyDocument', 'ecs-tasks.amazonaws.com', 'iam:PassRole'],
    },
    {
      name: 'the same, as the reason of a SERVICE_TASK_CONFIGURATION_FAILURE service action',
      event: serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_TASK_CONFIGURATION_FAILURE', reason: UNABLE_TO_ASSUME }),
      source: `${UNABLE_TO_ASSUME_SOURCE}; event shape: ECS Developer Guide service action sample`,
      cause: 'trust-policy',
    },
    {
      name: 'RegisterTaskDefinition with the same role as execution role and task role',
      event: apiCallEvent({
        eventName: 'RegisterTaskDefinition',
        requestParameters: {
          family: 'webserver',
          executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
          taskRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
          containerDefinitions: [{ name: 'web', image: 'nginx' }],
        },
      }),
      source: SAME_ROLE_SOURCE,
      cause: 'same-role',
      fixIncludes: ['aws iam create-role --role-name webserver-task-role', '"taskRoleArn"'],
    },
  ],
  valid: [
    {
      name: 'a secrets denial is secrets-pull-failure',
      text: 'Resourceinitializationerror: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::<account id>:assumed-role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJL3T0YT/f83b93a4dc3442a18eaaf8c2a235cd37 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-2:<account id>:parameter/GOOGLE_CLIENT_ID because no identity-based policy allows the ssm:GetParameters action status code: 400, request id: 1adcb55f-f798-4503-b8a3-cd1533290001',
      source: 'https://github.com/aws/copilot-cli/issues/4504',
    },
    {
      name: 'an ECR login denied on a CI instance, not ECS',
      text: 'An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::sdfsdfsd:assumed-role/buildkite-docker-builders-Role/i-sdfsdf is not authorized to perform: ecr:GetAuthorizationToken on resource: *',
      source: 'https://github.com/buildkite/elastic-ci-stack-for-aws/issues/193',
    },
    {
      name: 'a Lambda function denied ecs:RunTask',
      text: 'User: arn:aws:sts::554523412554:assumed-role/batch-poc-schedule-a1297ba/batch-poc-schedule-325ae24 is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:554523412554:task-definition/batch-poc-aece9bcd:1',
      source: 'https://github.com/pulumi/pulumi/issues/6725',
    },
    {
      name: 'a Lambda role denied logs:CreateLogStream (no ECS log driver)',
      text: 'arn:aws:sts::accountid:assumed-role/CrossRegionReplicationMonitor-CRRHourlyMaintRole-1RCO7JQNPCT8P/CRRHourlyMaint is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:accountid:log-group:/aws/lambda/CRRHourlyMaint:log-stream:2019/12/16/[$LATEST]9f7bba28c89742bb8199a28885b893ea',
      source: 'https://github.com/aws-solutions/aws-crr-monitor/issues/8',
    },
    {
      name: 'a Docker Hub pull denied (image-pull-failure)',
      text: 'CannotPullContainerError: failed to resolve ref "docker.io/library/chatalicious_braid:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
      source: 'https://github.com/docker-archive/compose-cli/issues/853',
    },
    {
      name: 'ECR unreachable (network, image-pull-failure)',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr..amazonaws.com/": dial tcp …443: i/o timeout. Please check your task network configuration.',
      source: 'https://www.repost.aws/fr/knowledge-center/ecs-unable-to-pull-secrets (message quoted in English)',
    },
    {
      name: 'the ECS service-linked role, not a task role',
      text: 'Unable to assume the service linked role. Please verify that the ECS service linked role exists.',
      source: 'https://github.com/jonrau1/ElectricEye/issues/9',
    },
    {
      name: 'RegisterTaskDefinition with two different roles',
      event: apiCallEvent({
        eventName: 'RegisterTaskDefinition',
        requestParameters: {
          family: 'webserver',
          executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
          taskRoleArn: 'arn:aws:iam::123456789012:role/webserver-task-role',
        },
      }),
      source: SAME_ROLE_SOURCE,
    },
  ],
});


function describedWith(roles: { executionRoleArn?: string; taskRoleArn?: string }) {
  return {
    'ecs:DescribeTaskDefinition': [
      {
        input: { taskDefinition: taskDefinitionArn },
        output: { taskDefinition: { taskDefinitionArn, family: 'webserver', ...roles, containerDefinitions: [{ name: 'web', image: 'nginx' }] } },
      },
    ],
  };
}

function firstFinding(result: Awaited<ReturnType<typeof diagnoseEvent>>) {
  const [finding] = result.status === 'diagnosed' ? result.findings : [];
  return finding;
}

describe('task-execution-role-confusion investigation', () => {
  const pullEvent = stoppedTaskEvent({ stoppedReason: ECR_403, stopCode: 'TaskFailedToStart', group: 'service:webserver' });

  it('names the execution role to fix and warns that the task role does not help the pull', async () => {
    const reader = snapshotReader(
      describedWith({
        executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
        taskRoleArn: 'arn:aws:iam::123456789012:role/webserver-task-role',
      }),
    );
    const finding = firstFinding(await diagnoseEvent(pullEvent, reader, [rule]));
    expect(finding?.cause).toBe('execution-role-permissions');
    expect(finding?.fix).toContain(
      'aws iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    );
    expect(finding?.explanation).toContain('The task role webserver-task-role is not used for this');
    expect(finding?.evidence).toContainEqual({
      source: 'ecs:DescribeTaskDefinition',
      observed: 'executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole; taskRoleArn: arn:aws:iam::123456789012:role/webserver-task-role',
    });
    // No simulation in this snapshot: both roles' checks are named as not made.
    expect(finding?.unchecked.map((u) => u.check)).toEqual([
      'whether ecsTaskExecutionRole is allowed ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage',
      'whether the other role webserver-task-role is allowed ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage instead',
    ]);
  });

  it('says when the task definition has no execution role at all', async () => {
    const finding = firstFinding(await diagnoseEvent(pullEvent, snapshotReader(describedWith({})), [rule]));
    expect(finding?.fix).toContain('aws iam create-role --role-name ecsTaskExecutionRole');
    expect(finding?.explanation).toContain('has no task execution role');
  });

  it('flags one role used for both', async () => {
    const both = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
    const finding = firstFinding(await diagnoseEvent(pullEvent, snapshotReader(describedWith({ executionRoleArn: both, taskRoleArn: both })), [rule]));
    expect(finding?.explanation).toContain('ecsTaskExecutionRole is both the execution role and the task role');
    expect(finding?.evidence.map((e) => e.observed)).toContain(`executionRoleArn: ${both}; taskRoleArn: ${both} (the same role)`);
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        {
          input: { taskDefinition: taskDefinitionArn },
          error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeTaskDefinition' },
        },
      ],
    });
    const finding = firstFinding(await diagnoseEvent(pullEvent, reader, [rule]));
    expect(finding?.cause).toBe('execution-role-permissions');
    expect(finding?.fix).toContain('--role-name <task-execution-role>');
    expect(finding?.unchecked).toEqual([
      {
        check: "the task definition's execution role and task role",
        reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTaskDefinition',
      },
    ]);
  });
});

describe('task-execution-role-confusion: which role holds the permission (IAM policy simulation)', () => {
  const executionRoleArn = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
  const taskRoleArn = 'arn:aws:iam::123456789012:role/webserver-task-role';
  const repository = 'arn:aws:ecr:us-east-1:123456789123:repository/a2-ecr-app-repo';
  const pullActions = ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
  const pullEvent = stoppedTaskEvent({ stoppedReason: ECR_403, stopCode: 'TaskFailedToStart', group: 'service:webserver' });

  /** One SimulatePrincipalPolicy answer in the current shape: one result per action, per-resource decisions inside. */
  function simulation(roleArn: string, checks: [action: string, resource: string, decision: string][]) {
    const actions = [...new Set(checks.map(([action]) => action))];
    const resources = [...new Set(checks.map(([, resource]) => resource))];
    return {
      input: { PolicySourceArn: roleArn, ActionNames: actions, ResourceArns: resources },
      output: {
        EvaluationResults: actions.map((action) => {
          const specific = resources.map((resource) => {
            const decision = checks.find(([a, r]) => a === action && r === resource)?.[2] ?? 'implicitDeny';
            const matched = decision === 'allowed' ? [{ SourcePolicyId: 'AmazonECSTaskExecutionRolePolicy', SourcePolicyType: 'aws-managed' }] : [];
            return { EvalResourceName: resource, EvalResourceDecision: decision, MatchedStatements: matched, MissingContextValues: [] };
          });
          const aggregate = specific.some((x) => x.EvalResourceDecision === 'explicitDeny') ? 'explicitDeny' : specific.every((x) => x.EvalResourceDecision === 'allowed') ? 'allowed' : 'implicitDeny';
          return { EvalActionName: action, EvalResourceName: '*', EvalDecision: aggregate, MatchedStatements: [], MissingContextValues: [], ResourceSpecificResults: specific };
        }),
        IsTruncated: false,
      },
    };
  }
  const pull = (decision: string): [string, string, string][] => pullActions.map((a) => [a, a === 'ecr:GetAuthorizationToken' ? '*' : repository, decision]);

  function reader(execution: [string, string, string][], task: [string, string, string][]): Snapshot {
    return {
      ...describedWith({ executionRoleArn, taskRoleArn }),
      'iam:SimulatePrincipalPolicy': [simulation(executionRoleArn, execution), simulation(taskRoleArn, task)],
    };
  }

  it('the ECR pull permissions were put on the task role instead: move them', async () => {
    const finding = firstFinding(await diagnoseEvent(pullEvent, snapshotReader(reader(pull('implicitDeny'), pull('allowed'))), [rule]));
    expect(finding?.explanation).toContain(
      `Simulated: ${pullActions.join(', ')} are allowed on webserver-task-role but not on ecsTaskExecutionRole: the permission was put on the wrong role; move it.`,
    );
    expect(finding?.evidence).toContainEqual({ source: 'iam:SimulatePrincipalPolicy', observed: `ecsTaskExecutionRole ecr:BatchGetImage on ${repository}: implicitDeny: no policy allows it` });
    expect(finding?.unchecked).toEqual([]);
  });

  it('neither role has them', async () => {
    const finding = firstFinding(await diagnoseEvent(pullEvent, snapshotReader(reader(pull('implicitDeny'), pull('implicitDeny'))), [rule]));
    expect(finding?.explanation).toContain('and neither is webserver-task-role.');
  });

  it('the execution role has them now: fixed since, or a repository policy', async () => {
    const finding = firstFinding(await diagnoseEvent(pullEvent, snapshotReader(reader(pull('allowed'), pull('implicitDeny'))), [rule]));
    expect(finding?.explanation).toContain('Simulated now, ecsTaskExecutionRole is allowed');
    expect(finding?.explanation).toContain('repository policy');
  });

  it("an application denial: was the permission put on the execution role instead?", async () => {
    const denied = 'arn:aws:s3:::webserver-uploads/report.csv';
    const event = stoppedTaskEvent({
      stoppedReason: 'Essential container in task exited',
      containers: [
        {
          exitCode: 1,
          reason: `An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::123456789012:assumed-role/webserver-task-role/0a1b2c3d4e5f60718293a4b5c6d7e8f9 is not authorized to perform: s3:GetObject on resource: ${denied}`,
        },
      ],
    });
    const snapshot = {
      ...describedWith({ executionRoleArn, taskRoleArn }),
      'iam:SimulatePrincipalPolicy': [simulation(taskRoleArn, [['s3:GetObject', denied, 'implicitDeny']]), simulation(executionRoleArn, [['s3:GetObject', denied, 'allowed']])],
    };
    const result = await diagnoseEvent(event, snapshotReader(snapshot), [rule]);
    const finding = result.status === 'diagnosed' ? result.findings.find((f) => f.cause === 'task-role-permissions') : undefined;
    expect(finding?.explanation).toContain('s3:GetObject is allowed on ecsTaskExecutionRole but not on webserver-task-role');
  });
});
