/**
 * Which rule wins, across the whole catalogue. Texts are verbatim, with sources.
 * The most specific root cause ranks first; a seed rule claims its own generic
 * symptom; a near-miss is not claimed by the wrong rule.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseEvent, explainText } from '../shared/diagnose';
import type { Finding } from '../shared/findings';
import { stoppedTaskEvent } from './fixtures/events';

const cases: { name: string; text: string; source: string; first: [string, string | null]; never?: string[] }[] = [
  {
    name: 'the generic ELB health-check kill is the grace-period seed symptom',
    text: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/demo-Targe-1GXHAH9WXSU9V/8e6d68f88cd88d12).',
    source: 'boltops-tools/ufo docs, "Failed ELB Health Checks Post Deployment"',
    first: ['health-check-grace-period', 'elb-health-check'],
  },
  {
    name: '"No Container Instances were found" is the capacity seed symptom',
    text: 'service (service-name) was unable to reach steady state. Reason: No Container Instances were found in your capacity provider.',
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html',
    first: ['capacity-pending', 'no-instances'],
  },
  {
    name: 'a container asking for more memory than its task is the task-size seed symptom',
    text: "ClientException: The 'memory' setting for container 'worker' is greater than for the task.",
    source: 'https://github.com/pulumi/pulumi-awsx/issues/1220',
    first: ['fargate-task-size', 'container-exceeds-task'],
  },
  {
    name: 'a connection problem reaching CloudWatch Logs is not a missing log group',
    text: 'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed',
    source: 'https://github.com/civiform/civiform/issues/7648',
    first: ['cloudwatch-logs-unreachable', 'network'],
    never: ['log-group-missing'],
  },
  {
    name: 'an ECR connection timeout under the secrets prefix is not a secrets problem',
    text: 'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 172.40.1.94:443: i/o timeout',
    source: 'https://github.com/aws/copilot-cli/issues/5927',
    first: ['image-pull-failure', 'network'],
    never: ['secrets-pull-failure'],
  },
  {
    name: 'an EFS mount failure is neither a start failure nor a pull failure',
    text: "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: Connection timed out' : unsuccessful EFS utils command execution; code: 32",
    source: 'https://github.com/andreav/my-aws-cdk-typescript-constructs/blob/c2cde69b7398597d5a84216ee5507bbb2d08b8bc/Notes.md',
    first: ['efs-mount-failure', 'network'],
    never: ['container-start-failure', 'image-pull-failure', 'secrets-pull-failure'],
  },
  {
    name: 'a secrets denial is the secrets rule, even lower-cased, not the role-confusion rule',
    text: 'Resourceinitializationerror: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::<account id>:assumed-role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJL3T0YT/f83b93a4dc3442a18eaaf8c2a235cd37 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-2:<account id>:parameter/GOOGLE_CLIENT_ID because no identity-based policy allows the ssm:GetParameters action status code: 400, request id: 1adcb55f-f798-4503-b8a3-cd1533290001',
    source: 'https://github.com/aws/copilot-cli/issues/4504',
    first: ['secrets-pull-failure', 'permission'],
    never: ['task-execution-role-confusion'],
  },
  {
    name: "RegisterTaskDefinition's demand for an execution role is the role rule, not a secrets fetch",
    text: "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
    source: 'https://github.com/sil-org/ecs-deploy/issues/180',
    first: ['task-execution-role-confusion', 'execution-role-permissions'],
    never: ['secrets-pull-failure', 'unrecognised-failure'],
  },
  {
    name: "the agent's ECR permission denial under \"pull access denied\" is the execution role, not a missing image",
    text: "CannotPullContainerError: Error response from daemon: pull access denied for 123123123123.dkr.ecr.us-east-1.amazonaws.com/test_image, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::123123123123:assumed-role/BrokenRole/xyz is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:region:123123123123:repository/test_image because no identity-based policy allows the ecr:BatchGetImage action",
    source: 'aws/amazon-ecs-agent agent/api/errormessages/error_messages.go:106-114 (the example it documents)',
    first: ['task-execution-role-confusion', 'execution-role-permissions'],
    never: ['image-pull-failure'],
  },
  {
    name: 'an API error no footgun owns is claimed by no rule: only the generic next step',
    text: 'ClientException: Too many containers.',
    source: 'https://github.com/aws/amazon-ecs-cli/issues/184',
    first: ['unrecognised-failure', null],
  },
  {
    name: 'a stop timeout is not a start failure',
    text: "2017-07-13T18:14:45Z [INFO] DockerTimeoutError for 'docker stop' of container; ignoring state change;  task: rcx-director-task-dev-us-west-2:422 arn:aws:ecs:us-west-2:969204706979:task/0878e08e-c28c-4337-bc94-d13eeda5abf3, Status: (RUNNING->STOPPED) Containers: [rcx-director-task-dev-us-west-2 (RUNNING->STOPPED),], container: rcx-director-task-dev-us-west-2(304872096477.dkr.ecr.us-west-2.amazonaws.com/krp/rcx-director:3.2467) (RUNNING->STOPPED), error: Could not transition to stopped; timed out after waiting 1m0s",
    source: 'https://github.com/aws/amazon-ecs-agent/issues/731',
    first: ['unrecognised-failure', null],
    never: ['container-start-failure', 'image-pull-failure'],
  },
];

const ranked = (findings: Finding[]) => findings.map((f) => [f.rule, f.cause]);

describe('ranking across the catalogue', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const findings = await explainText(c.text);
      expect(ranked(findings)[0]).toEqual(c.first);
      for (const rule of c.never ?? []) expect(findings.map((f) => f.rule)).not.toContain(rule);
    });
  }

  it('a seed rule claiming a generic symptom names the other possible causes', async () => {
    const [finding] = await explainText(cases[0]?.text ?? '');
    expect(finding?.explanation).toMatch(/genuinely unhealthy/);
    expect(finding?.explanation).toMatch(/security group/);
  });

  it('an OOM kill outranks, and replaces, the generic essential-container exit', async () => {
    const event = stoppedTaskEvent({
      // Verbatim: ../shared/reference/ecs-events.md §8.1 and https://github.com/aws/amazon-ecs-agent/issues/1187
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      group: 'service:webserver',
      containers: [{ exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
    });
    const result = await diagnoseEvent(event);
    expect(result.status === 'diagnosed' && ranked(result.findings)).toEqual([['container-oom-killed', 'container-limit']]);
  });

  it.each([
    ['a scale-in or deployment stop', 'Scaling activity initiated by (deployment deployment-id)', '../shared/reference/ecs-events.md §8.1'],
    ['a user stop', 'Task stopped by user', 'https://repost.aws/knowledge-center/ecs-task-stopped'],
  ])('claims nothing for %s', async (_name, text) => {
    expect(await explainText(text)).toEqual([]);
  });
});
