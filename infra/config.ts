/**
 * The stack's configuration: cdk.json `context`, overridable on the command
 * line (`npx cdk deploy -c alertEmails=ops@example.com,dev@example.com`). From
 * cdk.json a value is JSON; from `-c` it is a string, so lists also accept
 * comma-separated text. A bad value fails synthesis with the key's name.
 */
import type { Node } from 'constructs';
import { parseRemediation, type RemediationConfig } from '../shared/remedy/config';

export interface EcsMedicConfig {
  /** Email addresses subscribed to the alert topic (each confirms by email once). */
  alertEmails: string[];
  /** Name of a Secrets Manager secret, created by you, whose SecretString is the Slack incoming-webhook URL. */
  slackSecretName: string | undefined;
  /** Repeats within this window count toward the open incident; incidents without a service expire after it. */
  dedupWindowMinutes: number;
  /** How long to wait before re-checking a service whose tasks sit in PROVISIONING/PENDING (SQS allows ≤ 15). */
  recheckDelayMinutes: number;
  /** Cluster names or ARNs to watch; empty watches every cluster in the account and Region. */
  clusters: string[];
  /**
   * Reserved concurrency of the diagnose Lambda, so a storm cannot starve the account's other functions; null (the
   * default) for none, because an account whose Lambda quota is the new-account 10 rejects any reservation.
   */
  diagnoseReservedConcurrency: number | null;
  /** When the configuration audit runs: an EventBridge schedule expression, or "none" for no scheduled audit. */
  auditSchedule: string | null;
  /** Cluster names or ARNs the scheduled audit covers; `clusters` unless given (empty: every cluster). */
  auditClusters: string[];
  /** What remedies may do (shared/remedy/config.ts); every action off deploys no remediate function. */
  remediation: RemediationConfig;
}

export const CONTEXT_DEFAULTS = {
  dedupWindowMinutes: 60,
  recheckDelayMinutes: 5,
  auditSchedule: 'rate(1 day)',
} as const;

/** How often a schedule fires, in seconds (cron expressions: assumed at least weekly). */
export function schedulePeriodSeconds(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!rate) return 7 * 24 * 3600;
  const unit = { minute: 60, hour: 3600, day: 86400 }[(rate[2] as string).replace(/s$/, '') as 'minute' | 'hour' | 'day'];
  return Number(rate[1]) * unit;
}

function list(node: Node, key: string): string[] {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return [];
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    throw new Error(`context ${key} must be a list of strings or comma-separated text, is ${JSON.stringify(value)}`);
  }
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function wholeNumber(node: Node, key: string, fallback: number, max: number): number {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new Error(`context ${key} must be a whole number from 1 to ${max}, is ${JSON.stringify(value)}`);
  }
  return number;
}

function clusterList(node: Node, key: string): string[] {
  const clusters = list(node, key);
  const invalid = clusters.find((c) => !/^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/.test(c));
  if (invalid) throw new Error(`context ${key}: "${invalid}" is neither a cluster name nor a cluster ARN`);
  return clusters;
}

/** From cdk.json an object; from `-c remediation=…` its JSON text. */
function remediationFromContext(value: unknown): RemediationConfig {
  if (typeof value !== 'string') return parseRemediation(value, 'context remediation');
  try {
    return parseRemediation(JSON.parse(value), 'context remediation');
  } catch (error) {
    if (error instanceof SyntaxError) throw new Error(`context remediation must be a JSON object, is ${JSON.stringify(value)}`);
    throw error;
  }
}

export function configFromContext(node: Node): EcsMedicConfig {
  const alertEmails = list(node, 'alertEmails');
  const invalidEmail = alertEmails.find((email) => !/^[^@\s]+@[^@\s]+$/.test(email));
  if (invalidEmail) throw new Error(`context alertEmails: "${invalidEmail}" is not an email address`);
  const clusters = clusterList(node, 'clusters');
  const auditClusters = clusterList(node, 'auditClusters');
  const slackSecretName: unknown = node.tryGetContext('slackSecretName');
  if (slackSecretName !== undefined && slackSecretName !== null && typeof slackSecretName !== 'string') {
    throw new Error(`context slackSecretName must be a secret name, is ${JSON.stringify(slackSecretName)}`);
  }
  const concurrency: unknown = node.tryGetContext('diagnoseReservedConcurrency');
  const schedule: unknown = node.tryGetContext('auditSchedule') ?? CONTEXT_DEFAULTS.auditSchedule;
  if (typeof schedule !== 'string' || !(schedule === 'none' || /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/.test(schedule))) {
    throw new Error(`context auditSchedule must be an EventBridge schedule expression (rate(1 day), cron(0 6 * * ? *)) or "none", is ${JSON.stringify(schedule)}`);
  }
  return {
    alertEmails,
    slackSecretName: slackSecretName || undefined,
    dedupWindowMinutes: wholeNumber(node, 'dedupWindowMinutes', CONTEXT_DEFAULTS.dedupWindowMinutes, 7 * 24 * 60),
    recheckDelayMinutes: wholeNumber(node, 'recheckDelayMinutes', CONTEXT_DEFAULTS.recheckDelayMinutes, 15),
    clusters,
    diagnoseReservedConcurrency:
      concurrency === undefined || concurrency === null || concurrency === 'none'
        ? null
        : wholeNumber(node, 'diagnoseReservedConcurrency', 1, 1000),
    auditSchedule: schedule === 'none' ? null : schedule,
    auditClusters: auditClusters.length > 0 ? auditClusters : clusters,
    remediation: remediationFromContext(node.tryGetContext('remediation')),
  };
}
