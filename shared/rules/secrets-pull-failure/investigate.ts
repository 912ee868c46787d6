import type { SignalOf } from '../../events/signals';
import { parseArn } from '../../arn';
import type { Evidence } from '../../findings';
import type { InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { putRolePolicy, roleNameOf, taskDefinitionArnOf } from '../../facts/iam';
import { type AccessFacts, type BlockedKey, checkAccess, readAction } from './access';
import { checkStorePath } from './route';
import {
  policyResource,
  type SecretRef,
  type SecretStore,
  secretIdOf,
  secretRefs,
} from '../../facts/secrets';
import { type Cause, explanationFor, fixFor, type SecretFacts, type SecretsDetection } from './detect';

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

export default async function investigate(detection: SecretsDetection, signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>, context: InvestigationContext): Promise<Refinement | undefined> {
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
}
