import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../cli/scenarios';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Snapshot, SnapshotEntry } from '../../shared/reader/snapshot';
import { snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/secrets-pull-failure';
import { keyPolicyAccess } from '../../shared/rules/secrets-pull-failure/key-policy';
import { SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn, sampleTaskDefinition, stoppedTaskEvent } from '../fixtures/events';
import { ownedPolicyName } from '../../shared/facts/iam';
import { ruleTester } from '../rule-tester';
import { countingReader } from '../support/counting-reader';

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

function taskDefinitionWith(secrets: { name: string; valueFrom: string }[]): SnapshotEntry {
  return sampleTaskDefinition({ executionRoleArn, containerDefinitions: [{ name: 'web', image: 'nginx', secrets }] });
}

const subnetOfSample = 'subnet-0d0eab1bb38d5ca64';
/** A private subnet: its own route table has only the local route. */
const privateRoute: Snapshot = {
  'ec2:DescribeSubnets': [
    {
      input: { SubnetIds: [subnetOfSample] },
      output: { Subnets: [{ SubnetId: subnetOfSample, VpcId: 'vpc-0e1f2a3b4c5d6e7f8', MapPublicIpOnLaunch: false }] },
    },
  ],
  'ec2:DescribeRouteTables': [
    {
      input: { Filters: [{ Name: 'association.subnet-id', Values: [subnetOfSample] }] },
      output: {
        RouteTables: [
          {
            RouteTableId: 'rtb-0a1b2c3d4e5f60718',
            VpcId: 'vpc-0e1f2a3b4c5d6e7f8',
            Associations: [{ Main: false, RouteTableAssociationId: 'rtbassoc-0f1e2d3c4b5a69788', RouteTableId: 'rtb-0a1b2c3d4e5f60718', SubnetId: subnetOfSample }],
            Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }],
          },
        ],
      },
    },
  ],
};

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
    // The secret in another Region is not looked up; the rest is missing from this snapshot.
    expect(finding?.unchecked).toContainEqual({
      check: 'the KMS key of arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-token-Ab12Cd',
      reason: 'it is in eu-west-1; the bot reads us-east-1 only',
    });
    expect(finding?.unchecked.filter((u) => !u.reason.startsWith('NotInSnapshot') && !u.reason.startsWith('it is in'))).toEqual([]);
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
      ...privateRoute,
      'ec2:DescribeVpcEndpoints': [{ input: { Filters: [{ Name: 'vpc-id', Values: ['vpc-0e1f2a3b4c5d6e7f8'] }] }, output: { VpcEndpoints: [] } }],
    });
    const finding = firstFinding(await diagnoseEvent(event, reader, [rule]));
    expect(finding?.cause).toBe('network');
    expect(finding?.fix).toContain(
      'aws ec2 create-vpc-endpoint --vpc-id vpc-0e1f2a3b4c5d6e7f8 --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.ssm --subnet-ids subnet-0d0eab1bb38d5ca64',
    );
    expect(finding?.evidence).toContainEqual({ source: 'ec2:DescribeVpcEndpoints', observed: 'vpc-0e1f2a3b4c5d6e7f8 has no com.amazonaws.us-east-1.ssm endpoint' });
    expect(finding?.evidence).toContainEqual({ source: 'ec2:DescribeRouteTables', observed: 'rtb-0a1b2c3d4e5f60718: no 0.0.0.0/0 route' });
    expect(finding?.explanation).toContain('has no route out (no 0.0.0.0/0 route) and vpc-0e1f2a3b4c5d6e7f8 has no com.amazonaws.us-east-1.ssm endpoint');
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

const role = 'arn:aws:iam::123456789012:role/app-execution-role';
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const rootStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };

describe('key policy evaluation for kms:Decrypt', () => {
  it('allows through a statement naming the role', () => {
    const named = { Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: [role] }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' };
    expect(keyPolicyAccess(policy(rootStatement, named), role)).toEqual({ access: 'allowed', statement: 'Allow use of the key' });
  });

  it('delegates to IAM through the account root, in ARN or bare account form', () => {
    expect(keyPolicyAccess(policy(rootStatement), role)).toEqual({ access: 'delegated', statement: 'Enable IAM User Permissions', conditional: [] });
    const bare = { Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'kms:*', Resource: '*' };
    expect(keyPolicyAccess(policy(bare), role)).toMatchObject({ access: 'delegated', statement: 'statement 1' });
  });

  it('does not delegate for another account\'s root', () => {
    const other = { ...rootStatement, Principal: { AWS: 'arn:aws:iam::111122223333:root' } };
    expect(keyPolicyAccess(policy(other), role)).toEqual({ access: 'not-allowed', staleIds: [] });
  });

  it('says when nothing allows the role, naming principals left as ids by deleted roles', () => {
    const stale = { Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: 'AROAEXAMPLEID12345678' }, Action: 'kms:Decrypt', Resource: '*' };
    expect(keyPolicyAccess(policy(stale), role)).toEqual({ access: 'not-allowed', staleIds: ['AROAEXAMPLEID12345678'] });
    const encryptOnly = { Effect: 'Allow', Principal: { AWS: role }, Action: ['kms:Encrypt', 'kms:GenerateDataKey*'], Resource: '*' };
    expect(keyPolicyAccess(policy(encryptOnly), role).access).toBe('not-allowed');
  });

  it('lets an unconditional Deny win over any Allow, and matches NotAction and wildcards', () => {
    const deny = { Sid: 'DenyEveryoneElse', Effect: 'Deny', Principal: '*', NotAction: ['kms:Encrypt'], Resource: '*' };
    expect(keyPolicyAccess(policy(rootStatement, deny), role)).toEqual({ access: 'denied', statement: 'DenyEveryoneElse' });
    const wildcard = { Effect: 'Allow', Principal: { AWS: role }, Action: 'kms:De*', Resource: '*' };
    expect(keyPolicyAccess(policy(wildcard), role).access).toBe('allowed');
  });

  it('reports "*" with conditions (and NotPrincipal) as conditional, unchecked', () => {
    const viaService = {
      Sid: 'Allow access through Secrets Manager',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    };
    expect(keyPolicyAccess(policy(viaService), role)).toEqual({ access: 'conditional', statements: ['Allow access through Secrets Manager'] });
    const notPrincipal = { Sid: 'DenyAllBut', Effect: 'Deny', NotPrincipal: { AWS: role }, Action: 'kms:*', Resource: '*' };
    expect(keyPolicyAccess(policy(rootStatement, notPrincipal), role)).toEqual({ access: 'conditional', statements: ['DenyAllBut'] });
    // Delegation stays the answer, with the conditional allow named for when IAM refuses.
    expect(keyPolicyAccess(policy(rootStatement, viaService), role)).toEqual({
      access: 'delegated',
      statement: 'Enable IAM User Permissions',
      conditional: ['Allow access through Secrets Manager'],
    });
  });

  it('never throws on a bad policy', () => {
    expect(keyPolicyAccess('{not json', role).access).toBe('unreadable');
    expect(keyPolicyAccess('null', role).access).toBe('unreadable');
    expect(keyPolicyAccess('{"Statement": "x"}', role)).toEqual({ access: 'not-allowed', staleIds: [] });
  });
});

/** The built-in scenario: 2 Secrets Manager secrets and 1 SSM SecureString under 2 customer managed keys, in a private subnet. */
const scenario = loadScenarios().find((sc) => sc.id === 'secrets-pull-failure');
if (!scenario) throw new Error('the secrets-pull-failure scenario is missing');
const scenarioEvent = scenario.events[0];
const keyA = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const keyB = 'arn:aws:kms:us-east-1:123456789012:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const adcSecret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ReportWriter_ADC_DB-Xy12Za';
const dbSecret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webserver/db-AbCdEf';
const scenarioRole = 'streamlit-sample-test-front-end-ExecutionRole-qXmoAXceH13T';


/** The scenario's snapshot, changed by `edit`. */
function scenarioWith(edit: (snapshot: Snapshot) => void): Snapshot {
  const snapshot = structuredClone(scenario?.snapshot ?? {});
  edit(snapshot);
  return snapshot;
}

type SimulationOutput = { EvaluationResults: { EvalActionName: string; ResourceSpecificResults: { EvalResourceName: string; EvalResourceDecision: string; MatchedStatements?: object[] }[] }[] };

function setDecision(snapshot: Snapshot, action: string, resource: string, decision: string, matched: object[] = []): void {
  const output = snapshot['iam:SimulatePrincipalPolicy']?.[0]?.output as SimulationOutput;
  const result = output.EvaluationResults.find((r) => r.EvalActionName === action)?.ResourceSpecificResults.find((r) => r.EvalResourceName === resource);
  if (!result) throw new Error(`no simulated ${action} on ${resource}`);
  result.EvalResourceDecision = decision;
  result.MatchedStatements = matched;
}

function setKeyPolicy(snapshot: Snapshot, key: string, text: string): void {
  const entry = snapshot['kms:GetKeyPolicy']?.find((e) => (e.input as { KeyId: string }).KeyId === key);
  if (!entry) throw new Error(`no key policy for ${key}`);
  entry.output = { Policy: text, PolicyName: 'default' };
}

async function diagnoseScenario(snapshot: Snapshot, event: unknown = scenarioEvent) {
  const counted = countingReader(snapshotReader(snapshot));
  const finding = firstFinding(await diagnoseEvent(event, counted.reader, [rule]));
  return { finding, calls: counted.calls };
}

describe('secrets-pull-failure: IAM and KMS in the account', () => {
  it('makes 7 AWS calls for 3 secrets (2 Secrets Manager, 1 SSM) under 2 customer managed keys, and names the one refused ARN', async () => {
    const { finding, calls } = await diagnoseScenario(scenario.snapshot);
    expect(calls.sort()).toEqual(
      [
        'ecs:DescribeTaskDefinition',
        'iam:SimulatePrincipalPolicy',
        'kms:GetKeyPolicy',
        'kms:GetKeyPolicy',
        'secretsmanager:DescribeSecret',
        'secretsmanager:DescribeSecret',
        'ssm:DescribeParameters',
      ].sort(),
    );
    expect(finding?.cause).toBe('permission');
    expect(finding?.unchecked).toEqual([]);
    expect(finding?.evidence).toContainEqual({
      source: 'iam:SimulatePrincipalPolicy',
      observed: `${scenarioRole} secretsmanager:GetSecretValue on ${adcSecret}: implicitDeny: no policy allows it`,
    });
    expect(finding?.evidence).toContainEqual({
      source: 'kms:GetKeyPolicy',
      observed: `${keyA}: statement "Enable IAM User Permissions" allows the account root: the role's IAM policies decide`,
    });
    expect(finding?.evidence).toContainEqual({
      source: 'kms:GetKeyPolicy',
      observed: `${keyB}: statement "Allow use of the key" allows ${scenarioRole} kms:Decrypt`,
    });
    // Only the refused secret, by its full ARN, under a name ecs-medic owns: never the role's existing ecs-read-secrets, which it would replace.
    const document = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"${adcSecret}"}]}`;
    expect(finding?.fix).toBe(
      `aws iam put-role-policy --role-name ${scenarioRole} --policy-name ${ownedPolicyName('read-secrets', document)} --policy-document '${document}'`,
    );
    expect(finding?.fix).not.toContain('--policy-name ecs-read-secrets ');
    expect(finding?.explanation).toContain(`may not: secretsmanager:GetSecretValue on ${adcSecret} (implicitDeny)`);
  });

  it('says an explicit Deny cannot be fixed by another Allow', async () => {
    const { finding } = await diagnoseScenario(
      scenarioWith((s) => setDecision(s, 'secretsmanager:GetSecretValue', adcSecret, 'explicitDeny', [{ SourcePolicyId: 'deny-legacy-secrets', SourcePolicyType: 'role' }])),
    );
    expect(finding?.evidence).toContainEqual({
      source: 'iam:SimulatePrincipalPolicy',
      observed: `${scenarioRole} secretsmanager:GetSecretValue on ${adcSecret}: explicitDeny: a Deny statement in deny-legacy-secrets`,
    });
    expect(finding?.fix).toContain(`A Deny statement in deny-legacy-secrets blocks secretsmanager:GetSecretValue on ${adcSecret}`);
    expect(finding?.fix).not.toContain('put-role-policy');
  });

  it('says when the role may read everything now (fixed since, or a resource policy refuses)', async () => {
    const { finding } = await diagnoseScenario(scenarioWith((s) => setDecision(s, 'secretsmanager:GetSecretValue', adcSecret, 'allowed')));
    expect(finding?.explanation).toContain('may read every one of them now');
    // Nothing in the account to change: the text's fix stays.
    expect(finding?.fix).toContain('aws iam put-role-policy');
  });

  it('root delegation without an IAM allow: grants kms:Decrypt on that key', async () => {
    const { finding } = await diagnoseScenario(scenarioWith((s) => setDecision(s, 'kms:Decrypt', keyA, 'implicitDeny')));
    expect(finding?.explanation).toContain(`cannot decrypt with ${keyA} (it encrypts ${adcSecret}, ${dbSecret}): its key policy leaves it to IAM`);
    expect(finding?.fix).toContain(`"Action":"kms:Decrypt","Resource":"${keyA}"`);
  });

  it('a key policy that names neither the role nor the account: grants the role Decrypt beside it, never rewrites it', async () => {
    const keyAdmin = { Sid: 'Allow access for Key Administrators', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/KeyAdmin' }, Action: 'kms:*', Resource: '*' };
    const { finding } = await diagnoseScenario(scenarioWith((s) => setKeyPolicy(s, keyB, policy(keyAdmin))));
    expect(finding?.evidence).toContainEqual({ source: 'kms:GetKeyPolicy', observed: `${keyB}: no statement allows ${scenarioRole} (or the account) kms:Decrypt` });
    expect(finding?.fix).toContain(
      `aws kms create-grant --key-id ${keyB} --grantee-principal arn:aws:iam::123456789012:role/${scenarioRole} --operations Decrypt --name ecs-medic-decrypt-secrets`,
    );
    expect(finding?.fix).not.toContain('put-key-policy');
  });

  it('a key policy allowing "*" under conditions is reported unchecked, not guessed', async () => {
    const viaService = { Sid: 'ViaSSM', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } } };
    const { finding } = await diagnoseScenario(scenarioWith((s) => setKeyPolicy(s, keyB, policy(viaService))));
    expect(finding?.unchecked).toEqual([
      { check: `whether ${scenarioRole} may decrypt with ${keyB}`, reason: 'the key policy decides by conditions (ViaSSM), which are not evaluated' },
    ]);
  });

  it('AccessDenied on GetKeyPolicy leaves that key unchecked and the rest of the diagnosis intact', async () => {
    const { finding } = await diagnoseScenario(
      scenarioWith((s) => {
        const entry = s['kms:GetKeyPolicy']?.find((e) => (e.input as { KeyId: string }).KeyId === keyA);
        if (entry) {
          delete entry.output;
          entry.error = { name: 'AccessDeniedException', message: `User: arn:aws:sts::123456789012:assumed-role/ecs-medic-diagnose/x is not authorized to perform: kms:GetKeyPolicy on resource: ${keyA}` };
        }
      }),
    );
    expect(finding?.unchecked).toEqual([
      { check: `the key policy of ${keyA}`, reason: expect.stringMatching(/^AccessDeniedException: .*kms:GetKeyPolicy/) },
    ]);
    expect(finding?.fix).toContain(adcSecret);
  });

  it('AWS managed keys need no key policy read: no KmsKeyId, alias/aws/ssm, or an alias DescribeKey shows AWS manages', async () => {
    const snapshot = scenarioWith((s) => {
      for (const entry of s['secretsmanager:DescribeSecret'] ?? []) delete (entry.output as { KmsKeyId?: string }).KmsKeyId;
      const parameters = s['ssm:DescribeParameters']?.[0]?.output as { Parameters: { KeyId?: string }[] };
      for (const parameter of parameters.Parameters) parameter.KeyId = 'alias/aws/ssm';
      delete s['kms:GetKeyPolicy'];
      const simulation = s['iam:SimulatePrincipalPolicy']?.[0];
      if (simulation) {
        simulation.input = { ...(simulation.input as object), ActionNames: ['secretsmanager:GetSecretValue', 'ssm:GetParameters'], ResourceArns: [adcSecret, dbSecret, 'arn:aws:ssm:us-east-1:123456789012:parameter/webserver/session-key'] };
      }
    });
    const { finding, calls } = await diagnoseScenario(snapshot);
    expect(calls).not.toContain('kms:GetKeyPolicy');
    expect(calls).not.toContain('kms:DescribeKey');
    expect(finding?.evidence).toContainEqual({ source: 'secretsmanager:DescribeSecret', observed: `${adcSecret}: encrypted with the AWS managed key aws/secretsmanager` });
    expect(finding?.unchecked).toEqual([]);

    const viaAlias = scenarioWith((s) => {
      const parameters = s['ssm:DescribeParameters']?.[0]?.output as { Parameters: { KeyId?: string }[] };
      for (const parameter of parameters.Parameters) parameter.KeyId = 'alias/webserver';
      s['kms:DescribeKey'] = [
        { input: { KeyId: 'alias/webserver' }, output: { KeyMetadata: { KeyId: '0987dcba-09fe-87dc-65ba-ab0987654321', Arn: keyB, KeyManager: 'AWS', KeyState: 'Enabled' } } },
      ];
    });
    const aliased = await diagnoseScenario(viaAlias);
    expect(aliased.calls.filter((c) => c === 'kms:GetKeyPolicy')).toHaveLength(1);
    expect(aliased.finding?.evidence).toContainEqual({ source: 'kms:DescribeKey', observed: `alias/webserver is ${keyB} (AWS managed)` });
  });

  it('reads the older simulator answer (one EvaluationResult per resource)', async () => {
    const snapshot = scenarioWith((s) => {
      const output = s['iam:SimulatePrincipalPolicy']?.[0]?.output as SimulationOutput;
      const legacy = output.EvaluationResults.flatMap((r) =>
        r.ResourceSpecificResults.map((x) => ({ EvalActionName: r.EvalActionName, EvalResourceName: x.EvalResourceName, EvalDecision: x.EvalResourceDecision, MatchedStatements: x.MatchedStatements })),
      );
      (s['iam:SimulatePrincipalPolicy'] ?? [])[0] = { input: s['iam:SimulatePrincipalPolicy']?.[0]?.input, output: { EvaluationResults: legacy, IsTruncated: false } };
    });
    const { finding } = await diagnoseScenario(snapshot);
    expect(finding?.fix).toContain(`"Resource":"${adcSecret}"`);
    expect(finding?.unchecked).toEqual([]);
  });

  it('the simulation refused: the grant goes under a name ecs-medic owns, on the full ARN DescribeSecret returned', async () => {
    const { finding } = await diagnoseScenario(
      scenarioWith((s) => {
        s['iam:SimulatePrincipalPolicy'] = [{ input: s['iam:SimulatePrincipalPolicy']?.[0]?.input, error: { name: 'AccessDenied', message: 'not authorized to perform: iam:SimulatePrincipalPolicy' } }];
      }),
    );
    expect(finding?.unchecked.map((u) => u.reason)).toContainEqual(expect.stringContaining('iam:SimulatePrincipalPolicy'));
    // valueFrom names ReportWriter_ADC_DB without its suffix; DescribeSecret gave the full ARN, so no -?????? wildcard.
    expect(finding?.fix).toContain(`"${adcSecret}"`);
    expect(finding?.fix).not.toContain('ReportWriter_ADC_DB-??????');
    expect(finding?.fix).toMatch(/--policy-name ecs-medic-read-secrets-[0-9a-f]{12} /);
    expect(finding?.fix).not.toContain('--policy-name ecs-read-secrets');
  });

  it('a not-found failure only looks the secrets up (no simulation, no key policies)', async () => {
    const event = structuredClone(scenarioEvent) as { detail: { stoppedReason: string } };
    event.detail.stoppedReason =
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid parameters: /webserver/session-key";
    const snapshot = scenarioWith((s) => {
      const parameters = s['ssm:DescribeParameters']?.[0]?.output as { Parameters: object[] };
      parameters.Parameters = [];
    });
    const { finding, calls } = await diagnoseScenario(snapshot, event);
    expect(finding?.cause).toBe('not-found');
    expect(calls).not.toContain('iam:SimulatePrincipalPolicy');
    expect(calls).not.toContain('kms:GetKeyPolicy');
    expect(finding?.evidence).toContainEqual({ source: 'ssm:DescribeParameters', observed: 'no parameter named /webserver/session-key in us-east-1' });
  });
});

describe('secrets-pull-failure: the network path', () => {
  const timeoutEvent = stoppedTaskEvent({ stoppedReason: ASM_TIMEOUT.replace('us-west-2', 'us-east-1'), stopCode: 'TaskFailedToStart', group: 'service:webserver' });
  const withEndpoints = (endpoints: object[], routes?: object[]): Snapshot => {
    const snapshot = structuredClone(privateRoute);
    const output = snapshot['ec2:DescribeRouteTables']?.[0]?.output as { RouteTables: { Routes: object[] }[] } | undefined;
    const table = output?.RouteTables[0];
    if (routes && table) table.Routes.push(...routes);
    return {
      ...snapshot,
      'ecs:DescribeTaskDefinition': [taskDefinitionWith([{ name: 'DB', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf' }])],
      'ec2:DescribeVpcEndpoints': [{ input: { Filters: [{ Name: 'vpc-id', Values: ['vpc-0e1f2a3b4c5d6e7f8'] }] }, output: { VpcEndpoints: endpoints } }],
    };
  };
  const endpoint = (privateDns: boolean) => ({
    VpcEndpointId: 'vpce-0a1b2c3d4e5f67890',
    VpcEndpointType: 'Interface',
    VpcId: 'vpc-0e1f2a3b4c5d6e7f8',
    ServiceName: 'com.amazonaws.us-east-1.secretsmanager',
    State: 'available',
    PrivateDnsEnabled: privateDns,
  });

  it('makes no IAM or KMS calls for a network failure', async () => {
    const counted = countingReader(snapshotReader(withEndpoints([])));
    const finding = firstFinding(await diagnoseEvent(timeoutEvent, counted.reader, [rule]));
    expect(counted.calls).toEqual(['ecs:DescribeTaskDefinition', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcEndpoints']);
    expect(finding?.fix).toContain('--service-name com.amazonaws.us-east-1.secretsmanager');
  });

  it('checks the route to every store the task definition uses, not only the one the text names', async () => {
    const snapshot = withEndpoints([endpoint(true)]);
    snapshot['ecs:DescribeTaskDefinition'] = [
      taskDefinitionWith([
        { name: 'DB', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf' },
        { name: 'KEY', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/webserver/key' },
      ]),
    ];
    const finding = firstFinding(await diagnoseEvent(timeoutEvent, snapshotReader(snapshot), [rule]));
    // The Secrets Manager endpoint exists; the SSM one does not, and the next start would fail on it.
    expect(finding?.evidence).toContainEqual({ source: 'ec2:DescribeVpcEndpoints', observed: 'vpc-0e1f2a3b4c5d6e7f8 has no com.amazonaws.us-east-1.ssm endpoint' });
    expect(finding?.explanation).toContain('com.amazonaws.us-east-1.ssm');
  });

  it('an endpoint with private DNS off: turn it on', async () => {
    const finding = firstFinding(await diagnoseEvent(timeoutEvent, snapshotReader(withEndpoints([endpoint(false)])), [rule]));
    expect(finding?.fix).toBe('aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0a1b2c3d4e5f67890 --private-dns-enabled --region us-east-1');
  });

  it('a NAT route or a working endpoint: the security groups are left, named as unchecked', async () => {
    const nat = [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0123456789abcdef0', Origin: 'CreateRoute', State: 'active' }];
    const finding = firstFinding(await diagnoseEvent(timeoutEvent, snapshotReader(withEndpoints([], nat)), [rule]));
    expect(finding?.explanation).toContain('has a way to it (0.0.0.0/0 → nat-0123456789abcdef0 (NAT gateway))');
    expect(finding?.unchecked.map((u) => u.check)).toEqual(["whether the task's and the endpoint's security groups allow 443"]);
  });

  it('on the EC2 launch type the task subnet is not the path', async () => {
    const event = stoppedTaskEvent({ stoppedReason: ASM_TIMEOUT, stopCode: 'TaskFailedToStart', launchType: 'EC2' });
    delete (event.detail as { capacityProviderName?: string }).capacityProviderName;
    const finding = firstFinding(await diagnoseEvent(event, snapshotReader(withEndpoints([])), [rule]));
    expect(finding?.unchecked).toContainEqual({
      check: "the task subnet's route to Secrets Manager/SSM",
      reason: "on the EC2 launch type the agent fetches secrets through the container instance's network, not the task's",
    });
  });
});
