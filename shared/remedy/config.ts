import type { RemedyAction, RemedyBounds } from '../rules/remedy';

/**
 * What the deployment lets remedies do (cdk.json context `remediation`, passed
 * to the remediate Lambda as JSON in ECS_MEDIC_REMEDIATION). One parser for
 * both, so a bad value fails synthesis with the key's name, never at 3 a.m.
 */
export type RemedyMode = 'off' | 'dry-run' | 'on';

export interface RemediationConfig extends RemedyBounds {
  /** Per action: off (nothing, not even a notice), dry-run (say exactly what it would do; the default), on. */
  modes: Record<RemedyAction, RemedyMode>;
  /** The service tag that opts it in; its value lists the actions, space-separated (ECS tag values allow no commas). */
  tagKey: string;
  /** One change per service per action within this many hours. */
  coolDownHours: number;
  /** Changes per hour for the whole account. */
  budgetPerHour: number;
  /** Leave services a CloudFormation stack manages (tags aws:cloudformation:*) alone, rather than change and flag them. */
  skipCloudFormationManaged: boolean;
}

export const REMEDIATION_DEFAULTS: RemediationConfig = {
  modes: { 'grace-period': 'dry-run', 'log-group': 'dry-run' },
  tagKey: 'ecs-medic:auto-fix',
  ceilingSeconds: 600,
  retentionDays: 30,
  kmsKeyId: undefined,
  logGroupPrefixes: ['/ecs/'],
  coolDownHours: 6,
  budgetPerHour: 10,
  skipCloudFormationManaged: false,
};

export const REMEDY_ACTIONS = Object.keys(REMEDIATION_DEFAULTS.modes) as RemedyAction[];
const MODES: readonly RemedyMode[] = ['off', 'dry-run', 'on'];
/** The values PutRetentionPolicy accepts (CloudWatch Logs API reference). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** ECS caps healthCheckGracePeriodSeconds at 2,147,483,647 in the API; a ceiling above an hour is a typo. */
const MAX_CEILING_SECONDS = 3600;

function fail(where: string, key: string, expected: string, value: unknown): never {
  throw new Error(`${where}.${key} must be ${expected}, is ${JSON.stringify(value)}`);
}

function wholeNumber(where: string, key: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(where, key, `a whole number from ${min} to ${max}`, value);
  return value;
}

/** The configuration from JSON (cdk.json context or the Lambda's environment); missing keys take the defaults. */
export function parseRemediation(raw: unknown, where = 'remediation'): RemediationConfig {
  if (raw === undefined || raw === null) return REMEDIATION_DEFAULTS;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(where, '', 'an object', raw);
  const given = raw as Record<string, unknown>;
  const known = new Set(Object.keys(REMEDIATION_DEFAULTS));
  const unknown = Object.keys(given).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown key ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  const d = REMEDIATION_DEFAULTS;
  const modes = { ...d.modes };
  if (given.modes !== undefined) {
    if (typeof given.modes !== 'object' || given.modes === null) fail(where, 'modes', `an object of ${REMEDY_ACTIONS.join(', ')}`, given.modes);
    for (const [action, mode] of Object.entries(given.modes)) {
      if (!REMEDY_ACTIONS.includes(action as RemedyAction)) fail(where, `modes.${action}`, `one of the actions ${REMEDY_ACTIONS.join(', ')}`, action);
      if (!MODES.includes(mode as RemedyMode)) fail(where, `modes.${action}`, MODES.join(' | '), mode);
      modes[action as RemedyAction] = mode as RemedyMode;
    }
  }
  const tagKey = given.tagKey ?? d.tagKey;
  if (typeof tagKey !== 'string' || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(tagKey) || tagKey.startsWith('aws:')) fail(where, 'tagKey', 'an ECS tag key', tagKey);
  const retentionDays = given.retentionDays ?? d.retentionDays;
  if (!RETENTION_DAYS.includes(retentionDays as number)) fail(where, 'retentionDays', `one of ${RETENTION_DAYS.join(', ')}`, retentionDays);
  const kmsKeyId = given.kmsKeyId ?? undefined;
  if (kmsKeyId !== undefined && (typeof kmsKeyId !== 'string' || !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(kmsKeyId))) {
    fail(where, 'kmsKeyId', 'a KMS key ARN (CreateLogGroup takes the ARN) or null', kmsKeyId);
  }
  const prefixes = given.logGroupPrefixes ?? d.logGroupPrefixes;
  if (!Array.isArray(prefixes) || !prefixes.every((p) => typeof p === 'string' && /^\/[\w./#-]+\/$/.test(p))) {
    // A prefix ends in "/": "/ecs" would also allow "/ecsanything", and the IAM resource is the prefix followed by "*".
    fail(where, 'logGroupPrefixes', 'a list of log group name prefixes such as "/ecs/" (starting and ending with "/")', prefixes);
  }
  const skip = given.skipCloudFormationManaged ?? d.skipCloudFormationManaged;
  if (typeof skip !== 'boolean') fail(where, 'skipCloudFormationManaged', 'true or false', skip);
  return {
    modes,
    tagKey,
    ceilingSeconds: wholeNumber(where, 'ceilingSeconds', given.ceilingSeconds ?? d.ceilingSeconds, 1, MAX_CEILING_SECONDS),
    retentionDays: retentionDays as number,
    kmsKeyId,
    logGroupPrefixes: prefixes as string[],
    coolDownHours: wholeNumber(where, 'coolDownHours', given.coolDownHours ?? d.coolDownHours, 1, 7 * 24),
    budgetPerHour: wholeNumber(where, 'budgetPerHour', given.budgetPerHour ?? d.budgetPerHour, 1, 1000),
    skipCloudFormationManaged: skip,
  };
}

/** The actions a service's opt-in tag value lists ("grace-period log-group"). */
export function optedInActions(tags: readonly { key?: string | undefined; value?: string | undefined }[] | undefined, tagKey: string): string[] {
  const value = tags?.find((tag) => tag.key === tagKey)?.value ?? '';
  return value.split(/\s+/).filter((word) => word !== '');
}
