/**
 * The Lambdas' configuration, from environment variables the CDK stack sets
 * (infra/stack.ts). One place names them, so stack and handlers cannot drift.
 */
export const ENV = {
  /** DynamoDB table of incidents, delivery claims and re-check claims. */
  incidentTable: 'ECS_MEDIC_TABLE',
  /** Event bus the incident events go to (default bus when unset). */
  eventBus: 'ECS_MEDIC_EVENT_BUS',
  /** Seconds a repeat counts toward an open incident; incidents without a service expire after it. */
  dedupWindowSeconds: 'ECS_MEDIC_DEDUP_WINDOW_SECONDS',
  /** SQS queue for events that can never be processed (malformed, unsupported). */
  deadLetterQueueUrl: 'ECS_MEDIC_DLQ_URL',
  /** SQS queue (with delivery delay) that brings a service back for a PENDING re-check. */
  recheckQueueUrl: 'ECS_MEDIC_RECHECK_QUEUE_URL',
  /** Seconds to wait before re-checking a service with tasks stuck before RUNNING. */
  recheckDelaySeconds: 'ECS_MEDIC_RECHECK_DELAY_SECONDS',
  /** SNS topic the notify Lambda publishes to. */
  topicArn: 'ECS_MEDIC_TOPIC_ARN',
  /** Secrets Manager secret holding the Slack incoming-webhook URL (optional). */
  slackSecretArn: 'ECS_MEDIC_SLACK_SECRET_ARN',
  /** Seconds an audit incident stays open without being seen again: longer than the audit schedule's period. */
  auditWindowSeconds: 'ECS_MEDIC_AUDIT_WINDOW_SECONDS',
  /** Comma-separated cluster names the audit covers; every cluster when unset. */
  auditClusters: 'ECS_MEDIC_AUDIT_CLUSTERS',
  /** The remediation configuration as JSON (shared/remedy/config.ts); the defaults when unset. */
  remediation: 'ECS_MEDIC_REMEDIATION',
} as const;

export const DEFAULTS = {
  dedupWindowSeconds: 3600,
  recheckDelaySeconds: 300,
} as const;

/** A required setting that is missing is a deployment error: fail at cold start with its name. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function numberEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`environment variable ${name} must be a positive number, is "${raw}"`);
  return value;
}
