/**
 * Whether the execution role can really read each secret the task asks for:
 * whether the secret exists and which KMS key encrypts it (one DescribeSecret
 * per secret, ONE DescribeParameters for every parameter), whether the role's
 * identity policies allow the read and kms:Decrypt (ONE policy simulation for
 * every ARN and action), and whether each customer managed key's policy lets
 * the role decrypt (one GetKeyPolicy per distinct key; the simulator ignores
 * key policies). AWS managed keys need nothing: their policy allows every
 * principal of the account through the service.
 */
import { parseArn } from '../../arn';
import type { Evidence } from '../../findings';
import type { InvestigationContext } from '../rule';
import { describeDecision, roleNameOf, type SimulatedDecision, type Simulation, simulate } from '../../facts/iam';
import { keyPolicyAccess } from './key-policy';
import { parameterArnOf, parameterNameOf, type SecretRef, type SecretStore, secretIdOf } from '../../facts/secrets';

export const readAction: Record<SecretStore, string> = { asm: 'secretsmanager:GetSecretValue', ssm: 'ssm:GetParameters' };

/** A secret or parameter the task definition names, as far as the account told. */
interface Located {
  store: SecretStore;
  /** The ARN IAM evaluates: the full ARN once read, else the one valueFrom implies. */
  arn: string;
  /** For a secret: the id valueFrom names (a name or a partial ARN). */
  id?: string;
  /** The KMS key as the service reports it (key id, key ARN, alias); undefined when unknown or not encrypted with KMS. */
  key: string | undefined;
}

export interface DeniedRead {
  arn: string;
  store: SecretStore;
  decision: SimulatedDecision;
}

export interface BlockedKey {
  arn: string;
  /** The secrets and parameters it encrypts. */
  encrypts: string[];
  why: 'key-policy' | 'key-policy-deny' | 'iam' | 'iam-deny';
  /** The key policy's deciding statement, or the IAM policies of a Deny. */
  by: string | undefined;
}

export interface AccessFacts {
  evidence: Evidence[];
  notes: string[];
  /** Reads the role's identity policies do not allow (simulated). */
  denied: DeniedRead[];
  /** Reads simulated as allowed. */
  allowed: string[];
  /** Customer managed keys the role cannot decrypt with. */
  blockedKeys: BlockedKey[];
  /** How many customer managed keys had their policy read and judged. */
  judgedKeys: number;
  /** The role's policies the simulation named. */
  policies: string[];
  /** Secret id (as valueFrom names it) → its full ARN, as DescribeSecret returned it. */
  exactArns: Map<string, string>;
}

export interface AccessQuestion {
  refs: readonly SecretRef[];
  executionRoleArn: string | undefined;
  /** The task's Region and account: the bot reads that Region only. */
  region: string | undefined;
  account: string | undefined;
  partition: string;
  /** `locate`: existence and keys only (a not-found failure); `full`: also IAM and key policies. */
  depth: 'locate' | 'full';
}

const awsManagedAlias = /(^|:)alias\/aws\//;
const keyArnPattern = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\//;
const keyIdPattern = /^(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$/i;

async function locateSecrets(refs: readonly SecretRef[], context: InvestigationContext, evidence: Evidence[]): Promise<Located[]> {
  const ids = [...new Set(refs.map((r) => secretIdOf(r.valueFrom)))];
  const described = await Promise.all(
    ids.map((id) => context.read('secretsmanager:DescribeSecret', { SecretId: id }, `the KMS key and state of secret ${id}`)),
  );
  return ids.map((id, i) => {
    const secret = described[i];
    if (!secret) return { store: 'asm', arn: id, id, key: undefined };
    const arn = secret.ARN ?? id;
    // Without a KmsKeyId the secret is encrypted with the AWS managed key aws/secretsmanager.
    const key = secret.KmsKeyId ?? 'alias/aws/secretsmanager';
    const deleted = secret.DeletedDate ? `; scheduled for deletion since ${new Date(secret.DeletedDate).toISOString()}` : '';
    evidence.push({ source: 'secretsmanager:DescribeSecret', observed: `${arn}: encrypted with ${secret.KmsKeyId ?? 'the AWS managed key aws/secretsmanager'}${deleted}` });
    return { store: 'asm', arn, id, key };
  });
}

async function locateParameters(
  refs: readonly SecretRef[],
  q: AccessQuestion & { region: string; account: string },
  context: InvestigationContext,
  evidence: Evidence[],
  notes: string[],
): Promise<Located[]> {
  const all = [...new Set(refs.map((r) => parameterNameOf(r.valueFrom)))];
  const arnOf = (name: string) => parameterArnOf(name, q.region, q.account, q.partition);
  // A /aws/reference/secretsmanager/… name is a Secrets Manager secret read through SSM: DescribeParameters does not list it.
  const references = all.filter((name) => name.startsWith('/aws/reference/'));
  for (const name of references) context.unchecked(`the KMS key of ${name}`, 'it references a Secrets Manager secret, which DescribeParameters does not list');
  const names = all.filter((name) => !references.includes(name));
  // Equals filter values and MaxResults both stop at 50: one call covers any real task definition.
  const asked = names.slice(0, 50);
  for (const name of names.slice(50)) context.unchecked(`the KMS key of parameter ${name}`, 'more than 50 parameters: only the first 50 are read');
  const located: Located[] = references.map((name) => ({ store: 'ssm', arn: arnOf(name), key: undefined }));
  if (asked.length === 0) return located;
  const found = await context.read(
    'ssm:DescribeParameters',
    { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: asked }], MaxResults: 50 },
    `the type and KMS key of parameter${asked.length > 1 ? 's' : ''} ${asked.join(', ')}`,
  );
  for (const name of asked) {
    const parameter = found?.Parameters?.find((p) => p.Name === name);
    if (parameter) {
      const secure = parameter.Type === 'SecureString';
      evidence.push({
        source: 'ssm:DescribeParameters',
        observed: `${name}: ${parameter.Type ?? 'unknown type'}${secure ? `, encrypted with ${parameter.KeyId ?? 'alias/aws/ssm'}` : ''}`,
      });
      located.push({ store: 'ssm', arn: parameter.ARN ?? arnOf(name), key: secure ? (parameter.KeyId ?? 'alias/aws/ssm') : undefined });
      continue;
    }
    located.push({ store: 'ssm', arn: arnOf(name), key: undefined });
    if (!found) continue;
    // An answer cut short by an internal limit carries a NextToken: absence then proves nothing.
    if (found.NextToken) context.unchecked(`whether parameter ${name} exists`, 'DescribeParameters stopped early (NextToken)');
    else {
      evidence.push({ source: 'ssm:DescribeParameters', observed: `no parameter named ${name} in ${q.region}` });
      notes.push(`The parameter ${name} does not exist in ${q.region}.`);
    }
  }
  return located;
}

/** Customer managed keys by ARN, with what each encrypts; AWS managed keys are dropped (nothing to grant). */
async function customerKeys(located: readonly Located[], context: InvestigationContext, evidence: Evidence[]): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>();
  const add = (arn: string, user: string) => keys.set(arn, [...(keys.get(arn) ?? []), user]);
  const aliases = new Map<string, string[]>();
  for (const item of located) {
    const { key } = item;
    if (!key || awsManagedAlias.test(key)) continue;
    if (keyArnPattern.test(key)) add(key, item.arn);
    else if (keyIdPattern.test(key)) {
      const arn = parseArn(item.arn);
      if (arn) add(`arn:${arn.partition}:kms:${arn.region}:${arn.account}:key/${key}`, item.arn);
    } else aliases.set(key, [...(aliases.get(key) ?? []), item.arn]);
  }
  // GetKeyPolicy takes a key id or ARN, not an alias: resolve aliases (and learn whether AWS manages the key).
  const resolved = await Promise.all(
    [...aliases.keys()].map((alias) => context.read('kms:DescribeKey', { KeyId: alias }, `the KMS key behind ${alias}`)),
  );
  for (const [i, [alias, users]] of [...aliases].entries()) {
    const metadata = resolved[i]?.KeyMetadata;
    if (!metadata?.Arn) continue;
    evidence.push({ source: 'kms:DescribeKey', observed: `${alias} is ${metadata.Arn} (${metadata.KeyManager === 'AWS' ? 'AWS managed' : 'customer managed'})` });
    if (metadata.KeyManager !== 'AWS') for (const user of users) add(metadata.Arn, user);
  }
  return keys;
}

function judgeKey(
  arn: string,
  encrypts: string[],
  roleArn: string,
  policy: string,
  simulation: Simulation | undefined,
  context: InvestigationContext,
  evidence: Evidence[],
): BlockedKey | undefined {
  const role = roleNameOf(roleArn) ?? roleArn;
  const check = `whether ${role} may decrypt with ${arn}`;
  const access = keyPolicyAccess(policy, roleArn);
  const iam = simulation?.decision('kms:Decrypt', arn);
  const blocked = (why: BlockedKey['why'], by: string | undefined): BlockedKey => ({ arn, encrypts, why, by });
  const record = (observed: string) => evidence.push({ source: 'kms:GetKeyPolicy', observed: `${arn}: ${observed}` });
  // IAM's answer matters when the key policy leaves it to IAM, or when IAM explicitly denies.
  if (iam && (access.access === 'delegated' || iam.decision === 'explicitDeny')) {
    evidence.push({ source: 'iam:SimulatePrincipalPolicy', observed: `${role} kms:Decrypt on ${arn}: ${describeDecision(iam)}` });
  }
  switch (access.access) {
    case 'unreadable':
      context.unchecked(check, access.problem);
      return undefined;
    case 'denied':
      record(`statement "${access.statement}" denies ${role} kms:Decrypt`);
      return blocked('key-policy-deny', access.statement);
    case 'not-allowed':
      record(`no statement allows ${role} (or the account) kms:Decrypt${access.staleIds.length > 0 ? `; it names deleted roles by id: ${access.staleIds.join(', ')}` : ''}`);
      return blocked('key-policy', undefined);
    case 'conditional':
      record(`only statements with conditions apply to ${role}: ${access.statements.join(', ')}`);
      context.unchecked(check, `the key policy decides by conditions (${access.statements.join(', ')}), which are not evaluated`);
      return undefined;
    case 'allowed':
      record(`statement "${access.statement}" allows ${role} kms:Decrypt`);
      // An explicit Deny in the role's own policies still wins over the key policy's Allow.
      return iam?.decision === 'explicitDeny' ? blocked('iam-deny', iam.policies.join(', ') || undefined) : undefined;
    case 'delegated': {
      record(`statement "${access.statement}" allows the account root: the role's IAM policies decide`);
      if (!iam) {
        context.unchecked(check, 'the key policy delegates to IAM and the IAM simulation gave no answer');
        return undefined;
      }
      if (iam.decision === 'allowed') return undefined;
      if (iam.decision === 'explicitDeny') return blocked('iam-deny', iam.policies.join(', ') || undefined);
      if (access.conditional.length > 0 || iam.missingContext.length > 0) {
        context.unchecked(check, `IAM does not allow it, but conditions may (${[...access.conditional, ...iam.missingContext].join(', ')}): not evaluated`);
        return undefined;
      }
      return blocked('iam', undefined);
    }
  }
}

/** Reads and judges; every read that fails lands in `unchecked` through the context. */
export async function checkAccess(q: AccessQuestion, context: InvestigationContext): Promise<AccessFacts> {
  const facts: AccessFacts = { evidence: [], notes: [], denied: [], allowed: [], blockedKeys: [], judgedKeys: 0, policies: [], exactArns: new Map() };
  const { evidence, notes } = facts;
  const { region, account } = q;
  if (!region || !account) {
    context.unchecked('the secrets in the account', 'the signal names no Region or account');
    return facts;
  }
  // The bot reads its own Region: secrets elsewhere are simulated but their keys are not looked up.
  const local = (r: SecretRef) => !r.region || r.region === region;
  for (const r of q.refs.filter((ref) => !local(ref))) context.unchecked(`the KMS key of ${r.valueFrom}`, `it is in ${r.region}; the bot reads ${region} only`);
  const elsewhere: Located[] = q.refs
    .filter((r) => !local(r))
    .map((r) => ({ store: r.store, arn: r.store === 'asm' ? secretIdOf(r.valueFrom) : r.valueFrom, key: undefined }));
  const parameterEvidence: Evidence[] = [];
  const [secrets, parameters] = await Promise.all([
    locateSecrets(q.refs.filter((r) => local(r) && r.store === 'asm'), context, evidence),
    locateParameters(q.refs.filter((r) => local(r) && r.store === 'ssm'), { ...q, region, account }, context, parameterEvidence, notes),
  ]);
  evidence.push(...parameterEvidence);
  for (const { id, arn } of secrets) if (id && arn !== id) facts.exactArns.set(id, arn);
  if (q.depth === 'locate') return facts;
  const roleArn = q.executionRoleArn;
  if (!roleArn) return facts;

  // The same secret named twice (two JSON keys of one secret) is one resource.
  const located = [...new Map([...secrets, ...parameters, ...elsewhere].map((l) => [l.arn, l])).values()];
  const keys = await customerKeys(located, context, evidence);
  const role = roleNameOf(roleArn) ?? roleArn;
  const actions = [...new Set(located.map((l) => readAction[l.store]))];
  if (keys.size > 0) actions.push('kms:Decrypt');
  const resources = [...located.map((l) => l.arn), ...keys.keys()];
  // Key policies are readable only in the key's own account.
  const roleAccount = parseArn(roleArn)?.account;
  const readable = [...keys.keys()].filter((arn) => parseArn(arn)?.account === roleAccount);
  for (const arn of keys.keys()) {
    if (!readable.includes(arn)) context.unchecked(`the key policy of ${arn}`, `the key is in another account than ${role}; its policy is readable only there`);
  }
  const [simulation, ...policies] = await Promise.all([
    simulate(context, roleArn, actions, resources, `whether ${role}'s policies allow reading the secrets and decrypting their keys`),
    ...readable.map((arn) => context.read('kms:GetKeyPolicy', { KeyId: arn, PolicyName: 'default' }, `the key policy of ${arn}`)),
  ]);

  if (simulation) {
    for (const item of located) {
      const action = readAction[item.store];
      const decision = simulation.decision(action, item.arn);
      if (!decision) {
        context.unchecked(`whether ${role} may ${action} ${item.arn}`, 'the simulation returned no result for it');
        continue;
      }
      evidence.push({ source: 'iam:SimulatePrincipalPolicy', observed: `${role} ${action} on ${item.arn}: ${describeDecision(decision)}` });
      facts.policies.push(...decision.policies.filter((p) => !facts.policies.includes(p)));
      if (decision.decision === 'allowed') facts.allowed.push(item.arn);
      else facts.denied.push({ arn: item.arn, store: item.store, decision });
    }
  }
  for (const [i, arn] of readable.entries()) {
    const policy = policies[i]?.Policy;
    if (!policy) continue;
    facts.judgedKeys += 1;
    const blocked = judgeKey(arn, keys.get(arn) ?? [], roleArn, policy, simulation, context, evidence);
    if (blocked) facts.blockedKeys.push(blocked);
  }
  return facts;
}
