import { at, type Report, type ServiceSubject, type StaticCheck, seen } from '../../static/check';
import { clusterLabel, onFargate, serviceLabel } from '../../static/service';
import { containerName, containersOf } from '../../static/task-definition';

/**
 * Seed footgun 5, before anyone needs a shell: a service with ECS Exec turned
 * on that cannot actually open one. The checks follow
 * aws-containers/amazon-ecs-exec-checker where they can be judged from
 * configuration: platform version, task role and its SSM permissions, KMS and
 * logging permissions the cluster's exec configuration adds, a read-only root
 * file system, AWS credentials in the environment, and the init process.
 */

const SSM_ACTIONS = ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'];
const STATIC_CREDENTIALS = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY']);

function grants(actions: readonly string[], wanted: string): boolean {
  const [service] = wanted.split(':');
  return actions.some((a) => a === '*' || a === wanted || a === `${service}:*`);
}

function ssmPolicy(extra: readonly string[] = []): string {
  return JSON.stringify({ Effect: 'Allow', Action: [...SSM_ACTIONS, ...extra], Resource: '*' });
}

function checkExec(subject: ServiceSubject, report: Report): void {
  const { service, taskDefinition: td } = subject;
  if (service.value.enableExecuteCommand !== true) return;
  const name = serviceLabel(service.value);
  const redeploy = `aws ecs update-service --cluster ${clusterLabel(service.value)} --service ${name} --force-new-deployment`;
  const version = service.value.platformVersion;
  if (onFargate(subject) && typeof version === 'string' && /^1\.[0-3]\./.test(version)) {
    report.issue({
      cause: 'platform-version',
      severity: 'critical',
      title: `ECS Exec is on for service ${name}, but its Fargate platform ${version} has no ECS Exec`,
      explanation: `ECS Exec needs Fargate platform version 1.4.0 or later; on ${version} the SSM agent is never started in the task, so execute-command fails.`,
      fix: `aws ecs update-service --cluster ${clusterLabel(service.value)} --service ${name} --platform-version 1.4.0 --force-new-deployment`,
      at: at(service, '/platformVersion'),
      evidence: [seen(service, '/platformVersion', `enableExecuteCommand true, platformVersion ${version}`)],
    });
  }
  if (!td) {
    report.unchecked(service.origin, 'ECS Exec readiness of the task definition', 'the task definition is not in the input');
    return;
  }
  const taskRole = td.value.taskRoleArn;
  if (!taskRole) {
    report.issue({
      cause: 'task-role-permissions',
      severity: onFargate(subject) ? 'critical' : 'warning',
      title: `ECS Exec is on for service ${name}, but its task definition has no task role`,
      explanation: `The SSM agent in the task opens the exec session with the task role's ${SSM_ACTIONS.join(', ')} permissions. Without a task role${onFargate(subject) ? '' : ' it falls back to the instance role, which rarely has them'}, the session never connects (TargetNotConnectedException).`,
      fix: `Set "taskRoleArn" in ${td.value.family ?? '<family>'} to a role trusted by ecs-tasks.amazonaws.com with the policy ${ssmPolicy()}, then ${redeploy}`,
      at: at(td, '/taskRoleArn'),
      evidence: [seen(service, '/enableExecuteCommand', 'enableExecuteCommand true'), seen(td, '', 'no taskRoleArn')],
    });
  } else {
    checkTaskRole(subject, taskRole, report);
  }
  for (const { container, path } of containersOf(td.value)) {
    const cname = containerName(container, path);
    if (container.readonlyRootFilesystem === true) {
      report.issue({
        cause: 'read-only-root',
        severity: 'critical',
        title: `ECS Exec cannot start in container ${cname}: its root file system is read-only`,
        explanation: 'The SSM agent that ECS Exec injects writes its state under the container root; with readonlyRootFilesystem true it cannot start and exec sessions fail.',
        fix: `Set "readonlyRootFilesystem": false for ${cname} in ${td.value.family ?? '<family>'} (or keep it read-only and turn ECS Exec off), then ${redeploy}`,
        at: at(td, `${path}/readonlyRootFilesystem`),
        evidence: [seen(td, `${path}/readonlyRootFilesystem`, 'readonlyRootFilesystem true')],
      });
    }
    const overriding = (container.environment ?? []).filter((e) => typeof e.name === 'string' && STATIC_CREDENTIALS.has(e.name));
    if (overriding.length > 0) {
      report.issue({
        cause: 'static-credentials',
        severity: 'warning',
        title: `Container ${cname} sets AWS credentials in its environment, which ECS Exec's agent uses instead of the task role`,
        explanation: `${overriding.map((e) => e.name).join(', ')} in the environment take precedence over the task role for the SSM agent too; unless those keys allow ${SSM_ACTIONS.join(', ')}, exec sessions fail.`,
        fix: `Remove ${overriding.map((e) => e.name).join(', ')} from ${cname}'s environment and grant what the application needs to the task role.`,
        at: at(td, `${path}/environment`),
        evidence: [seen(td, `${path}/environment`, overriding.map((e) => e.name).join(', '))],
      });
    }
    if (container.linuxParameters?.initProcessEnabled !== true && !onFargateWindows(subject)) {
      report.issue({
        cause: 'init-process',
        severity: 'info',
        title: `Container ${cname} runs without an init process; ECS Exec sessions may leave zombie processes`,
        explanation: 'AWS recommends linuxParameters.initProcessEnabled true with ECS Exec, so processes started by exec sessions are reaped when the session ends.',
        fix: `Set "linuxParameters": {"initProcessEnabled": true} for ${cname} in ${td.value.family ?? '<family>'}.`,
        at: at(td, `${path}/linuxParameters`),
        evidence: [seen(td, path, 'initProcessEnabled not set')],
      });
    }
  }
}

function onFargateWindows({ taskDefinition }: ServiceSubject): boolean {
  return /WINDOWS/i.test(taskDefinition?.value.runtimePlatform?.operatingSystemFamily ?? '');
}

function checkTaskRole(subject: ServiceSubject, taskRole: string, report: Report): void {
  const { service, taskDefinition: td, around } = subject;
  if (!td) return;
  const actions = around.roleGrants(taskRole);
  if (actions === undefined) {
    report.unchecked(td.origin, `the task role's ${SSM_ACTIONS.length} ssmmessages permissions for ECS Exec`, around.accountFacts ?? "the role's policies were not read");
    return;
  }
  const cluster = around.cluster(service.value.clusterArn);
  const config = cluster?.configuration?.executeCommandConfiguration;
  const needed = [...SSM_ACTIONS];
  if (config?.kmsKeyId) needed.push('kms:Decrypt');
  if (config?.logging === 'OVERRIDE' && config.logConfiguration?.s3BucketName) needed.push('s3:PutObject');
  if (config?.logging === 'OVERRIDE' && config.logConfiguration?.cloudWatchLogGroupName) needed.push('logs:PutLogEvents');
  const missing = needed.filter((action) => !grants(actions, action));
  if (missing.length === 0) return;
  report.issue({
    cause: 'task-role-permissions',
    severity: 'critical',
    title: `ECS Exec is on for service ${serviceLabel(service.value)}, but its task role lacks ${missing.join(', ')}`,
    explanation: `The SSM agent in the task opens exec sessions with the task role${config?.kmsKeyId ? ', decrypts them with the cluster\'s KMS key' : ''}${config?.logging === 'OVERRIDE' ? ' and writes the session log' : ''}; without ${missing.join(', ')} the session fails (TargetNotConnectedException).`,
    fix: `Add to the task role ${taskRole}: ${ssmPolicy(missing.filter((a) => !a.startsWith('ssmmessages:')))}`,
    at: at(td, '/taskRoleArn'),
    evidence: [seen(td, '/taskRoleArn', `task role grants ${actions.join(', ') || 'nothing'}`)],
  });
}

const ecsExecCheck: StaticCheck = {
  rule: 'ecs-exec-not-ready',
  causes: ['platform-version', 'task-role-permissions', 'read-only-root', 'static-credentials', 'init-process'],
  summary:
    "services with ECS Exec on (the checks of amazon-ecs-exec-checker that configuration shows): Fargate platform before 1.4.0, no task role, a task role without the ssmmessages actions (and kms:Decrypt, s3:PutObject or logs:PutLogEvents when the cluster's exec configuration needs them), a read-only root file system, AWS credentials in the environment, no init process; agent versions are judged by agent-version-drift",
  service: checkExec,
};

export default ecsExecCheck;
