import { at, type Report, type StaticCheck, seen, type TaskDefinitionSubject } from '../../static/check';
import { containerName, containersOf, familyLabel, isEcrImage, runsOnFargate } from '../../static/task-definition';

/**
 * Seed footgun 1, before anything runs: the execution role is the agent's
 * (pull from ECR, write awslogs, read secrets); the task role is the
 * application's. The same role for both, no execution role where the agent
 * needs one, or application permissions granted to the execution role.
 */

/** What the agent does with the execution role (ECS Developer Guide, task_execution_IAM_role.html). */
const agentActionPrefixes = ['ecr:', 'logs:', 'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'kms:Decrypt', 'ssmmessages:'];

interface AgentNeed {
  reason: string;
  path: string;
  /** Whether the container instance role can stand in on EC2 (ECR pulls and awslogs; never secrets). */
  instanceRoleCovers: boolean;
}

function agentNeeds(subject: TaskDefinitionSubject): AgentNeed[] {
  const needs: AgentNeed[] = [];
  for (const { container, path } of containersOf(subject.taskDefinition.value)) {
    const name = containerName(container, path);
    if (isEcrImage(container.image)) needs.push({ reason: `container ${name} pulls a private ECR image`, path: `${path}/image`, instanceRoleCovers: true });
    if (container.logConfiguration?.logDriver === 'awslogs')
      needs.push({ reason: `container ${name} logs with awslogs`, path: `${path}/logConfiguration/logDriver`, instanceRoleCovers: true });
    if ((container.secrets ?? []).length > 0) needs.push({ reason: `container ${name} reads secrets`, path: `${path}/secrets`, instanceRoleCovers: false });
    if (container.repositoryCredentials?.credentialsParameter)
      needs.push({ reason: `container ${name} pulls with private registry credentials`, path: `${path}/repositoryCredentials`, instanceRoleCovers: false });
  }
  return needs;
}

function checkRoles(subject: TaskDefinitionSubject, report: Report): void {
  const { taskDefinition: td, around } = subject;
  const family = familyLabel(td.value);
  const { executionRoleArn, taskRoleArn } = td.value;
  if (executionRoleArn && taskRoleArn && executionRoleArn === taskRoleArn) {
    report.issue({
      cause: 'same-role',
      severity: 'warning',
      title: `Task definition ${family} uses one role as task role and execution role`,
      explanation:
        'The execution role is what the ECS agent uses to pull images, write logs and read secrets; the task role is what the application gets. One role for both hands the application every secret and registry the agent can read, and makes AccessDenied errors hard to place.',
      fix: `Create a separate execution role (trusted by ecs-tasks.amazonaws.com, with the managed policy AmazonECSTaskExecutionRolePolicy and read access to this task's secrets) and set it as "executionRoleArn" in ${family}; keep the application's permissions on the task role.`,
      at: at(td, '/executionRoleArn'),
      evidence: [seen(td, '/executionRoleArn', `executionRoleArn and taskRoleArn are both ${executionRoleArn}`)],
    });
  }
  if (!executionRoleArn) {
    const fargate = runsOnFargate(td.value);
    const needs = agentNeeds(subject).filter((need) => fargate || !need.instanceRoleCovers);
    if (needs.length > 0) {
      report.issue({
        cause: 'execution-role-permissions',
        severity: 'critical',
        title: `Task definition ${family} has no execution role but needs one`,
        explanation: `${needs.map((n) => n.reason).join('; ')}. The ECS agent does that with the task execution role${fargate ? ' (on Fargate there is no instance role to fall back on)' : ''}, so without one the task cannot start ("requires task definition to have execution role ARN" or an ECR/awslogs AccessDenied).`,
        fix: `Add "executionRoleArn": "arn:aws:iam::<account>:role/ecsTaskExecutionRole" to ${family} (a role trusted by ecs-tasks.amazonaws.com with AmazonECSTaskExecutionRolePolicy${needs.some((n) => !n.instanceRoleCovers) ? ' plus secretsmanager:GetSecretValue / ssm:GetParameters on these secrets' : ''}), then register it again.`,
        at: at(td, '/executionRoleArn'),
        evidence: needs.map((n) => seen(td, n.path, n.reason)),
      });
    }
  }
  if (executionRoleArn && executionRoleArn !== taskRoleArn) {
    const grants = around.roleGrants(executionRoleArn);
    // Unknown when the role is not defined in the same template (lint) or not read (audit).
    if (grants === undefined) return;
    const application = grants.filter((action) => !agentActionPrefixes.some((prefix) => action.startsWith(prefix)) && action !== '*');
    if (application.length === 0) return;
    report.issue({
      cause: 'execution-role-permissions',
      severity: 'warning',
      title: `The execution role of ${family} carries application permissions`,
      explanation: `The execution role grants ${application.join(', ')}; only the ECS agent uses it (image pulls, logs, secrets). The application never gets these permissions: it calls AWS with the task role${taskRoleArn ? '' : ', and this task definition has none'}, so these calls will fail with AccessDenied.`,
      fix: `Move ${application.join(', ')} from the execution role to the task role ("taskRoleArn" of ${family}).`,
      at: at(td, '/executionRoleArn'),
      evidence: [seen(td, '/executionRoleArn', `executionRoleArn ${executionRoleArn} grants ${grants.join(', ')}`)],
    });
  }
}

const taskExecutionRoleCheck: StaticCheck = {
  rule: 'task-execution-role-confusion',
  causes: ['same-role', 'execution-role-permissions'],
  summary:
    'task definitions: the same role as task role and execution role; no execution role where a private ECR image, awslogs (Fargate) or secrets need one; application permissions (anything beyond ECR, logs, secrets and KMS decrypt) on the execution role, where its policies are in the template',
  taskDefinition: checkRoles,
};

export default taskExecutionRoleCheck;
