/**
 * Workloads seeded into the emulated account, one per built-in scenario
 * (cli/scenarios/<id>.json): the same names, so the scenario's own events
 * apply, with the identifiers only the account can give (task ARNs, target
 * group ARNs, subnet ids) substituted into them.
 */
import { readFileSync } from 'node:fs';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, type RegisterTaskDefinitionCommandInput, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
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

export const logGroupMissing: E2eScenario = {
  id: 'log-group-missing',
  expect: { rule: 'log-group-missing', cause: null },
  async seed(aws) {
    const scenario = builtInScenario('log-group-missing');
    await cluster(aws, 'example-cluster');
    const executionRoleArn = await taskRole(aws, 'ecsTaskExecutionRole');
    // Another group exists, so the rule must look for the exact name rather than finding no groups at all.
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/other-service' }));
    const taskDefinition = await taskDefinitionRevision(
      aws,
      {
        family: 'webserver',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
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
      },
      5,
    );
    await aws.ecs.send(new CreateServiceCommand({ cluster: 'example-cluster', serviceName: 'webserver', taskDefinition, desiredCount: 1, launchType: 'FARGATE' }));
    return {
      events: retarget(scenario.events),
      fixIncludes: ['aws logs create-log-group --log-group-name /ecs/webserver --region us-east-1'],
      service: { cluster: 'example-cluster', name: 'webserver' },
    };
  },
};

export const e2eScenarios: E2eScenario[] = [logGroupMissing];
