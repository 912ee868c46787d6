/**
 * Workloads seeded into the emulated account, one per built-in scenario
 * (cli/scenarios/<id>.json): the same names, so the scenario's own events
 * apply, with the identifiers only the account can give (task ARNs, target
 * group ARNs, subnet ids) substituted into them.
 */
import { readFileSync } from 'node:fs';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { Clients } from './account';
import type { Envelope } from './bot';
import { ACCOUNT, REGION } from './moto';

export interface BuiltInScenario {
  expect: { rule: string; cause: string | null }[];
  events: Envelope[];
  snapshot: unknown;
}

export function builtInScenario(id: string): BuiltInScenario {
  return JSON.parse(readFileSync(new URL(`../../../cli/scenarios/${id}.json`, import.meta.url), 'utf8')) as BuiltInScenario;
}

export interface SeededScenario {
  /** The scenario's events, pointed at the seeded account and its identifiers. */
  events: Envelope[];
  /** Values that only the seeded account knows and the alert's fix must carry. */
  fixIncludes: string[];
  /** Cluster and service whose steady state resolves the incident. */
  service: { cluster: string; name: string };
}

export interface E2eScenario {
  id: string;
  expect: { rule: string; cause: string | null };
  seed(aws: Clients): Promise<SeededScenario>;
}

/** Rewrites a scenario's events into this account and Region, and replaces identifiers by the seeded ones. */
export function retarget(events: Envelope[], replacements: Record<string, string> = {}): Envelope[] {
  let text = JSON.stringify(events);
  const { account, region } = events[0] as Envelope;
  const all: [string, string][] = [
    ...Object.entries(replacements),
    [`:${account}:`, `:${ACCOUNT}:`],
    [`"account":"${account}"`, `"account":"${ACCOUNT}"`],
    [`:${region}:`, `:${REGION}:`],
    [`"region":"${region}"`, `"region":"${REGION}"`],
  ];
  for (const [from, to] of all) text = text.split(from).join(to);
  return JSON.parse(text) as Envelope[];
}

const clustersMade = new Set<string>();
async function cluster(aws: Clients, name: string): Promise<void> {
  if (clustersMade.has(name)) return;
  clustersMade.add(name);
  await aws.ecs.send(new CreateClusterCommand({ clusterName: name }));
}

const rolesMade = new Set<string>();
/** A role ECS tasks may assume; its ARN. */
async function taskRole(aws: Clients, name: string): Promise<string> {
  const arn = `arn:aws:iam::${ACCOUNT}:role/${name}`;
  if (rolesMade.has(name)) return arn;
  rolesMade.add(name);
  await aws.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  return arn;
}

/** Registers `input` as revision `revision` of its family (earlier revisions are placeholders), as the scenario's events name it. */
async function taskDefinitionRevision(aws: Clients, input: RegisterTaskDefinitionCommandInput, revision: number): Promise<string> {
  let arn = '';
  for (let i = 1; i <= revision; i++) {
    const { taskDefinition } = await aws.ecs.send(new RegisterTaskDefinitionCommand(input));
    arn = taskDefinition?.taskDefinitionArn ?? '';
  }
  if (!arn.endsWith(`:${revision}`)) throw new Error(`registered ${arn}, expected revision ${revision}`);
  return arn;
}

/** Revision 5 of a Fargate family (the revision the scenarios' events name) with the scenarios' task size. */
function fargateTaskDefinition(aws: Clients, family: string, fields: Omit<RegisterTaskDefinitionCommandInput, 'family'>): Promise<string> {
  return taskDefinitionRevision(aws, { family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', ...fields }, 5);
}

/** The scenario's service: one per scenario, so a steady state resolves only its own incident. */
async function fargateService(aws: Clients, name: string, taskDefinition: string, fields: Partial<CreateServiceCommandInput> = {}): Promise<void> {
  await aws.ecs.send(new CreateServiceCommand({ cluster: 'example-cluster', serviceName: name, taskDefinition, desiredCount: 1, launchType: 'FARGATE', ...fields }));
}

export const logGroupMissing: E2eScenario = {
  id: 'log-group-missing',
  expect: { rule: 'log-group-missing', cause: null },
  async seed(aws) {
    const scenario = builtInScenario('log-group-missing');
    await cluster(aws, 'example-cluster');
    const executionRoleArn = await taskRole(aws, 'ecsTaskExecutionRole');
    // Another group exists, so the rule must look for the exact name rather than finding no groups at all.
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/other-service' }));
    const taskDefinition = await fargateTaskDefinition(aws, 'webserver', {
      executionRoleArn,
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx',
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/webserver', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'web' } },
        },
      ],
    });
    await fargateService(aws, 'webserver', taskDefinition);
    return {
      events: retarget(scenario.events),
      fixIncludes: ['aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1'],
      service: { cluster: 'example-cluster', name: 'webserver' },
    };
  },
};

export const awsvpcIpExhaustion: E2eScenario = {
  id: 'awsvpc-ip-exhaustion',
  expect: { rule: 'awsvpc-ip-exhaustion', cause: 'subnet-ips' },
  async seed(aws) {
    const scenario = builtInScenario('awsvpc-ip-exhaustion');
    await cluster(aws, 'example-cluster');
    const { Vpc } = await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const subnet = async (CidrBlock: string, AvailabilityZone: string, used: number) => {
      const { Subnet } = await aws.ec2.send(new CreateSubnetCommand({ VpcId: Vpc?.VpcId, CidrBlock, AvailabilityZone }));
      const SubnetId = Subnet?.SubnetId ?? '';
      // Other workloads' network interfaces hold the subnet's addresses (a /28 has 11 usable).
      for (let i = 0; i < used; i++) await aws.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId }));
      return SubnetId;
    };
    // moto gap: CreateService fails (KeyError) without securityGroups, where AWS would use the VPC's default group.
    const { GroupId } = await aws.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ip-webserver', Description: 'ip-webserver tasks', VpcId: Vpc?.VpcId }));
    const full1 = await subnet('10.0.1.0/28', 'us-east-1b', 11);
    const full2 = await subnet('10.0.1.16/28', 'us-east-1a', 11);
    const roomy = await subnet('10.0.1.32/28', 'us-east-1c', 10);
    const family = 'ip-webserver';
    const taskDefinition = await fargateTaskDefinition(aws, family, {
      containerDefinitions: [{ name: 'web', image: 'nginx', essential: true }],
    });
    await fargateService(aws, family, taskDefinition, {
      desiredCount: 10,
      networkConfiguration: { awsvpcConfiguration: { subnets: [full1, full2, roomy], securityGroups: [GroupId ?? ''], assignPublicIp: 'DISABLED' } },
    });
    return {
      events: retarget(scenario.events, {
        webserver: family,
        'subnet-0d0eab1bb38d5ca64': full1,
        'subnet-0e1f2a3b4c5d6e7f8': full2,
        'subnet-0a9b8c7d6e5f4a3b2': roomy,
      }),
      fixIncludes: [roomy, family],
      service: { cluster: 'example-cluster', name: family },
    };
  },
};

export const secretsPullFailure: E2eScenario = {
  id: 'secrets-pull-failure',
  expect: { rule: 'secrets-pull-failure', cause: 'permission' },
  async seed(aws) {
    const scenario = builtInScenario('secrets-pull-failure');
    await cluster(aws, 'example-cluster');
    const family = 'sec-webserver';
    const secretsKey = (await aws.kms.send(new CreateKeyCommand({ Description: 'webserver secrets' }))).KeyMetadata?.Arn ?? '';
    const parameterKey = (await aws.kms.send(new CreateKeyCommand({ Description: 'webserver parameters' }))).KeyMetadata?.Arn ?? '';
    const secret = async (Name: string, SecretString: string) =>
      (await aws.secretsManager.send(new CreateSecretCommand({ Name, SecretString, KmsKeyId: secretsKey }))).ARN ?? '';
    const reportWriter = await secret('ReportWriter_ADC_DB', '{"user":"adc","password":"x"}');
    const database = await secret(`${family}/db`, '{"password":"x"}');
    await aws.ssm.send(new PutParameterCommand({ Name: `/${family}/session-key`, Value: 'x', Type: 'SecureString', KeyId: parameterKey }));
    const roleName = 'streamlit-sample-test-front-end-ExecutionRole-qXmoAXceH13T';
    const executionRoleArn = await taskRole(aws, roleName);
    // The execution role may read the service's own secrets and parameters only: ReportWriter_ADC_DB is refused.
    await aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'ecs-read-secrets',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${family}/*` },
            { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${family}/*` },
            { Effect: 'Allow', Action: 'kms:Decrypt', Resource: [secretsKey, parameterKey] },
          ],
        }),
      }),
    );
    const taskDefinition = await fargateTaskDefinition(aws, family, {
      executionRoleArn,
      taskRoleArn: await taskRole(aws, 'webserver-task-role'),
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx',
          essential: true,
          secrets: [
            // As users write them: the secret's ARN without its random suffix, and another's with a JSON key.
            { name: 'ADC_READER', valueFrom: reportWriter.replace(/-[A-Za-z0-9]{6}$/, '') },
            { name: 'DB_PASSWORD', valueFrom: `${database}:password::` },
            { name: 'SESSION_KEY', valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${family}/session-key` },
          ],
        },
      ],
    });
    await fargateService(aws, family, taskDefinition);
    return {
      events: retarget(scenario.events, { webserver: family }),
      fixIncludes: [`aws iam put-role-policy --role-name ${roleName}`, reportWriter],
      service: { cluster: 'example-cluster', name: family },
    };
  },
};

export const e2eScenarios: E2eScenario[] = [logGroupMissing, awsvpcIpExhaustion, secretsPullFailure];
