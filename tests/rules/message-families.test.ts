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
        text: 'time="2018-08-30T03:58:30.989044052Z" level=error msg="Not continuing with pull after error: errors:\\ndenied: requested access to the resource is denied\\nunauthorized: authentication required\\n"',
        source: 'https://github.com/aws/amazon-ecs-agent/issues/1552 (the Docker daemon log of an ECS instance, private Docker Hub image)',
      },
    ],
  },
  {
    family: 'ECR answering 403 Forbidden: the execution role',
    owner: ['task-execution-role-confusion', 'execution-role-permissions'],
    emitter: PULL_DOC,
    examples: [
      {
        text: 'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789123.dkr.ecr.us-east-1.amazonaws.com/a2-ecr-app-repo:latest: pulling from host 123456789123.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests latest]: 403 Forbidden',
        source: 'https://github.com/aws/aws-cdk/issues/29876',
      },
    ],
  },
  {
    family: 'container runtime errors without a known reason: CannotCreateContainerError, CannotStartContainerError, CannotInspectContainerError',
    owner: ['container-start-failure', null],
    emitter: `${AGENT} agent/dockerclient/dockerapi/errors.go:218-257`,
    examples: [
      {
        text: 'Essential container in task exited - CannotInspectContainerError: Could not transition to inspecting; timed out after waiting 30s',
        source: 'seqeralabs/docs platform-enterprise_docs/troubleshooting_and_faqs/aws_troubleshooting.md ("CannotInspectContainerError")',
      },
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
        text: 'OutOfMemoryError: Container killed due to memory usage',
        source: 'https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html (../shared/reference/ecs-events.md §8.1)',
      },
      {
        text: '2018-10-24T16:25:53Z [INFO] DockerGoClient: process within container db09e0887a0d3450ed9025319121451e32e805a15863f965166fd37eebc99486 (name: "ecs-intel-bc-demo-60-intel-bc-quorum-a8b5ae84e8c197b30200") died due to OOM',
        source: 'https://github.com/aws/amazon-ecs-agent/issues/1645 (agent log)',
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
        text: "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
        source: 'https://github.com/sil-org/ecs-deploy/issues/180',
      },
    ],
  },
  {
    family: 'RegisterTaskDefinition ClientException "Role is not valid": which role and why is not in the text',
    owner: ['task-execution-role-confusion', null],
    emitter: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#API_RegisterTaskDefinition_Errors',
    examples: [
      {
        text: 'An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Role is not valid',
        source: 'https://github.com/aws-samples/aws-modern-application-workshop/issues/9',
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
        text: 'com.amazonaws.services.ecs.model.PlatformTaskDefinitionIncompatibilityException: One or more of the requested capabilities are not supported. (Service: AmazonECS; Status Code: 400; Error Code: PlatformTaskDefinitionIncompatibilityException; Request ID: 5ff3e9f4-792e-417d-be96-8e25dd5bb108; Proxy: null)',
        source: 'https://github.com/jenkinsci/amazon-ecs-plugin/issues/218',
      },
    ],
  },
  {
    family: 'RunTask/StartTask failures[] reason AGENT: the instance agent is disconnected',
    owner: ['agent-version-drift', 'agent-disconnected'],
    emitter: API_FAILURES,
    examples: [
      {
        text: 'TaskFailedToStart: AGENT',
        source: API_FAILURES,
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
        text: 'service [hexo-discord-diffusion-prod] was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
        source: 'https://github.com/aws-samples/amazon-scalable-infra-discord-diffusion/issues/3',
      },
    ],
  },
  {
    family: 'awslogs: the log group does not exist (Docker logging driver, seen through the agent log)',
    owner: ['log-group-missing', null],
    emitter: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html',
    examples: [
      {
        text: 'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist',
        source: 'https://github.com/cn-terraform/terraform-aws-nexus/issues/35',
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
        source: 'https://github.com/aws-containers/amazon-ecs-exec-checker/issues/43',
      },
    ],
  },
  {
    family: 'task networking set-up failures (ContainerNetworkingError "container resource provisioning: failed to setup network namespace"): no rule yet',
    owner: ['unrecognised-failure', null],
    emitter: `${AGENT} agent/engine/docker_task_engine.go:2451-2452`,
    examples: [
      {
        text: 'level=warn time=2023-08-17T01:40:54Z msg="Error starting/provisioning container[%s (Runtime ID: %s)];" runtimeID="420016e20e00ec2f72aa54fc685d96002ce3cf40db7d9535d38df97edf21b822" error="container resource provisioning: failed to setup network namespace: route ip+net: no such network interface\\nadd network failed\\ngithub.com/aws/amazon-ecs-agent/agent/ecscni.(*cniClient).setupNS\\n\\t/tmp/tmp.8ztO5SAeG9/src/github.com/aws/amazon-ecs-agent/agent/ecscni/plugin_linux.go:68',
        source: 'https://github.com/aws/amazon-ecs-agent/issues/3853 (structured agent log, cut short)',
      },
    ],
  },
  {
    family: 'API errors no footgun owns (e.g. ClientException: Too many containers)',
    owner: ['unrecognised-failure', null],
    emitter: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html',
    examples: [
      { text: 'ClientException: Too many containers.', source: 'https://github.com/aws/amazon-ecs-cli/issues/184' },
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
