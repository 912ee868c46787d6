/**
 * Failures as people paste them: inside a log line, a table row, JSON, an SDK
 * exception. Each is found before it is classified, and its surroundings are
 * kept as evidence. Texts are verbatim from the sources beside them, none of
 * them from the real-text corpus (tests/fixtures/real-texts), which must stay
 * uncited to measure generalization.
 */
import { describe, expect, it } from 'vitest';
import { explainText } from '../../shared/diagnose';
import { UNWRAP_MAX_CHARS, unwrap } from '../../shared/events/unwrap';

describe('unwrap', () => {
  it('an ECS agent log line: the message without its timestamp and level, the task ARN as a fact and the resource', () => {
    // https://github.com/aws/amazon-ecs-agent/issues/1872
    const pasted =
      '2019-03-19T03:34:31Z [INFO] Managed task [arn:aws:ecs:ap-southeast-2:030240982787:task/1c5fba77-053e-44ad-b6a8-226405286f76]: wait over; ready to move towards status: RUNNING';
    const { text, facts, resource } = unwrap(pasted);
    expect(text).toBe('Managed task [arn:aws:ecs:ap-southeast-2:030240982787:task/1c5fba77-053e-44ad-b6a8-226405286f76]: wait over; ready to move towards status: RUNNING');
    expect(facts).toContainEqual({ source: 'input: log timestamp', observed: '2019-03-19T03:34:31Z' });
    expect(facts).toContainEqual({ source: 'input: ARN', observed: 'arn:aws:ecs:ap-southeast-2:030240982787:task/1c5fba77-053e-44ad-b6a8-226405286f76' });
    expect(resource).toEqual({ account: '030240982787', region: 'ap-southeast-2', task: '1c5fba77-053e-44ad-b6a8-226405286f76' });
  });

  it('a Docker daemon line from the journal: msg="…" without the syslog prefix', () => {
    // https://gist.github.com/WillNilges/718a26d0da00991801625e9fb691fc23
    const { text, facts } = unwrap(
      'Nov 04 14:47:28 minikube dockerd[381]: time="2020-11-04T14:47:28.454566995Z" level=info msg="Attempting next endpoint for pull after error: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"',
    );
    expect(text).toBe(
      'Attempting next endpoint for pull after error: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    );
    expect(facts).toContainEqual({ source: 'input: log timestamp', observed: '2020-11-04T14:47:28.454566995Z' });
  });

  it('a describe-services JSON fragment: the message, unescaped', () => {
    // https://github.com/hackforla/CivicTechJobs/issues/436
    const { text } = unwrap(
      '                    "message": "(service civictechjobs-fullstack-stage) (port 8000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-west-2:035866691871:targetgroup/civictechjobs-fullstack-stage/555a47e25c5a1850) due to (reason Health checks failed)."\n                },',
    );
    expect(text).toBe(
      '(service civictechjobs-fullstack-stage) (port 8000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-west-2:035866691871:targetgroup/civictechjobs-fullstack-stage/555a47e25c5a1850) due to (reason Health checks failed).',
    );
  });

  it('a whole JSON document: every reason in it, each ARN a fact', () => {
    // The Failure shape of https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Failure.html, with the reason of api_failures_messages.html
    const { text, facts } = unwrap('{"failures": [{"arn": "arn:aws:ecs:us-east-1:111122223333:container-instance/default/0b69d5c0d3b44a4b8d2f3a5a2c7e6f1c", "reason": "AGENT"}], "tasks": []}');
    expect(text).toBe('AGENT');
    expect(facts).toContainEqual({ source: 'input: failure arn', observed: 'arn:aws:ecs:us-east-1:111122223333:container-instance/default/0b69d5c0d3b44a4b8d2f3a5a2c7e6f1c' });
  });

  it('a console table row and a status column', () => {
    // https://github.com/aws/amazon-ecs-agent/issues/3021, https://github.com/aws/amazon-ecs-agent/issues/1430
    expect(
      unwrap(
        'Status reason | CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: container init was OOM-killed (memory limit too low?): unknown',
      ).text,
    ).toBe('CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: container init was OOM-killed (memory limit too low?): unknown');
    expect(unwrap('STOPPED (Task failed to start)').text).toBe('Task failed to start)');
  });

  it("botocore's ClientError: the exception name and message, the operation as a fact", () => {
    // https://github.com/sil-org/ecs-deploy/issues/180
    const { text, facts } = unwrap(
      "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
    );
    expect(text).toBe("ClientException: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.");
    expect(facts).toContainEqual({ source: 'input: API operation', observed: 'RegisterTaskDefinition' });
  });

  it("the Java SDK's exception: the message without the (Service: …; Request ID: …) tail, the request id as a fact", () => {
    // https://github.com/jenkinsci/amazon-ecs-plugin/issues/218
    const { text, facts } = unwrap(
      'com.amazonaws.services.ecs.model.PlatformUnknownException: The specified platform does not exist. (Service: AmazonECS; Status Code: 400; Error Code: PlatformUnknownException; Request ID: 85e28d0a-49f5-484e-8f5f-e7c2eddb329c; Proxy: null)',
    );
    expect(text).toBe('PlatformUnknownException: The specified platform does not exist.');
    expect(facts).toContainEqual({ source: 'input: request id', observed: '85e28d0a-49f5-484e-8f5f-e7c2eddb329c' });
  });

  it('a CloudFormation status reason, wrapped across lines and cut short: the message inside', () => {
    // https://github.com/towardsthecloud/aws-cdk-examples/issues/1
    const { text } = unwrap(
      'Resource handler returned message: "Invalid request provided: Create TaskDefinition: No Fargate configuration exists for given values: 512 CPU\n, 512 memory. See the Amazon ECS documentation for the valid values. (Service: AmazonECS; Status Code: 400; Error Code: ClientException; Reque',
    );
    expect(text).toContain('No Fargate configuration exists for given values: 512 CPU , 512 memory.');
  });

  it('a plain failure text is left as it is', () => {
    const text = 'CannotPullContainerError: Error response from daemon: net/http: request canceled';
    expect(unwrap(text)).toEqual({ text, facts: [], resource: {} });
  });
});

describe('explain on wrapped texts', () => {
  it('classifies the failure inside and keeps the surrounding facts as evidence and resource', async () => {
    const [finding] = await explainText('{"failures": [{"arn": "arn:aws:ecs:us-east-1:111122223333:container-instance/default/0b69d5c0d3b44a4b8d2f3a5a2c7e6f1c", "reason": "AGENT"}], "tasks": []}');
    expect([finding?.rule, finding?.cause]).toEqual(['agent-version-drift', 'agent-disconnected']);
    expect(finding?.resource).toMatchObject({ cluster: 'default', containerInstance: '0b69d5c0d3b44a4b8d2f3a5a2c7e6f1c', region: 'us-east-1' });
    expect(finding?.evidence).toContainEqual({
      source: 'input: failure arn',
      observed: 'arn:aws:ecs:us-east-1:111122223333:container-instance/default/0b69d5c0d3b44a4b8d2f3a5a2c7e6f1c',
    });
  });

  it('a reason in a console row still classifies', async () => {
    // https://github.com/aws/amazon-ecs-agent/issues/3021
    const findings = await explainText(
      'Status reason | CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: container init was OOM-killed (memory limit too low?): unknown',
    );
    expect(findings[0]?.rule).toBe('container-oom-killed');
  });

  it('cuts a runaway paste before any pattern runs, says so, and still classifies its start', async () => {
    const huge = `CannotPullContainerError: pull image manifest has been retried 5 time(s): ${'A'.repeat(20 * 1024 * 1024)}`;
    const { text, facts } = unwrap(huge);
    expect(text.length).toBeLessThanOrEqual(UNWRAP_MAX_CHARS);
    expect(facts).toContainEqual({ source: 'input', observed: `cut to its first ${UNWRAP_MAX_CHARS} of ${huge.length} characters` });
    expect((await explainText(huge))[0]?.rule).toBe('image-pull-failure');
  });
});
