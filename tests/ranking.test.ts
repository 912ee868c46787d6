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
