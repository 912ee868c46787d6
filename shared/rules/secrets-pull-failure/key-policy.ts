/**
 * Whether a KMS key policy lets a role use the key. The IAM policy simulator
 * does not evaluate key policies for a role, and a customer managed key is
 * unusable unless its key policy allows it, so the statements that apply are
 * evaluated here. Only what can be decided from the policy alone is decided:
 * a statement with a Condition or a NotPrincipal is reported as conditional,
 * never guessed. Grants (kms:CreateGrant) can also allow use; they are not read.
 */

interface KeyPolicyStatement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
}

export type KeyPolicyAccess =
  /** A statement names the role (or every principal, "*") without conditions: the key policy alone allows it. */
  | { access: 'allowed'; statement: string }
  /**
   * The account root is allowed: the key policy delegates to IAM, so the role's own policies decide.
   * `conditional` lists statements that might allow it anyway, under conditions not evaluated.
   */
  | { access: 'delegated'; statement: string; conditional: string[] }
  /** An unconditional Deny applies to the role. */
  | { access: 'denied'; statement: string }
  /** Only statements with conditions (or NotPrincipal) could decide it; they are not evaluated. */
  | { access: 'conditional'; statements: string[] }
  /** No statement allows the role. `staleIds` are principals written as unique ids (AROA…): roles deleted since. */
  | { access: 'not-allowed'; staleIds: string[] }
  | { access: 'unreadable'; problem: string };

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** IAM wildcard matching for actions: `*` any run, `?` one character, case-insensitive. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

function statementAction(statement: KeyPolicyStatement, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((p) => typeof p === 'string' && actionMatches(p, action));
  return list(statement.Action).some((p) => typeof p === 'string' && actionMatches(p, action));
}

type PrincipalMatch = 'role' | 'everyone' | 'account' | undefined;

/** How a Principal element names the role: directly, as "*", or through its account's root. */
function principalMatch(principal: unknown, roleArn: string, account: string): PrincipalMatch {
  if (principal === '*') return 'everyone';
  if (typeof principal !== 'object' || principal === null) return undefined;
  const aws = list((principal as { AWS?: unknown }).AWS).filter((p): p is string => typeof p === 'string');
  if (aws.includes('*')) return 'everyone';
  if (aws.includes(roleArn)) return 'role';
  if (aws.some((p) => p === account || /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(p)?.[1] === account)) return 'account';
  return undefined;
}

function staleIdsIn(statements: readonly KeyPolicyStatement[]): string[] {
  const ids = statements.flatMap((s) =>
    typeof s.Principal === 'object' && s.Principal !== null ? list((s.Principal as { AWS?: unknown }).AWS) : [],
  );
  return [...new Set(ids.filter((p): p is string => typeof p === 'string' && /^AROA[A-Z0-9]+$/.test(p)))];
}

const sidOf = (statement: KeyPolicyStatement, index: number) => (typeof statement.Sid === 'string' && statement.Sid ? statement.Sid : `statement ${index + 1}`);

/** Evaluates a key policy (the JSON text kms:GetKeyPolicy returns) for `roleArn` performing `action`. */
export function keyPolicyAccess(policy: string, roleArn: string, action = 'kms:Decrypt'): KeyPolicyAccess {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return { access: 'unreadable', problem: 'the key policy is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { access: 'unreadable', problem: 'the key policy is not a JSON object' };
  const statements = list((parsed as { Statement?: unknown }).Statement).filter(
    (s): s is KeyPolicyStatement => typeof s === 'object' && s !== null,
  );
  const account = roleArn.split(':')[4] ?? '';

  let allowed: string | undefined;
  let delegated: string | undefined;
  const conditional: string[] = [];
  for (const [index, statement] of statements.entries()) {
    if (!statementAction(statement, action)) continue;
    const sid = sidOf(statement, index);
    const conditioned = statement.Condition !== undefined && !(typeof statement.Condition === 'object' && Object.keys(statement.Condition ?? {}).length === 0);
    // NotPrincipal ("everyone but…") depends on how the exceptions name sessions and accounts: reported, not guessed.
    if (statement.NotPrincipal !== undefined) {
      conditional.push(sid);
      continue;
    }
    const match = principalMatch(statement.Principal, roleArn, account);
    if (!match) continue;
    if (conditioned) {
      conditional.push(sid);
      continue;
    }
    if (statement.Effect === 'Deny') return { access: 'denied', statement: sid };
    if (statement.Effect !== 'Allow') continue;
    if (match === 'account') delegated ??= sid;
    else allowed ??= sid;
  }
  // A conditional Deny may override any Allow; a conditional Allow only matters when nothing else allows.
  const conditionalDeny = conditional.length > 0 && statements.some((s, i) => s.Effect === 'Deny' && conditional.includes(sidOf(s, i)));
  if (conditionalDeny) return { access: 'conditional', statements: conditional };
  if (allowed) return { access: 'allowed', statement: allowed };
  if (delegated) return { access: 'delegated', statement: delegated, conditional };
  if (conditional.length > 0) return { access: 'conditional', statements: conditional };
  return { access: 'not-allowed', staleIds: staleIdsIn(statements) };
}
