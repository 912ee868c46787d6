import type { ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { arnName } from '../../arn';
import type { SignalOf } from '../../events/signals';
import type { Evidence } from '../../findings';
import { featureMinimums } from '../../facts/agent-features';
import { isOlder } from '../../facts/versions';
import { currentPlatform } from '../../facts/platforms';
import { defineRule, type Detection, type InvestigationContext, type Refinement } from '../rule';
import { anyOf, deniedPrincipal, firstMatch, quoted, shellArg } from '../text';
import { type ExecTarget, execTarget } from './target';

/**
 * Seed footgun 5. ECS Exec fails with a handful of texts that each hide
 * several causes; the checks follow aws-containers/amazon-ecs-exec-checker,
 * driven by the failed ExecuteCommand call instead of a local CLI.
 */

// InvalidParameterException. AWS prints "isn’t" with a typographic apostrophe; pasted copies often have a straight one.
const notEnabled = anyOf([
  /execute command was not enabled when the task was run/i,
  /execute command agent (?:isn['’]t|is not) running/i,
]);
// TargetNotConnectedException: IAM, the SSM agent, or no route to Session Manager (API reference).
const notConnected = anyOf([/TargetNotConnectedException/i, /The execute command failed due to an internal error/i]);
const callerDenied = anyOf([/not authorized to perform:?\s*ecs:ExecuteCommand/i]);
// The session opened, but the command is not an executable in the container (no bash, or shell syntax).
const commandMissing = anyOf([/Failed to start pty:.*(?:no such file or directory|executable file not found)/i]);

const SSM_ACTIONS = 'ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel and ssmmessages:OpenDataChannel';
const execAgentMinimum = featureMinimums.find((f) => f.feature === 'ECS Exec')?.minimum ?? '1.50.2';

interface ExecDetection extends Detection {
  target: ExecTarget;
}

function textOf(signal: SignalOf<'text' | 'api-call'>): string | null {
  if (signal.kind === 'text') return signal.text;
  const { detail } = signal;
  if (detail.eventSource !== 'ecs.amazonaws.com' || detail.eventName !== 'ExecuteCommand' || !detail.errorCode) return null;
  return `${detail.errorCode}: ${signal.text}`;
}

function serviceFix(target: ExecTarget, service?: string): string {
  return [
    `aws ecs update-service --cluster ${shellArg(target.cluster, 'cluster')} --service ${shellArg(service, 'service')} --enable-execute-command --force-new-deployment`,
    'Then exec into a task started by the new deployment:',
    `aws ecs list-tasks --cluster ${shellArg(target.cluster, 'cluster')} --service-name ${shellArg(service, 'service')}`,
  ].join('\n');
}

function standaloneFix(target: ExecTarget): string {
  return [
    'ECS Exec is fixed when a task starts: run a new task with it (with the launch type and network configuration it ran with):',
    `aws ecs run-task --cluster ${shellArg(target.cluster, 'cluster')} --task-definition <family:revision> --enable-execute-command`,
  ].join('\n');
}

function redeployFix(target: ExecTarget, service: string | undefined): string {
  return service ? serviceFix(target, service) : standaloneFix(target);
}

function detectExec(signal: SignalOf<'text' | 'api-call'>): ExecDetection | null {
  const text = textOf(signal);
  if (text === null) return null;
  const target = execTarget(signal);
  const evidence = [quoted(signal.kind === 'api-call' ? 'detail.errorCode + detail.errorMessage' : signal.source, text)];
  const resource = { ...(target.cluster ? { cluster: target.cluster } : {}), ...(target.task ? { task: arnName(target.task) ?? target.task } : {}), ...(target.container ? { container: target.container } : {}) };
  if (firstMatch(text, callerDenied) || (signal.kind === 'api-call' && /^AccessDenied/i.test(signal.detail.errorCode ?? ''))) {
    const { principal } = deniedPrincipal(text);
    const who = principal ?? (signal.kind === 'api-call' ? signal.detail.userIdentity?.arn : undefined);
    return {
      target,
      resource,
      cause: 'caller-permissions',
      specificity: 'root-cause',
      explanation: `${who ? `${who} is` : 'The person or role running the command is'} not allowed to call ecs:ExecuteCommand, so ECS refused before looking at the task. This is about the caller's IAM policy, not the task role. (Some tools, e.g. Copilot, scope that permission to tasks with ECS Exec turned on, so also check that the service has it.)`,
      fix: `Allow the caller ecs:ExecuteCommand on the task: add to ${who ? shellArg(who, 'caller') : "the caller's"} IAM policy\n{"Effect": "Allow", "Action": "ecs:ExecuteCommand", "Resource": "arn:aws:ecs:${signal.resource.region ?? '<region>'}:${signal.resource.account ?? '<account>'}:task/${target.cluster ?? '<cluster>'}/*"}`,
      evidence,
    };
  }
  if (firstMatch(text, commandMissing)) {
    return {
      target,
      resource,
      cause: 'command-not-found',
      specificity: 'root-cause',
      severity: 'info',
      explanation:
        'ECS Exec worked and opened a session, but the command is not an executable in the container. Either the image has no such shell (slim and distroless images often have /bin/sh but no /bin/bash, or no shell at all), or the command used shell syntax (VAR=value, pipes, &&): ECS Exec runs the first word as a program, not through a shell.',
      fix: `aws ecs execute-command --cluster ${shellArg(target.cluster, 'cluster')} --task ${shellArg(target.task, 'task')} --container ${shellArg(target.container, 'container')} --interactive --command "/bin/sh"\nFor shell syntax wrap it: --command "sh -c 'VAR=value your-command'"`,
      evidence,
    };
  }
  if (firstMatch(text, notEnabled)) {
    return {
      target,
      resource,
      cause: 'not-enabled',
      specificity: 'root-cause',
      explanation:
        'ECS Exec was not turned on for this task, or its execute command agent (the SSM agent ECS runs beside your container) is not running yet. ECS Exec is decided when a task starts: turning it on for a service (update-service --enable-execute-command) does not change tasks already running, they keep it off until replaced.',
      fix: `For a service's task:\n${serviceFix(target)}\nFor a standalone task:\n${standaloneFix(target)}`,
      evidence,
    };
  }
  if (firstMatch(text, notConnected)) {
    return {
      target,
      resource,
      cause: null,
      specificity: 'symptom',
      explanation: `ECS Exec could not reach the SSM agent inside the task ("internal error" is misleading). The documented causes are: the task role is missing or lacks ${SSM_ACTIONS}; the SSM agent is not running; or the task cannot reach Session Manager (private subnet without a NAT gateway, or an interface VPC endpoint for ECS but none for ssmmessages). AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY set in the container's environment also break it (the agent uses them instead of the task role). Right after a task starts it can also be transient: retry after a few seconds.`,
      fix: `Add to the task role: {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], "Resource": "*"}; give private subnets a NAT gateway or a com.amazonaws.${signal.resource.region ?? '<region>'}.ssmmessages interface endpoint; then run https://github.com/aws-containers/amazon-ecs-exec-checker against the task.`,
      evidence,
    };
  }
  return null;
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

export default defineRule({
  meta: {
    id: 'ecs-exec-not-ready',
    title: 'ECS Exec (aws ecs execute-command) cannot open a session in the task',
    seed: 5,
    severity: 'warning',
    signals: ['api-call', 'text'],
    triggers:
      'A failed ExecuteCommand call (CloudTrail) or pasted error: InvalidParameterException "execute command was not enabled when the task was run…", TargetNotConnectedException "…failed due to an internal error", AccessDenied on ecs:ExecuteCommand, "Unable to start command: Failed to start pty"',
    checks: [
      "the task's enableExecuteCommand and ExecuteCommandAgent status (DescribeTasks)",
      "the service's enableExecuteCommand, to catch tasks started before it was turned on (DescribeServices)",
      'Fargate platform ≥ 1.4.0, or EC2 agent ≥ 1.50.2 (DescribeContainerInstances)',
      'the task role and AWS_ACCESS_KEY_ID in container environments (DescribeTaskDefinition)',
      'an ssmmessages VPC endpoint where the VPC uses endpoints (DescribeSubnets, DescribeVpcEndpoints)',
    ],
    needs: [
      'ecs:DescribeTasks',
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
      'ecs:DescribeContainerInstances',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcEndpoints',
    ],
    causes: ['not-enabled', 'agent-not-running', 'task-role-permissions', 'static-credentials', 'network', 'caller-permissions', 'command-not-found'],
    autoFix: null,
  },

  detect: detectExec,

  async investigate(detection, signal, context) {
    if (detection.cause === 'caller-permissions') {
      context.unchecked("whether the caller's IAM policy allows ecs:ExecuteCommand", 'needs iam:SimulatePrincipalPolicy, which the reader does not offer yet');
      return undefined;
    }
    if (detection.cause === 'command-not-found') return undefined;
    const region = signal.resource.region ?? (signal.kind === 'api-call' ? signal.detail.awsRegion : undefined);
    return investigateTask(detection, region, context);
  },
});
