import type { ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { SignalOf } from '../../events/signals';
import { arnName } from '../../arn';
import type { Evidence } from '../../findings';
import { featureMinimums } from '../../facts/agent-features';
import { isOlder } from '../../facts/versions';
import { currentPlatform } from '../../facts/platforms';
import type { InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import type { ExecTarget } from './target';
import { type ExecDetection, serviceFix, SSM_ACTIONS, standaloneFix } from './detect';

const execAgentMinimum = featureMinimums.find((f) => f.feature === 'ECS Exec')?.minimum ?? '1.50.2';

function redeployFix(target: ExecTarget, service: string | undefined): string {
  return service ? serviceFix(target, service) : standaloneFix(target);
}

function agentStatuses(task: Task): { container: string; status: string; reason?: string }[] {
  return (task.containers ?? []).flatMap((container) =>
    (container.managedAgents ?? [])
      .filter((agent) => agent.name === 'ExecuteCommandAgent')
      .map((agent) => ({ container: container.name ?? '?', status: agent.lastStatus ?? 'UNKNOWN', ...(agent.reason ? { reason: agent.reason } : {}) })),
  );
}

/** The exec-checker's platform checks: Fargate platform ≥ 1.4.0, or EC2 agent ≥ 1.50.2. */
async function platformTooOld(task: Task, cluster: string, context: InvestigationContext): Promise<Evidence | null> {
  if (task.launchType === 'FARGATE' || task.platformVersion) {
    if (!isOlder(task.platformVersion, currentPlatform.LINUX) || /windows/i.test(task.platformFamily ?? '')) return null;
    return { source: 'ecs:DescribeTasks', observed: `platformVersion ${task.platformVersion}; ECS Exec needs Fargate 1.4.0 or later` };
  }
  if (!task.containerInstanceArn) return null;
  const described = await context.read(
    'ecs:DescribeContainerInstances',
    { cluster, containerInstances: [task.containerInstanceArn] },
    "the ECS agent version of the task's container instance",
  );
  const version = described?.containerInstances?.[0]?.versionInfo?.agentVersion;
  if (!isOlder(version, execAgentMinimum)) return null;
  return { source: 'ecs:DescribeContainerInstances', observed: `agent ${version}; ECS Exec needs agent ${execAgentMinimum} or later` };
}

function staticCredentials(containers: readonly ContainerDefinition[]): string[] {
  return containers
    .filter((c) => (c.environment ?? []).some((e) => e.name === 'AWS_ACCESS_KEY_ID' || e.name === 'AWS_SECRET_ACCESS_KEY'))
    .map((c) => c.name ?? '?');
}

/** Interface endpoints exist in the VPC but none for ssmmessages: the checker's "SSM PrivateLink not found". */
async function missingSsmEndpoint(task: Task, region: string | undefined, context: InvestigationContext): Promise<Evidence | null> {
  const subnet = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'subnetId')?.value;
  if (!subnet || !region) {
    context.unchecked('whether the task can reach Session Manager (ssmmessages)', subnet ? 'the event names no region' : 'the task has no awsvpc subnet to inspect');
    return null;
  }
  const subnets = await context.read('ec2:DescribeSubnets', { SubnetIds: [subnet] }, `the VPC of subnet ${subnet}`);
  const vpc = subnets?.Subnets?.[0]?.VpcId;
  if (!vpc) return null;
  const endpoints = await context.read('ec2:DescribeVpcEndpoints', { Filters: [{ Name: 'vpc-id', Values: [vpc] }] }, `the VPC endpoints of ${vpc}`);
  if (!endpoints) return null;
  const names = (endpoints.VpcEndpoints ?? []).map((e) => e.ServiceName ?? '?');
  const wanted = `com.amazonaws.${region}.ssmmessages`;
  context.unchecked(`whether subnet ${subnet} routes to the internet (NAT)`, 'route checks for ECS Exec are not implemented; the exec-checker does not make them either');
  if (names.length === 0 || names.includes(wanted)) return null;
  return { source: 'ec2:DescribeVpcEndpoints', observed: `${vpc} has endpoints (${names.join(', ')}) but none for ${wanted}` };
}

interface Blocker {
  cause: 'static-credentials' | 'task-role-permissions';
  evidence: Evidence;
  explanation: string;
  fix: string;
}

/** What in the task definition stops the ECS Exec agent from connecting, even with ECS Exec on. */
function definitionBlocker(definition: TaskDefinition, task: Task, target: ExecTarget, service: string | undefined): Blocker | null {
  const withKeys = staticCredentials(definition.containerDefinitions ?? []);
  if (withKeys.length > 0) {
    return {
      cause: 'static-credentials',
      evidence: { source: 'ecs:DescribeTaskDefinition', observed: `AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment of: ${withKeys.join(', ')}` },
      explanation: `Container(s) ${withKeys.join(', ')} set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY as environment variables. The SSM agent ECS Exec runs inside the task picks those up instead of the task role, and they rarely allow ssmmessages, so the agent never connects (reported in aws/copilot-cli#3408 and aws-containers/amazon-ecs-exec-checker#49).`,
      fix: `Rename those variables (e.g. APP_AWS_ACCESS_KEY_ID) or better drop them for the task role, register the new task definition revision, then:\n${redeployFix(target, service)}`,
    };
  }
  // On EC2 the agent falls back to the instance role, which this rule cannot see.
  if (definition.taskRoleArn || task.launchType === 'EC2') return null;
  return {
    cause: 'task-role-permissions',
    evidence: { source: 'ecs:DescribeTaskDefinition', observed: `${definition.family}:${definition.revision} has no taskRoleArn` },
    explanation: `Task definition ${definition.family}:${definition.revision} has no task role. ECS Exec's agent authenticates to Session Manager with the task role, so without one it cannot connect.`,
    fix: `Create a task role allowing ${SSM_ACTIONS} (trusting ecs-tasks.amazonaws.com), set it as taskRoleArn in a new revision of ${definition.family}, then:\n${redeployFix(target, service)}`,
  };
}

async function investigateTask(detection: ExecDetection, region: string | undefined, context: InvestigationContext): Promise<Refinement | undefined> {
  const { target } = detection;
  if (!target.cluster || !target.task) {
    context.unchecked("the task's ECS Exec settings", 'the failure names no cluster and task');
    return undefined;
  }
  const cluster = target.cluster;
  const described = await context.read('ecs:DescribeTasks', { cluster, tasks: [target.task] }, `ECS Exec settings of task ${arnName(target.task) ?? target.task}`);
  const task = described?.tasks?.[0];
  if (!task) return undefined;
  const service = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
  const agents = agentStatuses(task);
  const evidence: Evidence[] = [
    {
      source: 'ecs:DescribeTasks',
      observed: `enableExecuteCommand ${task.enableExecuteCommand ?? 'not set'}; ExecuteCommandAgent ${agents.length > 0 ? agents.map((a) => `${a.container}: ${a.status}${a.reason ? ` (${a.reason})` : ''}`).join(', ') : 'absent'}; started ${task.startedAt ? new Date(task.startedAt).toISOString() : 'unknown'}`,
    },
  ];
  const resource = service ? { service } : {};
  // Read once: it both explains a failing connection and warns when turning ECS Exec on would not be enough.
  const definition = task.taskDefinitionArn
    ? (await context.read('ecs:DescribeTaskDefinition', { taskDefinition: task.taskDefinitionArn }, 'the task role and container environment'))?.taskDefinition
    : undefined;
  if (definition) evidence.push({ source: 'ecs:DescribeTaskDefinition', observed: `taskRoleArn ${definition.taskRoleArn ?? 'not set'}` });
  const blocker = definition ? definitionBlocker(definition, task, target, service) : null;
  if (blocker) evidence.push(blocker.evidence);

  if (task.enableExecuteCommand !== true) {
    let serviceOn: boolean | undefined;
    if (service) {
      const services = await context.read('ecs:DescribeServices', { cluster, services: [service] }, `whether service ${service} has ECS Exec on`);
      serviceOn = services?.services?.[0]?.enableExecuteCommand;
      if (serviceOn !== undefined) evidence.push({ source: 'ecs:DescribeServices', observed: `service ${service} enableExecuteCommand ${serviceOn}` });
    }
    const why = serviceOn
      ? `Service ${service} has ECS Exec turned on, but task ${arnName(task.taskArn)} started before it was (its enableExecuteCommand is false). ECS Exec is fixed when a task starts, so tasks running at the time the service setting changed keep it off until a new deployment replaces them.`
      : `ECS Exec is off for task ${arnName(task.taskArn)}${service ? ` and for its service ${service}` : ''}. It must be on when a task starts; it cannot be switched on for a running task.`;
    return {
      cause: 'not-enabled',
      resource,
      evidence,
      explanation: blocker ? `${why} Turning it on will not be enough: ${blocker.explanation}` : why,
      fix: blocker ? blocker.fix : redeployFix(target, service),
    };
  }

  const tooOld = await platformTooOld(task, cluster, context);
  const stalled = agents.find((a) => a.status !== 'RUNNING');
  if (tooOld || stalled) {
    if (tooOld) evidence.push(tooOld);
    return {
      cause: 'agent-not-running',
      resource,
      evidence,
      explanation: tooOld
        ? `ECS Exec is on for the task, but its ${tooOld.observed}: the execute command agent cannot run there.`
        : `ECS Exec is on for the task, but the execute command agent in container ${stalled?.container} is ${stalled?.status}${stalled?.reason ? ` (${stalled.reason})` : ''}. PENDING right after start is normal for a few seconds; STOPPED means the agent failed, most often because the task role lacks ${SSM_ACTIONS} or the task cannot reach Session Manager.`,
      fix: tooOld
        ? tooOld.source === 'ecs:DescribeTasks'
          ? `aws ecs update-service --cluster ${shellArg(cluster, 'cluster')} --service ${shellArg(service, 'service')} --platform-version 1.4.0 --enable-execute-command --force-new-deployment`
          : `aws ecs update-container-agent --cluster ${shellArg(cluster, 'cluster')} --container-instance ${shellArg(arnName(task.containerInstanceArn), 'container-instance-id')}`
        : stalled?.status === 'PENDING'
          ? 'Wait a few seconds and run the same execute-command again.'
          : (blocker?.fix ?? `Give the task role ${SSM_ACTIONS}, make ssmmessages reachable, then:\n${redeployFix(target, service)}`),
    };
  }

  // ECS Exec is on and the agent runs: look at what breaks the agent's connection.
  if (blocker) return { cause: blocker.cause, resource, evidence, explanation: blocker.explanation, fix: blocker.fix };
  if (definition?.taskRoleArn) {
    context.unchecked(`whether ${definition.taskRoleArn} allows ${SSM_ACTIONS}`, 'needs iam:SimulatePrincipalPolicy, which the reader does not offer yet');
  }
  const noEndpoint = await missingSsmEndpoint(task, region, context);
  if (noEndpoint) {
    return {
      cause: 'network',
      resource,
      evidence: [...evidence, noEndpoint],
      explanation: `The task's VPC uses interface endpoints but has none for Session Manager messages (${noEndpoint.observed}). A VPC with endpoints usually has private subnets without internet access, so the ECS Exec agent cannot reach ssmmessages.`,
      fix: `aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id <vpc-id> --service-name com.amazonaws.${region}.ssmmessages --subnet-ids <task-subnets> --security-group-ids <sg-allowing-443-from-tasks> --private-dns-enabled`,
    };
  }
  return { resource, evidence };
}

export default async function investigate(detection: ExecDetection, signal: SignalOf<'api-call' | 'text'>, context: InvestigationContext): Promise<Refinement | undefined> {
  if (detection.cause === 'caller-permissions') {
    context.unchecked("whether the caller's IAM policy allows ecs:ExecuteCommand", 'needs iam:SimulatePrincipalPolicy, which the reader does not offer yet');
    return undefined;
  }
  if (detection.cause === 'command-not-found') return undefined;
  const region = signal.resource.region ?? (signal.kind === 'api-call' ? signal.detail.awsRegion : undefined);
  return investigateTask(detection, region, context);
}
