/** The one finding shape: printed by the CLI, published by the bot, documented in the README. */

export type Severity = 'critical' | 'warning' | 'info';

export const severityOrder: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export interface ResourceRef {
  account?: string;
  region?: string;
  cluster?: string;
  service?: string;
  taskFamily?: string;
  task?: string;
  container?: string;
  containerInstance?: string;
  /** Static checks: the file, the CloudFormation logical id or Terraform address, and a JSON pointer (RFC 6901) to the offending field. */
  file?: string;
  logicalId?: string;
  pointer?: string;
}

export interface Evidence {
  /** Where it was observed: an event field (`detail.stoppedReason`), an API call (`ecs:DescribeServices`), or `input`. */
  source: string;
  observed: string;
}

export interface Unchecked {
  check: string;
  reason: string;
}

export interface Finding {
  rule: string;
  cause: string | null;
  severity: Severity;
  title: string;
  explanation: string;
  fix: string;
  resource: ResourceRef;
  evidence: Evidence[];
  unchecked: Unchecked[];
}
