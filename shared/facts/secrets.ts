/** Reading secret references: the ARNs a failure text or a task definition names, and what IAM must allow on them. */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { parseArn } from '../arn';
import { anyOf, matchesAny } from '../rules/text';

export type SecretStore = 'asm' | 'ssm';

/**
 * The ECS agent failing to fetch a task's secrets. Fargate 1.4+: "…execution
 * resource retrieval failed: unable to retrieve secret(s) from asm|ssm: …";
 * the EC2 agent: "Fetching secret data from AWS Secrets Manager | SSM Parameter
 * Store in <region>: …"; newer agents: "The task can't retrieve the secret with
 * ARN …". The same "unable to pull secrets or registry auth" prefix also
 * carries ECR registry auth ("unable to retrieve ecr registry auth", "The task
 * cannot pull registry auth from Amazon ECR") and private-registry credentials
 * ("unable to get registry auth from asm"): those are image pulls, deliberately
 * not matched.
 */
const secretsFetch = anyOf([
  /unable to retrieve secrets? from (asm|ssm)\b/i,
  /Fetching secret data from (SSM Parameter Store|AWS Secrets Manager)/i,
  /The task can'?t (pull|retrieve) the secret/i,
  /The task cannot pull secrets from AWS Systems Manager/i,
  /connection issue between the task and AWS (Secrets Manager|Systems Manager)/i,
  // The EC2 agent's per-secret errors (agent/taskresource/asmsecret/asmsecret.go:312,317).
  /trying to retrieve secret with value \S+ resulted in error/i,
  /could not find a secretsmanager secretID from value/i,
]);

export function isSecretsFetch(text: string): boolean {
  return matchesAny(text, secretsFetch);
}

export interface SecretRef {
  container: string;
  /** The environment variable the secret fills. */
  name: string;
  valueFrom: string;
  store: SecretStore;
  /** Only known when valueFrom is an ARN; a bare parameter name lives in the task's Region. */
  region: string | undefined;
}

/** Every `secrets[].valueFrom` of every container. */
export function secretRefs(containers: readonly ContainerDefinition[] | undefined): SecretRef[] {
  const refs: SecretRef[] = [];
  for (const container of containers ?? []) {
    for (const secret of container.secrets ?? []) {
      if (!secret.valueFrom) continue;
      const arn = parseArn(secret.valueFrom);
      refs.push({
        container: container.name ?? '(unnamed)',
        name: secret.name ?? '(unnamed)',
        valueFrom: secret.valueFrom,
        store: arn?.service === 'secretsmanager' ? 'asm' : 'ssm',
        region: arn?.region || undefined,
      });
    }
  }
  return refs;
}

/**
 * The secret itself, without the `:json-key:version-stage:version-id` selector
 * a valueFrom may carry (`arn:aws:secretsmanager:r:a:secret:name-AbCdEf:password::`).
 */
export function secretIdOf(valueFrom: string): string {
  const arn = parseArn(valueFrom);
  if (arn?.service !== 'secretsmanager') return valueFrom;
  return valueFrom.split(':').slice(0, 7).join(':');
}

/**
 * The IAM resource for a secret or parameter. Secrets Manager ARNs end in a
 * random 6-character suffix; a policy naming the ARN without it matches
 * nothing, so a partial ARN gets the documented `-??????` wildcard.
 */
export function policyResource(valueFrom: string): string {
  const arn = parseArn(valueFrom);
  if (!arn) return valueFrom;
  if (arn.service !== 'secretsmanager') return valueFrom;
  const id = secretIdOf(valueFrom);
  return /-[A-Za-z0-9]{6}$/.test(id) ? id : `${id}-??????`;
}

/** The name of an SSM parameter from a valueFrom (an ARN or a name): `…:parameter/app/db` → `/app/db`, `…:parameter/db` → `db`. */
export function parameterNameOf(valueFrom: string): string {
  const arn = parseArn(valueFrom);
  if (!arn) return valueFrom;
  // A hierarchical name keeps its leading slash; a flat one has none, though its ARN shows one.
  const path = arn.resource.replace(/^parameter/, '');
  return path.indexOf('/', 1) > 0 ? path : path.slice(1);
}

/** The ARN IAM evaluates for a parameter name. */
export function parameterArnOf(name: string, region: string, account: string, partition = 'aws'): string {
  return `arn:${partition}:ssm:${region}:${account}:parameter${name.startsWith('/') ? name : `/${name}`}`;
}

/** Usable ARNs only: AWS texts are often redacted (`<account id>`, `*`) or truncated (`788375279931...`). */
export function usableArns(arns: readonly string[]): string[] {
  return arns.filter((arn) => {
    const parsed = parseArn(arn);
    return parsed !== undefined && parsed.resource !== '' && /^\d{12}$/.test(parsed.account) && !/[<>*]/.test(arn);
  });
}
