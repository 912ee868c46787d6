import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Snapshot } from '../../shared/reader/snapshot';
import { snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/secrets-pull-failure';
import { stoppedTaskEvent, SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

// Every text below is quoted verbatim from its source.
const ASM_DENIED =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:<ID REDACTED>:secret:ReportWriter_ADC_DB from secrets manager: AccessDeniedException: User: arn:aws:sts::<ID REDACTED>:assumed-role/streamlit-sample-test-front-end-ExecutionRole-qXmoAXceH13T/a7438eb04296469cbb925934135fa489 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:<ID REDACTED>:secret:ReportWriter_ADC_DB because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: 53f8285a-ebbf-4208-8358-c011a9c0a9fc';
const ASM_DENIED_SOURCE =
  'https://github.com/aws/copilot-cli/issues/5752 (the fixed-width line wraps of copilot\'s terminal output joined)';
const SSM_DENIED_LOWERCASE_I =
  'Resourceinitializationerror: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::<account id>:assumed-role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJL3T0YT/f83b93a4dc3442a18eaaf8c2a235cd37 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-2:<account id>:parameter/GOOGLE_CLIENT_ID because no identity-based policy allows the ssm:GetParameters action status code: 400, request id: 1adcb55f-f798-4503-b8a3-cd1533290001';
const EC2_SSM_DENIED =
  'Fetching secret data from SSM Parameter Store in ap-northeast-1: AccessDeniedException: \nUser: arn:aws:sts::xxxxxxxxxxxx:assumed-role/NewRelicECSIntegration-Ne-NewRelicECSTaskExecution-xxxxxxxxxxxx/xxxxxxxxxxxx \nis not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:ap-northeast-1:xxxxxxxxxxxx:parameter/aws/reference/secretsmanager/NewRelicLicenseKeySecret-xxxxxxxxxxxx \nstatus code: 400, request id: xxxxxxxxxxxxxx';
const KMS =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-central-1:account_id:secret:algo-dev-directus-secret20240626183203358800000004-EaPYTy from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400, request id: a87a66d9-f839-4353-b8c2-9984b1465695';
const ASM_TIMEOUT =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-west-2:*:secret:DBPasswordSecret-* from secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.';
const SSM_TIMEOUT =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.';
const SSM_TIMEOUT_SOURCE = 'https://github.com/hashicorp/terraform-provider-aws/issues/33044';

ruleTester(rule, {
  invalid: [
    {
      name: 'Fargate, Secrets Manager AccessDenied',
      text: ASM_DENIED,
      source: ASM_DENIED_SOURCE,
      cause: 'permission',
      fixIncludes: ['aws iam put-role-policy', 'secretsmanager:GetSecretValue'],
    },
    {
      name: 'Fargate, SSM AccessDenied, "Resourceinitializationerror" casing',
      text: SSM_DENIED_LOWERCASE_I,
      source: 'https://github.com/aws/copilot-cli/issues/4504',
      cause: 'permission',
      fixIncludes: ['ssm:GetParameters'],
    },
    {
      name: 'truncated by ECS after "AccessDeniedException: User: ...."',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: ....',
      source: 'https://github.com/aws/copilot-cli/issues/3104',
      cause: 'permission',
    },
    {
      name: 'EC2 agent, SSM AccessDenied: role and Region from the text; a Secrets Manager reference path stays SSM',
      text: EC2_SSM_DENIED,
      source: 'https://github.com/newrelic/nri-ecs/issues/10',
      cause: 'permission',
      fixIncludes: ['--role-name NewRelicECSIntegration-Ne-NewRelicECSTaskExecution-xxxxxxxxxxxx', 'ssm:GetParameters', '<parameter-arn>'],
    },
    {
      name: 'EC2 agent, placeholders from a bug report',
      text: 'Fetching secret data from SSM Parameter Store in {REGION}: AccessDeniedException: User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{...}/9e05ad12-2574-47a3-b48f-3a2244770318 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:{REGION}:{ACCOUNT_ID}:parameter/{PARAMETER_NAME} status code: 400, request id: 787934d9-56ba-4a43-9e60-4f05a950a90e',
      source: 'https://github.com/aws/aws-cdk/issues/3529',
      cause: 'permission',
    },
    {
      name: 'KMS: "Access to KMS is not allowed"',
      text: KMS,
      source: 'https://github.com/GiamPy5/terraform-aws-directus/issues/10',
      cause: 'kms',
      fixIncludes: ['kms:Decrypt', '--region eu-central-1', 'get-key-policy'],
    },
    {
      name: 'Secrets Manager timeout (security group egress), "retried 5 time(s)"',
      text: ASM_TIMEOUT,
      source: 'https://github.com/Releem/releem-agent/issues/195',
      cause: 'network',
      fixIncludes: ['com.amazonaws.us-west-2.secretsmanager'],
    },
    {
      name: 'the same, lower-cased by a log pipeline',
      text: ASM_TIMEOUT.toLowerCase(),
      source: 'https://github.com/Releem/releem-agent/issues/195',
      cause: 'network',
    },
    {
      name: 'SSM timeout in a stopped task event: Region and subnet come from the event',
      event: stoppedTaskEvent({ stoppedReason: SSM_TIMEOUT, stopCode: 'TaskFailedToStart', group: 'service:webserver' }),
      source: SSM_TIMEOUT_SOURCE,
      cause: 'network',
      fixIncludes: ['com.amazonaws.us-east-1.ssm', '--subnet-ids subnet-0d0eab1bb38d5ca64'],
    },
    {
      name: 'current wording: "connection issue between the task and AWS Secrets Manager"',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager.',
      source: 'https://github.com/jaafar-benabderrazak/ca_a2a FIX_ECS_SECRETS_MANAGER.md (its three-line code block joined)',
      cause: 'network',
    },
    {
      name: 'EC2 agent, DNS cannot resolve the Secrets Manager endpoint',
      text: 'Fetching secret data from AWS Secrets Manager in region us-east-1: secret arn:aws:secretsmanager:us-east-1:<Acctnumber>:secret:secretname-1aBCDe: RequestError: send request failed caused by: Post https://secretsmanager.us-east-1.amazonaws.com/: dial tcp: lookup secretsmanager.us-east-1.amazonaws.com on 10.7.166.253:53: no such host',
      source: 'https://github.com/awsdocs/amazon-ecs-developer-guide/issues/110',
      cause: 'network',
      fixIncludes: ['com.amazonaws.us-east-1.secretsmanager'],
    },
    {
      name: 'EC2 agent, secret not found (documented form)',
      text: "Fetching secret data from AWS Secrets Manager in region {{region}}: secret {{sercretARN}}: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-not-found-error.html',
      cause: 'not-found',
      fixIncludes: ['aws secretsmanager describe-secret'],
    },
    {
      name: 'current agent wording for a missing secret (documented heading)',
      text: "The task can't retrieve the secret with ARN '{{sercretARN}}' from AWS Secrets Manager. Check whether the secret exists in the specified Region.",
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-not-found-error.html',
      cause: 'not-found',
    },
    {
      name: 'secret value is not valid JSON',
      text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): invalid character '\\'' looking for beginning of value",
      source: 'https://github.com/rileydakota/valheim-ecs-fargate-cdk/issues/9',
      cause: 'invalid-json',
      fixIncludes: ['aws secretsmanager get-secret-value'],
    },
    {
      name: 'truncated before the cause: the generic checklist, naming every cause',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-2:788375279931...',
      source: 'https://github.com/GovWifi/govwifi-terraform/pull/450',
      cause: null,
      explanationIncludes: ['kms:Decrypt', 'cannot reach Secrets Manager', 'does not exist'],
      fixIncludes: ['com.amazonaws.eu-west-2.secretsmanager'],
    },
    {
      name: 'truncated after "retried 1 time..."',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time...',
      source: 'https://github.com/aws/copilot-cli/issues/2095',
      cause: null,
    },
  ],
  valid: [
    {
      name: 'ECR registry auth timeout under the same prefix (image-pull-failure)',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr..amazonaws.com/": dial tcp …443: i/o timeout. Please check your task network configuration.',
      source: 'https://www.repost.aws/fr/knowledge-center/ecs-unable-to-pull-secrets (message quoted in English)',
    },
    {
      name: 'ECR connection issue under the same prefix (image-pull-failure)',
      text: 'unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. … dial tcp …:443: i/o timeout',
      source: '../shared/reference/ecs-events.md §8.4',
    },
    {
      name: 'private registry credentials from Secrets Manager (repositoryCredentials, image-pull-failure)',
      text: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 5 time(s): asm fetching secret from the service for ...',
      source: 'https://github.com/aws-samples/keycloak-on-aws/issues/222',
    },
    {
      name: 'environment file download timeout (S3, not secrets)',
      text: 'ResourceInitializationError: failed to download env files: file download command: non-empty error stream: RequestCanceled: request context cancelled caused by: context deadline exceeded',
      source: 'https://github.com/aws/aws-cdk/issues/12720',
    },
    {
      name: 'the application itself denied ssm:GetParameters (task role, not the secrets fetch)',
      text: 'An error occurred (AccessDeniedException) when calling the GetParameters operation: User: arn:aws:sts::845828040396:assumed-role/ecs-service-hacko-integration-2017Emergency-1OUW82E58RBC1/047bdf30-0a11-4fa5-a26e-29beb6005c60 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-west-2:845828040396:parameter/production/2017/API/emergency-service/POSTGRES_PASSWORD',
      source: 'https://github.com/hackoregon/civic-devops/issues/252',
    },
    {
      name: 'missing log group',
      text: 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
      source: '../shared/reference/ecs-events.md §8.4',
    },
    {
      name: 'EFS mount failure',
      text: 'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection reset by peer : unsuccessful EFS utils command execution; code: 32',
      source: 'https://github.com/docker-archive/compose-cli/issues/1490',
    },
  ],
});

const executionRoleArn = 'arn:aws:iam::123456789012:role/streamlit-sample-test-front-end-ExecutionRole-qXmoAXceH13T';

function taskDefinitionWith(secrets: { name: string; valueFrom: string }[]): NonNullable<Snapshot['ecs:DescribeTaskDefinition']>[number] {
  return {
    input: { taskDefinition: taskDefinitionArn },
    output: {
      taskDefinition: {
        taskDefinitionArn,
        family: 'webserver',
        executionRoleArn,
        containerDefinitions: [{ name: 'web', image: 'nginx', secrets }],
      },
    },
  };
}

function firstFinding(result: Awaited<ReturnType<typeof diagnoseEvent>>) {
  const [finding] = result.status === 'diagnosed' ? result.findings : [];
  return finding;
}

describe('secrets-pull-failure investigation', () => {
  const deniedEvent = stoppedTaskEvent({ stoppedReason: ASM_DENIED, stopCode: 'TaskFailedToStart', group: 'service:webserver' });

  it('fills the redacted role and ARN from the task definition, and flags a secret from another Region', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        taskDefinitionWith([
          { name: 'ADC_READER', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ReportWriter_ADC_DB' },
          { name: 'LEGACY_TOKEN', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-token-Ab12Cd' },
        ]),
      ],
    });
    const finding = firstFinding(await diagnoseEvent(deniedEvent, reader, [rule]));
    expect(finding?.cause).toBe('permission');
    expect(finding?.fix).toContain('--role-name streamlit-sample-test-front-end-ExecutionRole-qXmoAXceH13T');
    // The task definition names the secret without its random suffix: the policy must match any suffix.
    expect(finding?.fix).toContain('arn:aws:secretsmanager:us-east-1:123456789012:secret:ReportWriter_ADC_DB-??????');
    expect(finding?.fix).toContain('arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-token-Ab12Cd');
    expect(finding?.evidence).toContainEqual({
      source: 'ecs:DescribeTaskDefinition',
      observed: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-token-Ab12Cd is in eu-west-1; the task runs in us-east-1',
    });
    expect(finding?.explanation).toContain('LEGACY_TOKEN comes from another Region');
    expect(finding?.unchecked.map((u) => u.reason)).toEqual(['the reader has no IAM or KMS operations yet']);
  });

  it('finds the VPC and the missing endpoint for a network failure', async () => {
    const event = stoppedTaskEvent({ stoppedReason: SSM_TIMEOUT, stopCode: 'TaskFailedToStart', group: 'service:webserver' });
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        taskDefinitionWith([{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/webserver/DB_URL' }]),
      ],
      'ec2:DescribeSubnets': [
        {
          input: { SubnetIds: ['subnet-0d0eab1bb38d5ca64'] },
          output: { Subnets: [{ SubnetId: 'subnet-0d0eab1bb38d5ca64', VpcId: 'vpc-0e1f2a3b4c5d6e7f8', MapPublicIpOnLaunch: false }] },
        },
      ],
      'ec2:DescribeVpcEndpoints': [
        {
          input: {
            Filters: [
              { Name: 'vpc-id', Values: ['vpc-0e1f2a3b4c5d6e7f8'] },
              { Name: 'service-name', Values: ['com.amazonaws.us-east-1.ssm'] },
            ],
          },
          output: { VpcEndpoints: [] },
        },
      ],
    });
    const finding = firstFinding(await diagnoseEvent(event, reader, [rule]));
    expect(finding?.cause).toBe('network');
    expect(finding?.fix).toContain(
      'aws ec2 create-vpc-endpoint --vpc-id vpc-0e1f2a3b4c5d6e7f8 --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.ssm --subnet-ids subnet-0d0eab1bb38d5ca64',
    );
    expect(finding?.evidence).toContainEqual({ source: 'ec2:DescribeVpcEndpoints', observed: 'vpc-0e1f2a3b4c5d6e7f8 has no com.amazonaws.us-east-1.ssm endpoint' });
    expect(finding?.unchecked).toEqual([]);
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
    const finding = firstFinding(await diagnoseEvent(deniedEvent, reader, [rule]));
    expect(finding?.cause).toBe('permission');
    expect(finding?.fix).toContain('--role-name <task-execution-role>');
    expect(finding?.unchecked).toContainEqual({
      check: "the task definition's secrets and execution role",
      reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTaskDefinition',
    });
  });
});
