/**
 * The message families ECS emits, each with the rule (and cause) that owns it
 * and where the family comes from: a format string in the ECS agent
 * (github.com/aws/amazon-ecs-agent at 8dfceca6, file:line) or an AWS reference
 * page. Each family has at least one real-shaped example, quoted from a public
 * report or the page itself, that the catalogue must classify as stated.
 * A family whose cause the text cannot tell has cause null; a family no rule
 * owns gets the unrecognised-failure next step, never another rule's claim.
 */
import { describe, expect, it } from 'vitest';
import { explainText } from '../../shared/diagnose';

const AGENT = 'aws/amazon-ecs-agent@8dfceca6';
const PULL_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html';
const API_FAILURES = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html';
const SERVICE_EVENTS = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html';
const API_ERRORS = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Errors';
const EXECUTION_ROLE = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html';

interface Family {
  family: string;
  owner: [string, string | null];
  emitter: string;
  examples: { text: string; source: string }[];
}

const families: Family[] = [
  {
    family: 'image pull refused because the image does not exist (agent parser PatternImageDoesNotExistError)',
    owner: ['image-pull-failure', 'not-found'],
    emitter: `${AGENT} agent/api/errormessages/error_messages.go:98,218`,
    examples: [
      {
        text: "CannotPullContainerError: Error response from daemon: pull access denied for 123123123123.dkr.ecr.us-east-1.amazonaws.com/test_image, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
        source: `${AGENT} agent/api/errormessages/error_messages.go:106-118 (the example it documents)`,
      },
      { text: 'Status reason | CannotPullContainerError: API error (404)', source: 'https://github.com/aws/amazon-ecs-agent/issues/1185' },
    ],
  },
  {
    family: 'image pull refused for ECR permissions (agent parser PatternECRBatchGetImageError)',
    owner: ['task-execution-role-confusion', 'execution-role-permissions'],
    emitter: `${AGENT} agent/api/errormessages/error_messages.go:97,207`,
    examples: [
      {
        text: "CannotPullContainerError: Error response from daemon: pull access denied for 123123123123.dkr.ecr.us-east-1.amazonaws.com/test_image, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::123123123123:assumed-role/BrokenRole/xyz is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:region:123123123123:repository/test_image because no identity-based policy allows the ecr:BatchGetImage action",
        source: `${AGENT} agent/api/errormessages/error_messages.go:106-114 (the example it documents)`,
      },
    ],
  },
  {
    family: 'image pull without a network path (agent parser PatternNetworkConfigurationError)',
    owner: ['image-pull-failure', 'network'],
    emitter: `${AGENT} agent/api/errormessages/error_messages.go:99,228`,
    examples: [
      {
        text: 'CannotPullContainerError: Request canceled while waiting for connection',
        source:
          'https://www.codegenes.net/blog/ecs-task-not-starting-stopped-cannotpullcontainererror-error-response-from-daemon-request-canceled-while-waiting-for-connection',
      },
    ],
  },
  {
    family: 'a registry answering 401 Unauthorized: credentials for a registry outside ECR (repositoryCredentials)',
    owner: ['image-pull-failure', 'registry-auth'],
    emitter: PULL_DOC,
    examples: [
      {
        text: 'CannotPullContainerError: inspect image has been retried 1 time(s): failed to resolve ref "artifactoryserver.com:1": unexpected status code [manifests 1]: 401 Unauthorized ',
        source: 'https://github.com/aws/containers-roadmap/issues/1302',
      },
      {
        text: 'time="2017-03-23T20:05:24.017652552Z" level=error msg="Attempting next endpoint for pull after error: unauthorized: authentication required" ',
        source: 'https://github.com/aws/amazon-ecs-agent/issues/739',
      },
    ],
  },
  {
    family: 'ECR answering 403 Forbidden: the execution role',
    owner: ['task-execution-role-confusion', 'execution-role-permissions'],
    emitter: PULL_DOC,
    examples: [
      {
        text: 'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 366590864501.dkr.ecr.us-west-2.amazonaws.com/bedrock-proxy-api-ecs:latest@sha256:5de487da52320ad9978f3a7a4f6700910342956c7dcb3b6f955222b4cccbd600: unexpected status from HEAD request to https://366590864501.dkr.ecr.us-west-2.amazonaws.com/v2/bedrock-proxy-api-ecs/blobs/sha256:5de487da52320ad9978f3a7a4f6700910342956c7dcb3b6f955222b4cccbd600: 403 Forbidden',
        source: 'https://github.com/aws-samples/bedrock-access-gateway/issues/114',
      },
    ],
  },
  {
    family: 'container runtime errors without a known reason: CannotCreateContainerError, CannotStartContainerError, CannotInspectContainerError',
    owner: ['container-start-failure', null],
    emitter: `${AGENT} agent/dockerclient/dockerapi/errors.go:218-257`,
    examples: [
      { text: 'STOPPED (CannotCreateContainerError: API error (500): Untar)', source: 'https://github.com/aws/amazon-ecs-cli/issues/194' },
      { text: 'CannotInspectContainerError: Could not transition to inspecting', source: 'https://github.com/aws/amazon-ecs-agent/issues/336' },
    ],
  },
  {
    family: 'a container transition that timed out (DockerTimeoutError, "Could not transition to X; timed out after waiting D")',
    owner: ['container-start-failure', 'timeout'],
    emitter: `${AGENT} agent/dockerclient/dockerapi/errors.go:50-51`,
    examples: [{ text: 'DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s.', source: 'https://repost.aws/knowledge-center/ecs-fargate-docker-timeout-error' }],
  },
  {
    family: 'the agent seeing an OOM kill (OutOfMemoryError)',
    owner: ['container-oom-killed', null],
    emitter: `${AGENT} agent/dockerclient/dockerapi/errors.go:66-69`,
    examples: [
      {
        text: '                    "lastStatus": "STOPPED",\n                    "exitCode": 137,\n                    "reason": "OutOfMemoryError: Container killed due to memory usage",\n                    "networkBindings": [],',
        source: 'https://github.com/transcom/mymove/pull/11213',
      },
    ],
  },
  {
    family: "the EC2 agent's per-secret fetch errors",
    owner: ['secrets-pull-failure', 'not-found'],
    emitter: `${AGENT} agent/taskresource/asmsecret/asmsecret.go:312,317`,
    examples: [
      {
        text: "trying to retrieve secret with value arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf resulted in error: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
        source: `${AGENT} agent/taskresource/asmsecret/asmsecret.go:312 with the Secrets Manager error of https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html`,
      },
    ],
  },
  {
    family: 'RegisterTaskDefinition ClientException: a feature that needs executionRoleArn (secrets, private registry auth)',
    owner: ['task-execution-role-confusion', 'execution-role-permissions'],
    emitter: EXECUTION_ROLE,
    examples: [
      {
        text: "botocore.errorfactory.ClientException: An error occurred (ClientException) when calling the RegisterTaskDefinition operation: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
        source: 'https://github.com/fabfuel/ecs-deploy/issues/87',
      },
      {
        text: 'An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Private repository authentication requires that the task definition specify a value for executionRoleArn.',
        source: 'https://github.com/sil-org/ecs-deploy/issues/188',
      },
    ],
  },
  {
    family: 'RegisterTaskDefinition ClientException "Role is not valid": which role and why is not in the text',
    owner: ['task-execution-role-confusion', null],
    emitter: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#API_RegisterTaskDefinition_Errors',
    examples: [
      {
        text: 'Creating new task definition revision\nAn error occurred (ClientException) when calling the RegisterTaskDefinition operation: Role is not valid',
        source: 'https://github.com/fabfuel/ecs-deploy/issues/231',
      },
    ],
  },
  {
    family: 'PlatformUnknownException: no such Fargate platform version',
    owner: ['platform-version-drift', 'unknown-version'],
    emitter: API_ERRORS,
    examples: [
      {
        text: 'com.amazonaws.services.ecs.model.PlatformUnknownException: The specified platform does not exist. (Service: AmazonECS; Status Code: 400; Error Code: PlatformUnknownException; Request ID: 85e28d0a-49f5-484e-8f5f-e7c2eddb329c; Proxy: null)',
        source: 'https://github.com/jenkinsci/amazon-ecs-plugin/issues/218',
      },
    ],
  },
  {
    family: 'PlatformTaskDefinitionIncompatibilityException: the platform lacks a capability the task definition needs',
    owner: ['platform-version-drift', null],
    emitter: API_ERRORS,
    examples: [
      {
        text: 'An error occurred (PlatformTaskDefinitionIncompatibilityException) when calling the RunTask operation: One or more of the requested capabilities are not supported.',
        source: 'https://github.com/CircleCI-Public/aws-ecs-orb/issues/121',
      },
    ],
  },
  {
    family: 'RunTask/StartTask failures[] reason AGENT: the instance agent is disconnected',
    owner: ['agent-version-drift', 'agent-disconnected'],
    emitter: API_FAILURES,
    examples: [
      {
        text: '{"Failures":[{"Arn":"arn:aws:ecs:us-west-2:763396238289:container-instance/eab7ed01-13fa-4280-a8f9-f5e48855e13e","Reason":"AGENT"}],"Tasks":[]}',
        source: 'https://github.com/aws/amazon-ecs-agent/issues/375',
      },
    ],
  },
  {
    family: 'placement: the closest instance is missing an attribute',
    owner: ['agent-version-drift', 'missing-attribute'],
    emitter: SERVICE_EVENTS,
    examples: [
      {
        text: 'f202094b-a6f5-480e-bfe6-69442794993f\n2018-04-07 10:40:55 -0700\nservice examples-nginx-5b107b8 was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 333ba941-dd6f-4762-985d-b166b212d795 is missing an attribute required by your task. For more information, see the Troubleshooting section.',
        source: 'https://github.com/pulumi/pulumi-cloud/issues/454',
      },
    ],
  },
  {
    family: 'placement: no container instances in the cluster or capacity provider',
    owner: ['capacity-pending', 'no-instances'],
    emitter: SERVICE_EVENTS,
    examples: [
      {
        text: 'service [mongo-ecs-arbiter](https://eu-west-2.console.aws.amazon.com/ecs/v2/clusters/mongo-ecs-cluster/services/mongo-ecs-arbiter?region=eu-west-2) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
        source: 'https://github.com/jazztong/mongo-ecs-ha-tf/issues/1',
      },
    ],
  },
  {
    family: 'awslogs: the log group does not exist (Docker logging driver, seen through the agent log)',
    owner: ['log-group-missing', null],
    emitter: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html',
    examples: [
      {
        text: '2018-07-17T08:41:11Z [WARN] Managed task [arn:aws:ecs:us-east-1:623124116694:task/b5daebc4-14b6-42a0-baf1-996e119cbeec]: error starting/provisioning container[rdrfappcontainer]; marking its desired status as STOPPED: API error (500): failed to initialize logging driver: ResourceNotFoundException: The specified log group does not exist.\n\tstatus code: 400, request id: 2831992f-899d-11e8-8425-99d434b6599a',
        source: 'https://github.com/muccg/rdrf/issues/617',
      },
    ],
  },
  {
    family: 'ECS Exec: the target is not connected (TargetNotConnectedException)',
    owner: ['ecs-exec-not-ready', null],
    emitter: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommand.html#API_ExecuteCommand_Errors',
    examples: [
      {
        text: 'An error occurred (TargetNotConnectedException) when calling the ExecuteCommand operation: The execute command failed due to an internal error. Try again later.',
        source: 'https://github.com/aws/amazon-ssm-agent/issues/536',
      },
    ],
  },
  {
    family: 'task networking set-up failures (ContainerNetworkingError "container resource provisioning: failed to setup network namespace"): no rule yet',
    owner: ['unrecognised-failure', null],
    emitter: `${AGENT} agent/engine/docker_task_engine.go:2451-2452`,
    examples: [
      {
        text: "2019-06-13T13:55:59Z [WARN] Managed task [arn:aws:ecs:us-east-1:417483828938:task/0a4563d3-ddc4-44ce-9b46-a0cd0eb1d05f]: error starting/provisioning container[~internal~ecs~pause]; marking its desired status as STOPPED: container resource provisioning: failed to setup network namespace: cni setup: invoke eni plugin failed: getInterfaceDeviceName engine: unable to get device with hardware address '02:62:5b:0f:db:fa': engine: device with mac address not found",
        source: 'https://github.com/aws/amazon-ecs-cni-plugins/issues/93',
      },
    ],
  },
  {
    family: 'API errors no footgun owns (ClientException: TaskDefinition not found, invalid family, concurrent revisions)',
    owner: ['unrecognised-failure', null],
    emitter: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html',
    examples: [
      {
        text: 'ClientException: An error occurred (ClientException) when calling the CreateService operation: TaskDefinition not found.',
        source: 'https://github.com/Cloud-CV/EvalAI/issues/2419',
      },
      { text: 'com.amazonaws.services.ecs.model.ClientException: Family contains invalid characters.', source: 'https://github.com/civitaspo/digdag-operator-ecs_task/pull/9' },
    ],
  },
];

describe('message families: every family ECS emits has its owner', () => {
  for (const { family, owner, emitter, examples } of families) {
    for (const example of examples) {
      it(`${family} → ${owner.join('/')} (${emitter})`, async () => {
        const findings = await explainText(example.text);
        expect(findings.map((f) => [f.rule, f.cause])[0], example.source).toEqual(owner);
        if (owner[0] === 'unrecognised-failure') expect(findings).toHaveLength(1);
      });
    }
  }
});
