/**
 * Failures as people paste them: inside a log line, a table row, JSON, an SDK
 * exception. Each is found before it is classified, and its surroundings are
 * kept as evidence. Texts are verbatim from the sources beside them.
 */
import { describe, expect, it } from 'vitest';
import { explainText } from '../../shared/diagnose';
import { unwrap } from '../../shared/events/unwrap';

describe('unwrap', () => {
  it('an ECS agent log line: the message without its timestamp and level, the task ARN as a fact and the resource', () => {
    // https://github.com/muccg/rdrf/issues/617
    const pasted =
      '2018-07-17T08:41:11Z [WARN] Managed task [arn:aws:ecs:us-east-1:623124116694:task/b5daebc4-14b6-42a0-baf1-996e119cbeec]: error starting/provisioning container[rdrfappcontainer]; marking its desired status as STOPPED: API error (500): failed to initialize logging driver: ResourceNotFoundException: The specified log group does not exist.\n\tstatus code: 400, request id: 2831992f-899d-11e8-8425-99d434b6599a';
    const { text, facts, resource } = unwrap(pasted);
    expect(text).toMatch(/^Managed task \[arn:aws:ecs:[^\]]+\]: error starting\/provisioning container/);
    expect(text).toContain('The specified log group does not exist. status code: 400');
    expect(facts).toContainEqual({ source: 'input: log timestamp', observed: '2018-07-17T08:41:11Z' });
    expect(facts).toContainEqual({ source: 'input: ARN', observed: 'arn:aws:ecs:us-east-1:623124116694:task/b5daebc4-14b6-42a0-baf1-996e119cbeec' });
    expect(resource).toEqual({ account: '623124116694', region: 'us-east-1', task: 'b5daebc4-14b6-42a0-baf1-996e119cbeec' });
  });

  it("a Docker daemon log line: msg=\"…\" without its escapes", () => {
    // https://github.com/aws/amazon-ecs-agent/issues/739
    const { text, facts } = unwrap('time="2017-03-23T20:05:24.017652552Z" level=error msg="Attempting next endpoint for pull after error: unauthorized: authentication required" ');
    expect(text).toBe('Attempting next endpoint for pull after error: unauthorized: authentication required');
    expect(facts).toContainEqual({ source: 'input: log timestamp', observed: '2017-03-23T20:05:24.017652552Z' });
  });

  it('the JSON failures array of a RunTask answer: each reason, with its ARN as the resource', () => {
    // https://github.com/aws/amazon-ecs-agent/issues/375
    const { text, resource } = unwrap('{"Failures":[{"Arn":"arn:aws:ecs:us-west-2:763396238289:container-instance/eab7ed01-13fa-4280-a8f9-f5e48855e13e","Reason":"AGENT"}],"Tasks":[]}');
    expect(text).toBe('AGENT');
    expect(resource).toEqual({ account: '763396238289', region: 'us-west-2', containerInstance: 'eab7ed01-13fa-4280-a8f9-f5e48855e13e' });
  });

  it('a fragment of describe-tasks JSON', () => {
    // https://github.com/transcom/mymove/pull/11213
    const { text } = unwrap('                    "exitCode": 137,\n                    "reason": "OutOfMemoryError: Container killed due to memory usage",\n                    "networkBindings": [],');
    expect(text).toBe('OutOfMemoryError: Container killed due to memory usage');
  });

  it('a console table row and a status column', () => {
    // https://github.com/Rayraegah/terraform-aws-hasura/issues/25, https://github.com/aws/amazon-ecs-cli/issues/194
    expect(unwrap('Status reason | CannotStartContainerError: Error response from daemon: failed to initialize logging driver').text).toBe(
      'CannotStartContainerError: Error response from daemon: failed to initialize logging driver',
    );
    expect(unwrap('STOPPED (CannotCreateContainerError: API error (500): Untar)').text).toBe('CannotCreateContainerError: API error (500): Untar)');
  });

  it("botocore's ClientError: the exception name and message, the operation as a fact", () => {
    // https://github.com/fabfuel/ecs-deploy/issues/87
    const { text, facts } = unwrap(
      "botocore.errorfactory.ClientException: An error occurred (ClientException) when calling the RegisterTaskDefinition operation: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
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

  it("a CloudFormation status reason, and the stopped task's reason printed after it", () => {
    // https://github.com/aws/aws-cdk-cli/pull/1505 (cdk deploy output, wrapped by the terminal)
    const pasted =
      "Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.\" (RequestToken: 0701da14-c43f-de88-2bc4-5819eb5dd2b8, HandlerErrorCode: GeneralServiceException)\n\n   Task stopped: CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 229816860325.dkr.ecr.us-east-1.amazonaws.com/cdk-hnb659fds-container-assets-229816860325-us-east-1:nonexistent-tag-that-does-not-exist: unexpected status from HEAD request to https://229816860325.dkr.ecr.us-east-1.amazonaws.com/v2/cdk-hnb659fds-container-assets-229816860325-us-east-1/manifests/nonexistent-tag-that-does-not-exist: 403 Forbidden";
    const { text, facts } = unwrap(pasted);
    expect(text.split('\n')[0]).toBe("Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.");
    expect(text).toContain('CannotPullContainerError: pull image manifest');
    expect(facts).toContainEqual({ source: 'input: CloudFormation request token', observed: '0701da14-c43f-de88-2bc4-5819eb5dd2b8' });
  });

  it('a plain failure text is left as it is', () => {
    const text = 'CannotPullContainerError: Error response from daemon: net/http: request canceled';
    expect(unwrap(text)).toEqual({ text, facts: [], resource: {} });
  });
});

describe('explain on wrapped texts', () => {
  it('classifies the failure inside and keeps the surrounding facts as evidence', async () => {
    // https://github.com/aws/amazon-ecs-agent/issues/375
    const [finding] = await explainText('{"Failures":[{"Arn":"arn:aws:ecs:us-west-2:763396238289:container-instance/eab7ed01-13fa-4280-a8f9-f5e48855e13e","Reason":"AGENT"}],"Tasks":[]}');
    expect([finding?.rule, finding?.cause]).toEqual(['agent-version-drift', 'agent-disconnected']);
    expect(finding?.resource.containerInstance).toBe('eab7ed01-13fa-4280-a8f9-f5e48855e13e');
    expect(finding?.evidence).toContainEqual({
      source: 'input: failure arn',
      observed: 'arn:aws:ecs:us-west-2:763396238289:container-instance/eab7ed01-13fa-4280-a8f9-f5e48855e13e',
    });
  });

  it('a reason cut off mid-word in a console row still classifies when its family is clear', async () => {
    // https://github.com/cn-terraform/terraform-aws-ecs-fargate-task-definition/issues/1
    const findings = await explainText(
      'Status reason\tCannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. status code: 400, request id: 7463029c-9f12-4e3f-b914-f',
    );
    expect(findings[0]?.rule).toBe('log-group-missing');
  });
});
