import { parseArn } from '../../arn';
import type { Signal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { type Detection, defineRule } from '../rule';
import { anyOf, arnsIn, deniedPrincipal, firstMatch, type Patterns, quoted, shellArg } from '../text';
import { putRolePolicy, roleNameOf, taskDefinitionArnOf } from '../../facts/iam';
import { type AccessFacts, type BlockedKey, checkAccess, type DeniedRead, readAction } from './access';
import { checkStorePath } from './route';
import {
  isSecretsFetch,
  parameterNameOf,
  policyResource,
  type SecretRef,
  type SecretStore,
  secretIdOf,
  secretRefs,
  usableArns,
} from '../../facts/secrets';

/**
 * Seed footgun 11. Before a container starts, the ECS agent fetches every
 * `secrets[].valueFrom` with the task EXECUTION role; which texts mean that is
 * in shared/facts/secrets.ts (isSecretsFetch). The seed calls the message "maddeningly
 * vague": the part after the prefix usually names the cause, so it is split here.
 */

type Cause = 'kms' | 'permission' | 'not-found' | 'invalid-json' | 'network';

/** Checked in order: a KMS denial is also an AccessDeniedException, so it comes first. */
const causePatterns: ReadonlyArray<readonly [Cause, Patterns]> = [
  ['kms', anyOf([/Access to KMS is not allowed/i, /kms:Decrypt/i, /KMS\w*Exception/i, /ciphertext refers to a customer master key/i])],
  ['permission', anyOf([/AccessDenied/i, /not authorized to perform/i])],
  [
    'not-found',
    anyOf([/ResourceNotFound/i, /can'?t find the specified secret/i, /ParameterNotFound/i, /invalid parameters?:/i, /can'?t retrieve the secret with ARN/i, /could not find a secretsmanager secretID/i]),
  ],
  ['invalid-json', anyOf([/did not contain json key/i, /looking for beginning of value/i, /unable to unmarshal/i])],
  [
    'network',
    anyOf([
      /context deadline exceeded/i,
      /RequestCanceled/i,
      /connection issue between the task/i,
      /network (configuration|connection)/i,
      /i\/o timeout/i,
      /dial tcp/i,
      /no such host/i,
      /send request failed/i,
    ]),
  ],
];

/** What the text (and later the account) says about the failing fetch; the fix is built from it. */
export interface SecretFacts {
  store: SecretStore | undefined;
  /** Secret or parameter ARNs, from the text or else the task definition. */
  resources: string[];
  /** The execution role's name. */
  role: string | undefined;
  region: string | undefined;
  subnets: string[];
  vpc: string | undefined;
  /** From the account: reads the role's policies do not allow, and customer managed keys it cannot decrypt with. */
  denied: DeniedRead[];
  blockedKeys: BlockedKey[];
}

interface SecretsDetection extends Detection {
  facts: SecretFacts;
}

function storeOf(text: string): SecretStore | undefined {
  // SSM first: a Secrets Manager secret read through Parameter Store has "secretsmanager" in its parameter path.
  if (/from ssm\b|SSM Parameter Store|Systems Manager/i.test(text)) return 'ssm';
  if (/from asm\b|Secrets Manager/i.test(text)) return 'asm';
  return undefined;
}

const isRegion = /^[a-z]{2}(-[a-z]+)+-\d$/;

function regionOf(text: string, resources: readonly string[], signal: Signal): string | undefined {
  const named = /\bin (?:region )?([a-z]{2}(?:-[a-z]+)+-\d)\b/i.exec(text)?.[1];
  // Read the Region field directly: truncated ARNs ("…:eu-west-2:788375279931...") do not parse but still name it.
  const inArn = resources.map((arn) => arn.split(':')[3]).find((region) => region && isRegion.test(region));
  return named ?? inArn ?? signal.resource.region;
}

function subnetsOf(signal: Signal): string[] {
  if (!('task' in signal)) return [];
  const details = (signal.task.attachments ?? []).flatMap((attachment) => attachment.details ?? []);
  return details.filter((d) => d.name === 'subnetId' && d.value).map((d) => d.value as string);
}

const storeNames: Record<SecretStore, string> = { asm: 'Secrets Manager', ssm: 'SSM Parameter Store' };

function placeholderFor(store: SecretStore | undefined): string {
  return store === 'ssm' ? '<parameter-arn>' : '<secret-arn>';
}

function fixFor(cause: Cause | null, f: SecretFacts): string {
  const target = f.resources[0];
  const region = shellArg(f.region, 'region');
  switch (cause) {
    case 'permission':
      return [
        putRolePolicy(
          f.role,
          'task-execution-role',
          'read-secrets',
          [f.store === 'ssm' ? 'ssm:GetParameters' : 'secretsmanager:GetSecretValue'],
          f.resources.length > 0 ? f.resources.map(policyResource) : [placeholderFor(f.store)],
        ),
        'Grant it on the exact ARNs the task definition uses (a secret ARN needs its random 6-character suffix, or "-??????"). If the secret is encrypted with a customer managed KMS key, the role also needs kms:Decrypt on that key.',
      ].join('\n');
    case 'kms':
      return [
        f.store === 'ssm'
          ? `aws ssm describe-parameters --parameter-filters Key=Name,Values=${shellArg(target && parameterNameOf(target), 'parameter-name')} --query 'Parameters[0].KeyId' --region ${region}`
          : `aws secretsmanager describe-secret --secret-id ${shellArg(target && secretIdOf(target), 'secret-arn')} --query KmsKeyId --output text --region ${region}`,
        putRolePolicy(f.role, 'task-execution-role', 'decrypt-secrets', ['kms:Decrypt'], ['<kms-key-arn>']),
        'and check that the key policy allows the account (or the role) to use the key:',
        'aws kms get-key-policy --key-id <kms-key-arn> --policy-name default',
      ].join('\n');
    case 'network': {
      const service = f.store === 'ssm' ? 'ssm' : 'secretsmanager';
      const subnets = f.subnets.length > 0 ? f.subnets.join(' ') : '<task-subnet-ids>';
      return [
        `aws ec2 create-vpc-endpoint --vpc-id ${shellArg(f.vpc, 'vpc-id')} --vpc-endpoint-type Interface --service-name com.amazonaws.${f.region ?? '<region>'}.${service} --subnet-ids ${subnets} --security-group-ids <sg-allowing-443-from-tasks> --private-dns-enabled`,
        "or give the task a route to the internet: a NAT gateway for a private subnet, or assignPublicIp=ENABLED in a public subnet. Either way the task's security group must allow outbound HTTPS (443).",
      ].join('\n');
    }
    case 'not-found':
      return [
        f.store === 'ssm'
          ? `aws ssm get-parameters --names ${shellArg(target, 'parameter-name-or-arn')} --region ${region}`
          : `aws secretsmanager describe-secret --secret-id ${shellArg(target && secretIdOf(target), 'secret-arn')} --region ${region}`,
        'If it is not there, create it (with a value: a secret without an AWSCURRENT version is "not found" too), or point valueFrom in the task definition at the right full ARN and register a new revision.',
      ].join('\n');
    case 'invalid-json':
      return [
        `aws secretsmanager get-secret-value --secret-id ${shellArg(target && secretIdOf(target), 'secret-arn')} --query SecretString --output text --region ${region}`,
        'The secret must be a valid JSON object containing the key that valueFrom selects (arn:…:secret:name-AbCdEf:<json-key>::). Add the key to the secret, or fix the key in valueFrom and register a new revision.',
      ].join('\n');
    case null:
      return [
        'Check, in this order:',
        '1. that the task execution role may read the secret:',
        putRolePolicy(f.role, 'task-execution-role', 'read-secrets', [f.store === 'ssm' ? 'ssm:GetParameters' : 'secretsmanager:GetSecretValue'], f.resources.length > 0 ? f.resources.map(policyResource) : [placeholderFor(f.store)]),
        '2. if the secret uses a customer managed KMS key, kms:Decrypt on that key for the same role;',
        `3. a route from the task's subnets to ${f.store === 'ssm' ? 'SSM' : 'Secrets Manager'}: a VPC endpoint (com.amazonaws.${f.region ?? '<region>'}.${f.store === 'ssm' ? 'ssm' : 'secretsmanager'}), a NAT gateway or a public IP, with outbound 443 allowed;`,
        `4. that the secret exists in ${f.region ?? 'the task\'s Region'} under the ARN in valueFrom.`,
      ].join('\n');
  }
}

function explanationFor(cause: Cause | null, f: SecretFacts): string {
  const store = f.store ? storeNames[f.store] : 'Secrets Manager or SSM Parameter Store';
  const role = f.role ? `the task execution role ${f.role}` : 'the task execution role';
  const what = f.resources.length > 0 ? f.resources.join(', ') : `a secret in ${store}`;
  const lead = `Before any container starts, ECS fetches the task definition's secrets with ${role} (not the task role your application uses). `;
  switch (cause) {
    case 'permission':
      return `${lead}${store} refused: the role is not allowed to read ${what}, so the task never started. Its policy must allow ${f.store === 'ssm' ? 'ssm:GetParameters' : 'secretsmanager:GetSecretValue'} on that exact ARN; permissions put on the task role do not count here.`;
    case 'kms':
      return `${lead}The role may read ${what}, but the value is encrypted with a customer managed KMS key that the role may not use ("Access to KMS is not allowed"), so the task never started. It needs kms:Decrypt on that key, and the key policy must not shut the role out.`;
    case 'network':
      return `${lead}The request to ${store} timed out: the task's subnets have no route to it (no VPC endpoint, no NAT gateway, no public IP) or its security group blocks outbound HTTPS. On Fargate 1.4+ this traffic leaves through the task's own network interface, inside your VPC.`;
    case 'not-found':
      return `${lead}${store} has no ${what}${f.region ? ` in ${f.region}` : ''}: the ARN in valueFrom is wrong, the secret was deleted, it lives in another Region or account, or it has no current value yet.`;
    case 'invalid-json':
      return `${lead}The secret was read, but valueFrom asks for a JSON key and the secret's value is not valid JSON or does not contain that key, so the environment variable could not be filled.`;
    case null:
      return `${lead}The text does not say why the fetch failed (it is often truncated). The usual causes, most common first: the role lacks ${f.store === 'ssm' ? 'ssm:GetParameters' : 'secretsmanager:GetSecretValue'} on the exact ARN, it lacks kms:Decrypt on a customer managed key, the task's subnets cannot reach ${store}, or the secret does not exist in that Region.`;
  }
}

/** The actions that read these resources: GetSecretValue for secrets, GetParameters for parameters. */
function readActionsOf(arns: readonly string[]): string[] {
  return [...new Set(arns.map((arn) => readAction[parseArn(arn)?.service === 'ssm' ? 'ssm' : 'asm']))];
}

/** The exact changes when the account showed what blocks the role; undefined when it did not. */
function accountFix(f: SecretFacts & { roleArn: string; policies: readonly string[] }): string | undefined {
  const lines: string[] = [];
  const role = shellArg(f.role, 'task-execution-role');
  const grantable = f.denied.filter((d) => d.decision.decision === 'implicitDeny' && !d.decision.deniedBy).map((d) => d.arn);
  if (grantable.length > 0) {
    lines.push(putRolePolicy(f.role, 'task-execution-role', 'read-secrets', readActionsOf(grantable), grantable.map(policyResource)));
  }
  for (const { arn, store, decision } of f.denied.filter((d) => d.decision.decision === 'explicitDeny' || d.decision.deniedBy)) {
    lines.push(
      decision.deniedBy === 'permissions boundary'
        ? `The permissions boundary of ${role} does not allow ${readAction[store]} on ${arn}: add it to the boundary policy (aws iam get-role --role-name ${role} --query Role.PermissionsBoundary).`
        : decision.deniedBy === 'service control policy'
          ? `An Organizations service control policy denies ${readAction[store]} on ${arn}: only the organization's administrators can change it.`
          : `A Deny statement${decision.policies.length > 0 ? ` in ${decision.policies.join(', ')}` : ''} blocks ${readAction[store]} on ${arn}; no Allow overrides it: remove or narrow that statement.`,
    );
  }
  const iamKeys = f.blockedKeys.filter((k) => k.why === 'iam').map((k) => k.arn);
  if (iamKeys.length > 0) lines.push(putRolePolicy(f.role, 'task-execution-role', 'decrypt-secrets', ['kms:Decrypt'], iamKeys));
  for (const key of f.blockedKeys) {
    if (key.why === 'key-policy') {
      // A grant adds the permission beside the key policy; rewriting the key policy could drop what it grants others.
      lines.push(
        `The key policy of ${key.arn} lets neither the role nor the account use it: grant the role Decrypt on that key.`,
        `aws kms create-grant --key-id ${key.arn} --grantee-principal ${f.roleArn} --operations Decrypt --name ecs-medic-decrypt-secrets`,
      );
    } else if (key.why === 'key-policy-deny') {
      lines.push(
        `The statement "${key.by}" in the key policy of ${key.arn} denies ${role} kms:Decrypt: narrow it in the key policy (read it below, edit, and write it back with PutKeyPolicy, which replaces the whole policy).`,
        `aws kms get-key-policy --key-id ${key.arn} --policy-name default --query Policy --output text`,
      );
    } else if (key.why === 'iam-deny') {
      lines.push(`A Deny statement${key.by ? ` in ${key.by}` : ''} blocks kms:Decrypt on ${key.arn} for ${role}: remove or narrow it.`);
    }
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

const keyProblem: Record<BlockedKey['why'], string> = {
  'key-policy': 'its key policy allows neither the role nor the account',
  'key-policy-deny': 'its key policy denies the role',
  iam: "its key policy leaves it to IAM and the role's policies do not allow kms:Decrypt on it",
  'iam-deny': "a Deny in the role's policies blocks kms:Decrypt on it",
};

/** What the account showed, in sentences for the explanation. */
function accountNotes(cause: Cause | null, role: string, access: AccessFacts): string[] {
  const notes: string[] = [];
  if (access.denied.length > 0) {
    const denied = access.denied.map((d) => `${readAction[d.store]} on ${d.arn} (${d.decision.decision})`).join(', ');
    notes.push(
      `Simulated against its policies, ${role} may not: ${denied}${access.allowed.length > 0 ? `; it may read ${access.allowed.join(', ')}` : ''}.`,
    );
  } else if (cause === 'permission' && access.allowed.length > 0) {
    notes.push(
      `Simulated against its policies, ${role} may read every one of them now: the policy may have been fixed since this failure, or something the simulator does not evaluate refuses it (the secret's resource policy, a VPC endpoint policy).`,
    );
  }
  for (const key of access.blockedKeys) {
    notes.push(`${role} cannot decrypt with ${key.arn} (it encrypts ${key.encrypts.join(', ')}): ${keyProblem[key.why]}.`);
  }
  if (cause === 'kms' && access.blockedKeys.length === 0 && access.judgedKeys > 0) {
    notes.push(
      'Every customer managed key read lets the role decrypt now: it may have been fixed since this failure, or a grant or condition not evaluated here decides.',
    );
  }
  return notes;
}

export default defineRule({
  meta: {
    id: 'secrets-pull-failure',
    title: 'A task could not fetch its secrets at start',
    seed: 11,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      '"unable to retrieve secret(s) from asm|ssm" (ResourceInitializationError, Fargate 1.4+), "Fetching secret data from AWS Secrets Manager | SSM Parameter Store" (EC2 agent) or "The task can\'t retrieve the secret with ARN …", split by AccessDenied, KMS, timeout, not found or bad JSON key',
    checks: [
      "every secrets[].valueFrom of every container and the task's execution role (ecs:DescribeTaskDefinition)",
      'secrets whose ARN is in another Region than the task',
      'whether each secret exists and which KMS key encrypts it (secretsmanager:DescribeSecret per secret, one ssm:DescribeParameters for all parameters; kms:DescribeKey for an alias)',
      "whether the execution role's identity policies allow reading each exact ARN and kms:Decrypt on each customer managed key (one iam:SimulatePrincipalPolicy)",
      'whether each customer managed key policy lets the role decrypt: named directly, through the account root (then IAM decides), denied, or only under conditions (kms:GetKeyPolicy)',
      "for a network failure: the task subnet's default route (NAT gateway, internet gateway or none) and the VPC's secretsmanager/ssm interface endpoints and their private DNS",
    ],
    needs: [
      'ecs:DescribeTaskDefinition',
      'secretsmanager:DescribeSecret',
      'ssm:DescribeParameters',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'iam:SimulatePrincipalPolicy',
      'ec2:DescribeSubnets',
      'ec2:DescribeRouteTables',
      'ec2:DescribeVpcEndpoints',
    ],
    causes: ['permission', 'kms', 'network', 'not-found', 'invalid-json'],
    autoFix: null,
  },

  detect(signal): SecretsDetection | null {
    const { text } = signal;
    if (!isSecretsFetch(text)) return null;
    const cause = causePatterns.find(([, patterns]) => firstMatch(text, patterns))?.[0] ?? null;
    const store = storeOf(text);
    const named = [...arnsIn(text, 'secretsmanager'), ...arnsIn(text, 'ssm')];
    const facts: SecretFacts = {
      store,
      resources: usableArns(named),
      role: roleNameOf(deniedPrincipal(text).principal),
      // A redacted ARN still tells the Region.
      region: regionOf(text, named, signal),
      subnets: subnetsOf(signal),
      vpc: undefined,
      denied: [],
      blockedKeys: [],
    };
    return {
      cause,
      specificity: cause ? 'root-cause' : 'symptom',
      explanation: explanationFor(cause, facts),
      fix: fixFor(cause, facts),
      evidence: [quoted(signal.source, text)],
      facts,
    };
  },

  async investigate(detection, signal, context) {
    const cause = detection.cause as Cause | null;
    const taskDefinition = taskDefinitionArnOf(signal);
    if (!taskDefinition) {
      context.unchecked("the task definition's secrets and execution role", 'the signal names no task definition');
      return undefined;
    }
    const described = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, "the task definition's secrets and execution role");
    if (!described) return undefined;
    const executionRole = described.taskDefinition?.executionRoleArn;
    const refs = secretRefs(described.taskDefinition?.containerDefinitions);
    const definitionArn = parseArn(taskDefinition);
    const taskRegion = signal.resource.region ?? definitionArn?.region;
    const facts: SecretFacts = { ...detection.facts, role: detection.facts.role ?? roleNameOf(executionRole) };
    const evidence: Evidence[] = [
      { source: 'ecs:DescribeTaskDefinition', observed: `executionRoleArn: ${executionRole ?? 'none'}` },
      ...refs.map((r) => ({ source: 'ecs:DescribeTaskDefinition', observed: `container ${r.container}: ${r.name} ← ${r.valueFrom}` })),
    ];
    const notes: string[] = [];
    if (facts.resources.length === 0) {
      // A truncated text names no ARN: grant on what the task definition asks for.
      const ofStore = refs.filter((r) => !facts.store || r.store === facts.store);
      facts.resources = [...new Set(ofStore.map((r) => r.valueFrom))];
    }
    const elsewhere = refs.filter((r): r is SecretRef & { region: string } => !!r.region && !!taskRegion && r.region !== taskRegion);
    for (const r of elsewhere) {
      evidence.push({ source: 'ecs:DescribeTaskDefinition', observed: `${r.valueFrom} is in ${r.region}; the task runs in ${taskRegion}` });
    }
    if (elsewhere.length > 0) {
      notes.push(
        `${elsewhere.map((r) => r.name).join(', ')} ${elsewhere.length === 1 ? 'comes' : 'come'} from another Region than the task (${taskRegion}): that needs the full ARN, and a VPC endpoint in the task's Region does not reach it.`,
      );
    }
    if (!executionRole) {
      notes.push('The task definition has no execution role at all, so ECS has no identity to fetch secrets with: set executionRoleArn and register a new revision.');
    }
    let fix: string | undefined;
    if (cause === 'network') {
      // Every store the task definition reads from: a route to the one the text names alone fails the next start on the other.
      const stores: SecretStore[] = [...new Set([...(facts.store ? [facts.store] : []), ...refs.map((r) => r.store)])];
      const path = await checkStorePath(stores.length > 0 ? stores : ['asm', 'ssm'], taskRegion, signal, context);
      evidence.push(...path.evidence);
      notes.push(...path.notes);
      facts.vpc = path.vpc ?? facts.vpc;
      fix = path.fix;
    } else if (cause !== 'invalid-json' && refs.length > 0) {
      const access = await checkAccess(
        {
          refs,
          executionRoleArn: executionRole,
          region: taskRegion,
          account: signal.resource.account ?? definitionArn?.account,
          partition: definitionArn?.partition || 'aws',
          depth: cause === 'not-found' ? 'locate' : 'full',
        },
        context,
      );
      evidence.push(...access.evidence);
      notes.push(...access.notes, ...accountNotes(cause, facts.role ?? 'the execution role', access));
      facts.denied = access.denied;
      facts.blockedKeys = access.blockedKeys;
      // The account names the refused ARNs exactly: they replace what the text or the task definition suggested;
      // without a simulation, DescribeSecret still gave each secret's full ARN, so no wildcard is left for it.
      if (access.denied.length > 0) facts.resources = access.denied.map((d) => d.arn);
      else facts.resources = facts.resources.map((r) => access.exactArns.get(secretIdOf(r)) ?? r);
      if (executionRole) fix = accountFix({ ...facts, roleArn: executionRole, policies: access.policies });
    }
    return {
      evidence,
      explanation: [explanationFor(cause, facts), ...notes].join(' '),
      fix: fix ?? fixFor(cause, facts),
    };
  },
});
