/**
 * The harness's view of the emulated account: SDK clients with the test
 * operator's credentials, and the deployed stack read back from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { EventPattern } from '../../support/event-pattern';
import { REGION } from './moto';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function clients(endpoint: string, credentials: StaticCredentials) {
  const config = { endpoint, region: REGION, credentials, maxAttempts: 1 };
  return {
    applicationAutoScaling: new ApplicationAutoScalingClient(config),
    autoScaling: new AutoScalingClient(config),
    cloudFormation: new CloudFormationClient(config),
    logs: new CloudWatchLogsClient(config),
    dynamodb: new DynamoDBClient(config),
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
    kms: new KMSClient(config),
    lambda: new LambdaClient(config),
    secretsManager: new SecretsManagerClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    ssm: new SSMClient(config),
    sts: new STSClient(config),
  };
}
export type Clients = ReturnType<typeof clients>;

/** An IAM user allowed everything: the operator who seeds and inspects the account once moto enforces IAM. */
export async function createOperator(aws: Clients): Promise<StaticCredentials> {
  const UserName = 'e2e-operator';
  await aws.iam.send(new CreateUserCommand({ UserName }));
  await aws.iam.send(
    new PutUserPolicyCommand({
      UserName,
      PolicyName: 'everything',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    }),
  );
  const { AccessKey } = await aws.iam.send(new CreateAccessKeyCommand({ UserName }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

/** Credentials of a role, from moto's STS, as the Lambda service obtains them for a function. */
export async function assumeRole(aws: Clients, roleArn: string, sessionName: string): Promise<StaticCredentials> {
  const { Credentials } = await aws.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }));
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  return { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken };
}

export interface DeployedRule {
  logicalId: string;
  name: string;
  arn: string;
  state: string;
  /** The schedule expression of a schedule rule. */
  schedule: string | undefined;
  pattern: EventPattern;
  /** Function ARNs among the rule's targets. */
  functionTargets: string[];
  /** The Lambda targets' dead-letter queue ARNs and retry policies, as deployed. */
  targets: { id: string; arn: string; deadLetterArn: string | undefined; maximumRetryAttempts: number | undefined }[];
}

/** A queue → function event source mapping, as Lambda reports it. */
export interface DeployedEventSource {
  uuid: string;
  queueArn: string;
  functionArn: string;
  batchSize: number | undefined;
  functionResponseTypes: string[];
}

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export type DeployedFunctionName = 'diagnose' | 'notify' | 'audit' | 'remediate';

export interface DeployedFunction {
  logicalId: string;
  name: string;
  arn: string;
  roleArn: string;
  environment: Record<string, string>;
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The bundled code in the cloud assembly: what the deploy uploaded. */
  codeDirectory: string;
  /** The role's inline policies' statements. */
  statements: PolicyStatement[];
}

export interface DeployedStack {
  /** The template CloudFormation holds for the stack (GetTemplate). */
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  /** moto gap: DescribeStacks answers no Outputs for this stack, so physical ids stand in for AlertTopicArn and IncidentTableName. */
  outputs: Record<string, string>;
  /** Physical id by logical id. */
  resources: Record<string, { type: string; physicalId: string }>;
  rules: DeployedRule[];
  functions: Record<DeployedFunctionName, DeployedFunction>;
  /** The event source mappings of the stack's functions (the re-check queue → diagnose). */
  eventSources: DeployedEventSource[];
  /** Physical id of the first resource whose logical id starts with `prefix`. */
  physicalId(prefix: string): string;
}

async function roleStatements(aws: Clients, roleArn: string): Promise<PolicyStatement[]> {
  const RoleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  const { PolicyNames = [] } = await aws.iam.send(new ListRolePoliciesCommand({ RoleName }));
  const statements: PolicyStatement[] = [];
  for (const PolicyName of PolicyNames) {
    const { PolicyDocument } = await aws.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
    const document = JSON.parse(decodeURIComponent(PolicyDocument ?? '{}')) as { Statement: PolicyStatement | PolicyStatement[] };
    statements.push(...[document.Statement].flat());
  }
  return statements;
}

export async function readDeployedStack(aws: Clients, assembly: string, stackName = 'EcsMedic'): Promise<DeployedStack> {
  const { Stacks } = await aws.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const { StackResources = [] } = await aws.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const resources = Object.fromEntries(
    StackResources.filter((r) => r.LogicalResourceId && r.PhysicalResourceId).map((r) => [
      r.LogicalResourceId as string,
      { type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId as string },
    ]),
  );
  const physicalId = (prefix: string) => {
    const found = Object.entries(resources).find(([logicalId]) => logicalId.startsWith(prefix));
    if (!found) throw new Error(`no deployed resource whose logical id starts with ${prefix}`);
    return found[1].physicalId;
  };
  const template = JSON.parse(readFileSync(join(assembly, `${stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };

  const rules: DeployedRule[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.type !== 'AWS::Events::Rule') continue;
    const rule = await aws.events.send(new DescribeRuleCommand({ Name: resource.physicalId }));
    const { Targets = [] } = await aws.events.send(new ListTargetsByRuleCommand({ Rule: resource.physicalId }));
    rules.push({
      logicalId,
      name: resource.physicalId,
      arn: rule.Arn ?? '',
      state: rule.State ?? '',
      schedule: rule.ScheduleExpression,
      pattern: JSON.parse(rule.EventPattern ?? '{}') as EventPattern,
      functionTargets: Targets.map((t) => t.Arn ?? '').filter((arn) => arn.includes(':lambda:')),
      targets: Targets.map((t) => ({ id: t.Id ?? '', arn: t.Arn ?? '', deadLetterArn: t.DeadLetterConfig?.Arn, maximumRetryAttempts: t.RetryPolicy?.MaximumRetryAttempts })),
    });
  }

  const deployedFunction = async (prefix: string): Promise<DeployedFunction> => {
    const [logicalId, resource] = Object.entries(resources).find(([id, r]) => id.startsWith(prefix) && r.type === 'AWS::Lambda::Function') ?? [];
    if (!logicalId || !resource) throw new Error(`no deployed function ${prefix}`);
    const config = await aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: resource.physicalId }));
    const assetPath = template.Resources[logicalId]?.Metadata?.['aws:asset:path'];
    if (!assetPath) throw new Error(`${logicalId} has no aws:asset:path in the template`);
    return {
      logicalId,
      name: resource.physicalId,
      arn: config.FunctionArn ?? '',
      roleArn: config.Role ?? '',
      environment: config.Environment?.Variables ?? {},
      handler: config.Handler ?? '',
      timeoutSeconds: config.Timeout ?? 3,
      memorySize: config.MemorySize ?? 128,
      codeDirectory: join(assembly, assetPath),
      statements: await roleStatements(aws, config.Role ?? ''),
    };
  };
  const { TemplateBody } = await aws.cloudFormation.send(new GetTemplateCommand({ StackName: stackName }));
  const functions = { diagnose: await deployedFunction('Diagnose'), notify: await deployedFunction('Notify'), audit: await deployedFunction('Audit'), remediate: await deployedFunction('Remediate') };
  const eventSources: DeployedEventSource[] = [];
  for (const fn of Object.values(functions)) {
    const { EventSourceMappings = [] } = await aws.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn.name }));
    for (const mapping of EventSourceMappings) {
      eventSources.push({
        uuid: mapping.UUID ?? '',
        queueArn: mapping.EventSourceArn ?? '',
        functionArn: mapping.FunctionArn ?? '',
        batchSize: mapping.BatchSize,
        functionResponseTypes: mapping.FunctionResponseTypes ?? [],
      });
    }
  }
  return {
    template: JSON.parse(TemplateBody ?? '{}') as DeployedStack['template'],
    outputs,
    resources,
    rules,
    functions,
    eventSources,
    physicalId,
  };
}
