import type { Signal, SignalOf } from '../../events/signals';
import type { Detection } from '../rule';
import { anyOf, arnsIn, deniedPrincipal, firstMatch, type Patterns, quoted, shellArg } from '../text';
import { putRolePolicy, roleNameOf } from '../../facts/iam';
import type { BlockedKey, DeniedRead } from './access';
import {
  parameterNameOf,
  policyResource,
  type SecretStore,
  secretIdOf,
  usableArns,
} from '../../facts/secrets';
import { isSecretsFetch } from '../../facts/secrets';

export type Cause = 'kms' | 'permission' | 'not-found' | 'invalid-json' | 'network';

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

export interface SecretsDetection extends Detection {
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

export function fixFor(cause: Cause | null, f: SecretFacts): string {
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

export function explanationFor(cause: Cause | null, f: SecretFacts): string {
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

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>): SecretsDetection | null {
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
}

