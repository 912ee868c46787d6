import type { Signal, SignalOf } from '../../events/signals';
import type { Detection } from '../rule';
import { deniedPrincipal, quoted, shellArg } from '../text';
import {
  deniedResource,
  ecsTasksTrustPolicy,
  ecsTasksTrustStatement,
  putRolePolicy,
  roleNameOf,
  sessionKind,
} from '../../facts/iam';
import { isSecretsFetch } from '../../facts/secrets';

/** Every text this rule claims says one of these (a secrets fetch is secrets-pull-failure's). */
const mentionsRoleProblem = /not authorized|AccessDenied|unable to assume the role|execution role ARN|executionRoleArn|Role is not valid|403 Forbidden/i;

export type Cause = 'execution-role-permissions' | 'task-role-permissions' | 'same-role' | 'trust-policy';

const executionManagedPolicy = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

const twoRoles =
  "ECS uses two roles: the task execution role (executionRoleArn) is the ECS agent's identity, used before your code runs to pull the image from ECR, fetch secrets and write awslogs; the task role (taskRoleArn) is your application's identity for its own AWS calls (S3, DynamoDB, SQS…).";

/** Where the agent's own work shows in a text: an image pull, a task start, ECR registry auth. */
const agentContext = /CannotPull\w*ContainerError|ResourceInitializationError|registry auth|pull image manifest/i;
const ecrDenied = /not authorized to perform:?\s*(ecr:(?:GetAuthorizationToken|BatchGetImage|GetDownloadUrlForLayer|BatchCheckLayerAvailability))/i;
const loggingDriver = /logger args|logging driver|Cloudwatch log (stream|group)/i;
const logsAction = /logs:(CreateLogStream|CreateLogGroup|PutLogEvents)/i;
/**
 * RegisterTaskDefinition's ClientExceptions for a feature the agent serves with the execution role
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html).
 */
const noExecutionRole =
  /requires task definition to have execution role ARN to support ([^.]+)|(container secrets), you must also specify a value for '?executionRoleArn|(Private repository authentication) requires that the task definition specify a value for '?executionRoleArn/i;
/** RegisterTaskDefinition's answer to a role ARN that names no usable role. */
const invalidRole = /\bRole is not valid\b/i;
const unableToAssume = /ECS was unable to assume the role '([^']*)'/i;
/** An ECR host in a pull that ended in 403: `<account>.dkr.ecr.<region>.amazonaws.com/<repo>`. */
const ecrForbidden = /CannotPullContainerError[\s\S]*?([^\s/"'.]+)\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^\s:@"]+)[\s\S]*403 Forbidden/i;

export interface RoleFacts {
  /** The role a text or event names: the denied principal's, or the one ECS could not assume. */
  role: string | undefined;
  action: string | undefined;
  resource: string | undefined;
  /** The application ran on the EC2 instance profile because the task had no task role. */
  instanceFallback: boolean;
  /** The task definition has no execution role, e.g. "… to support ECR images". */
  missingExecutionRole: string | undefined;
  /** ECR repository, Region and registry account of a 403 pull. */
  repository: { name: string; region: string; account: string } | undefined;
  /** The task family, to name a new role after. */
  family: string | undefined;
}

export interface RoleDetection extends Detection {
  facts: RoleFacts;
}

const noFacts: RoleFacts = {
  role: undefined,
  action: undefined,
  resource: undefined,
  instanceFallback: false,
  missingExecutionRole: undefined,
  repository: undefined,
  family: undefined,
};

/** A new task role for the application, named after the task family when known. */
function createTaskRole(f: RoleFacts): string[] {
  const name = f.family && `${f.family}-task-role`;
  return [
    `aws iam create-role --role-name ${shellArg(name, 'app-task-role')} --assume-role-policy-document ${shellArg(ecsTasksTrustPolicy, 'trust-policy')}`,
    putRolePolicy(name, 'app-task-role', 'app-access', [f.action ?? '<actions-your-app-calls>'], [f.resource ?? '<resource-arns>']),
  ];
}

export function fixFor(cause: Cause, f: RoleFacts): string {
  const role = shellArg(f.role, cause === 'task-role-permissions' ? 'task-role' : 'task-execution-role');
  switch (cause) {
    case 'execution-role-permissions': {
      if (f.missingExecutionRole) {
        return [
          `aws iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document ${shellArg(ecsTasksTrustPolicy, 'trust-policy')}`,
          `aws iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn ${executionManagedPolicy}`,
          'then set "executionRoleArn": "arn:aws:iam::<account-id>:role/ecsTaskExecutionRole" in the task definition and register it again.',
        ].join('\n');
      }
      if (f.action?.toLowerCase() === 'logs:createloggroup') {
        return [
          putRolePolicy(f.role, 'task-execution-role', 'create-log-group', ['logs:CreateLogGroup'], [f.resource ?? 'arn:aws:logs:<region>:<account-id>:log-group:<awslogs-group>:*']),
          `(awslogs-create-group needs logs:CreateLogGroup, which ${executionManagedPolicy} does not include; or create the group once and drop awslogs-create-group.)`,
        ].join('\n');
      }
      const lines = [
        `aws iam attach-role-policy --role-name ${role} --policy-arn ${executionManagedPolicy}`,
        'It allows ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage, logs:CreateLogStream and logs:PutLogEvents. It belongs on the role in executionRoleArn: the same permissions on the task role do not help the pull.',
      ];
      if (f.repository) {
        lines.push(
          'If the role already has them, a repository policy may deny the pull:',
          `aws ecr get-repository-policy --repository-name ${shellArg(f.repository.name, 'repository')} --region ${f.repository.region}`,
        );
      }
      return lines.join('\n');
    }
    case 'task-role-permissions':
      if (f.instanceFallback) {
        return [
          ...createTaskRole(f),
          `then set "taskRoleArn": "arn:aws:iam::<account-id>:role/${f.family ? `${f.family}-task-role` : '<app-task-role>'}" in the task definition and register it again${f.role ? `; do not widen the instance role ${f.role}` : ''}.`,
        ].join('\n');
      }
      return [
        putRolePolicy(f.role, 'task-role', 'app-access', [f.action ?? '<action>'], [f.resource ?? '<resource-arn>']),
        'Put it on the role in taskRoleArn (the one in the denial), not on the execution role.',
      ].join('\n');
    case 'same-role':
      return [
        ...createTaskRole(f),
        `then register the task definition again with "taskRoleArn" set to that new role, keep ${role} as "executionRoleArn" with only ${executionManagedPolicy} (plus secret reads), and move your application's permissions off it.`,
      ].join('\n');
    case 'trust-policy':
      return [
        // update-assume-role-policy replaces the whole trust policy: the user merges, so no other principal loses the role.
        `aws iam get-role --role-name ${role} --query Role.AssumeRolePolicyDocument`,
        `Add this statement to that document's Statement list, then write the merged document back with update-assume-role-policy (it replaces the whole trust policy): ${JSON.stringify(ecsTasksTrustStatement)}`,
        `The user or pipeline that registers the task definition or service also needs iam:PassRole on ${f.role ?? 'the role'}.`,
      ].join('\n');
  }
}

export function explanationFor(cause: Cause, f: RoleFacts, specificity: Detection['specificity']): string {
  const role = f.role ? `the role ${f.role}` : 'the role';
  switch (cause) {
    case 'execution-role-permissions':
      if (f.missingExecutionRole) {
        return `The task definition has no task execution role, but it needs one to support ${f.missingExecutionRole}. ${twoRoles}`;
      }
      if (specificity === 'symptom') {
        return `ECR answered 403 Forbidden to the image pull. ${twoRoles} The pull is made with the execution role, so most often it lacks ecr:BatchGetImage/ecr:GetDownloadUrlForLayer (or there is no execution role and an EC2 host falls back to its instance role). Other causes: a repository policy that denies this account or role, or a cross-account repository that does not grant it.`;
      }
      return `The ECS agent was denied ${f.action ?? 'an ECR or CloudWatch Logs action'} with ${role}, so the task never started. ${twoRoles} This permission must be on the execution role; the task role does not count.`;
    case 'task-role-permissions':
      if (f.instanceFallback) {
        return `Your application's AWS call (${f.action ?? 'an API call'}) was made with the EC2 instance role ${f.role ?? ''}: the task has no task role, so the SDK fell back to the instance profile. ${twoRoles} Give the task its own task role with this permission instead of widening the instance role, which every task on the host shares.`;
      }
      return `Your application was denied ${f.action ?? 'an AWS call'}${f.resource ? ` on ${f.resource}` : ''} with ${role}, the task role. ${twoRoles} A permission added to the execution role never reaches your code; add it to the task role.`;
    case 'same-role':
      return `The task definition uses ${role} as both execution role and task role. ${twoRoles} With one role, your application holds the agent's permissions (every ECR image, every secret the role can read) and the agent holds the application's: give the application its own task role.`;
    case 'trust-policy':
      return `ECS could not assume ${role}. ${twoRoles} Both roles must trust the service principal ecs-tasks.amazonaws.com (a role created for EC2 or Lambda does not), and whoever deploys must be allowed iam:PassRole on it.`;
  }
}

function detection(cause: Cause, facts: RoleFacts, signal: Signal, specificity: Detection['specificity'] = 'root-cause'): RoleDetection {
  return {
    cause,
    specificity,
    ...(cause === 'same-role' ? { severity: 'warning' as const } : {}),
    explanation: explanationFor(cause, facts, specificity),
    fix: fixFor(cause, facts),
    evidence: signal.text ? [quoted(signal.source, signal.text)] : [],
    facts,
  };
}

/** The role family with no known cause: which ARN ECS rejected, and why, needs the task definition and IAM. */
function invalidRoleDetection(facts: RoleFacts, signal: Signal): RoleDetection {
  return {
    cause: null,
    specificity: 'root-cause',
    explanation: `ECS rejected a role ARN of the task definition: executionRoleArn or taskRoleArn does not name an IAM role ECS can use (a typo, a role in another account, the ARN of something that is not a role, a role deleted since, or one whose trust policy does not allow ecs-tasks.amazonaws.com). ${twoRoles}`,
    fix: [
      '# which role ARNs the task definition names, then whether each exists and trusts ecs-tasks.amazonaws.com:',
      `aws ecs describe-task-definition --task-definition ${shellArg(facts.family, 'family')} --query 'taskDefinition.[executionRoleArn,taskRoleArn]'`,
      "aws iam get-role --role-name <role-name> --query 'Role.AssumeRolePolicyDocument'",
    ].join('\n'),
    evidence: signal.text ? [quoted(signal.source, signal.text)] : [],
    facts,
  };
}

/** A RegisterTaskDefinition call whose request names the same role twice. */
function sameRoleRegistration(signal: Signal): RoleDetection | null {
  if (signal.kind !== 'api-call' || signal.detail.eventName !== 'RegisterTaskDefinition') return null;
  const request = signal.detail.requestParameters ?? {};
  const { executionRoleArn, taskRoleArn, family } = request;
  if (typeof executionRoleArn !== 'string' || executionRoleArn === '' || executionRoleArn !== taskRoleArn) return null;
  const facts = { ...noFacts, role: roleNameOf(executionRoleArn), family: typeof family === 'string' ? family : undefined };
  const found = detection('same-role', facts, signal);
  if (facts.family) found.resource = { taskFamily: facts.family };
  found.evidence.push({ source: 'detail.requestParameters', observed: `executionRoleArn and taskRoleArn are both ${executionRoleArn}` });
  return found;
}

function familyOf(signal: Signal): string | undefined {
  return signal.resource.taskFamily;
}

function detectText(signal: Signal): RoleDetection | null {
  const { text } = signal;
  if (!mentionsRoleProblem.test(text) || isSecretsFetch(text)) return null;
  const family = familyOf(signal);
  const { principal, action } = deniedPrincipal(text);
  const base = { ...noFacts, family, role: roleNameOf(principal), action, resource: deniedResource(text) };

  const assume = unableToAssume.exec(text);
  if (assume) return detection('trust-policy', { ...base, role: roleNameOf(assume[1]) ?? assume[1] }, signal);

  const missing = noExecutionRole.exec(text);
  if (missing) {
    const feature = missing[1] ?? missing[2] ?? 'private registry authentication (repositoryCredentials)';
    return detection('execution-role-permissions', { ...base, missingExecutionRole: feature }, signal);
  }
  if (invalidRole.test(text)) return invalidRoleDetection(base, signal);

  const ecr = ecrDenied.exec(text);
  // An ECR denial outside ECS (a CI box logging in) is not this rule's: require the agent's wording or a task session.
  if (ecr && (agentContext.test(text) || sessionKind(principal) === 'ecs-task' || signal.kind !== 'text')) {
    return detection('execution-role-permissions', { ...base, action: ecr[1] }, signal);
  }

  if (loggingDriver.test(text) && /AccessDenied/i.test(text)) {
    return detection('execution-role-permissions', { ...base, action: action ?? logsAction.exec(text)?.[0] }, signal);
  }

  const forbidden = ecrForbidden.exec(text);
  if (forbidden) {
    const repository = { name: forbidden[3] as string, region: forbidden[2] as string, account: /^\d{12}$/.test(forbidden[1] ?? '') ? (forbidden[1] as string) : '<account-id>' };
    return detection('execution-role-permissions', { ...base, repository }, signal, 'symptom');
  }

  if (!principal || !action) return null;
  const kind = sessionKind(principal);
  if (kind === 'ecs-task') return detection('task-role-permissions', base, signal);
  // An instance-profile session is only an ECS task's fallback when the event is ECS's or the role says so.
  if (kind === 'ec2-instance' && (signal.kind !== 'text' || /ecs/i.test(base.role ?? ''))) {
    return detection('task-role-permissions', { ...base, instanceFallback: true }, signal);
  }
  return null;
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action' | 'api-call'>): RoleDetection | null {
  return sameRoleRegistration(signal) ?? detectText(signal);
}

