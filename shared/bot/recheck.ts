/**
 * The message the diagnose Lambda sends itself through the delay queue when a
 * service has tasks PROVISIONING or PENDING: one per service per window, not
 * one per task.
 */
export interface RecheckRequest {
  kind: 'pending-recheck';
  account: string;
  region: string;
  /** Cluster ARN, as in the task event. */
  clusterArn: string;
  /** Service name (from the task's group "service:<name>"). */
  service: string;
  /** ISO-8601 time the first stuck task was seen. */
  firstSeen: string;
}
