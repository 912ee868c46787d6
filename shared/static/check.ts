import type { Cluster, ContainerInstance, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Subnet } from '@aws-sdk/client-ec2';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Evidence, ResourceRef, Severity } from '../findings';

/**
 * Static checks judge configuration before anything fails: a task definition,
 * a service, a cluster's container instances. Every source (a JSON file, a
 * CloudFormation or CDK template, a Terraform plan, the account itself) is
 * normalized to the AWS SDK shapes first, so one check serves lint, the CDK
 * Aspect and the audit alike.
 */

/** Where a configured object came from, and how a path inside it maps back to the file. */
export interface Origin {
  /** What the evidence cites: a file name, or the API call that returned the object. */
  source: string;
  resource: ResourceRef;
  /** The JSON pointer, in the source, of a pointer inside the normalized object. */
  pointerOf(path: string): string;
}

export interface Located<T> {
  value: T;
  origin: Origin;
}

/**
 * What is known beyond the document itself. Lint knows what the same template
 * defines; the audit knows the account. An answer of undefined means unknown,
 * and the check records what it could not verify.
 */
export interface Surroundings {
  /** Why account facts are not available, e.g. "lint reads only the files". */
  accountFacts: string | null;
  /** Whether a CloudWatch log group exists (or is created by the same template). */
  logGroupExists(name: string): boolean | undefined;
  /** The IAM actions a role's identity policies grant, when its policies are known. */
  roleGrants(roleArn: string): readonly string[] | undefined;
  subnet(id: string): Subnet | undefined;
  cluster(nameOrArn: string | undefined): Cluster | undefined;
}

export interface TaskDefinitionSubject {
  taskDefinition: Located<TaskDefinition>;
  around: Surroundings;
}

export interface ServiceSubject {
  service: Located<Service>;
  /** The task definition the service runs, when it is known (same file, same template, or the account). */
  taskDefinition: Located<TaskDefinition> | undefined;
  /** The target groups of its load balancers that are known. */
  targetGroups: readonly Located<TargetGroup>[];
  around: Surroundings;
}

export interface ClusterSubject {
  cluster: Located<Cluster>;
  containerInstances: readonly ContainerInstance[];
  /** The cluster's services with their task definitions, for demand on the instances. */
  services: readonly ServiceSubject[];
  around: Surroundings;
}

/** One problem a check found: a finding without the resource, which the runner fills in from `at`. */
export interface Issue {
  cause: string | null;
  severity: Severity;
  title: string;
  explanation: string;
  fix: string;
  at: { origin: Origin; path: string };
  evidence: Evidence[];
}

/** What a check reports into: issues, and what it could not judge. */
export interface Report {
  issue(issue: Issue): void;
  unchecked(origin: Origin, check: string, reason: string): void;
}

export interface StaticCheck {
  /** The rule id this check belongs to (shared/rules/<id>/check.ts). */
  rule: string;
  /** Every cause it can report; ids are public like the rule's. */
  causes: readonly string[];
  /** In plain words, what it checks (README table). */
  summary: string;
  taskDefinition?(subject: TaskDefinitionSubject, report: Report): void;
  service?(subject: ServiceSubject, report: Report): void;
  cluster?(subject: ClusterSubject, report: Report): void;
}

/** A location inside a located object, for `Issue.at`. */
export function at(located: Located<unknown>, path = ''): Issue['at'] {
  return { origin: located.origin, path };
}

/** Evidence citing a field: `<source>#<pointer>`. */
export function seen(located: Located<unknown>, path: string, observed: string): Evidence {
  return { source: `${located.origin.source}#${located.origin.pointerOf(path)}`, observed };
}

/** Knows nothing beyond the document: every answer is unknown. */
export function nothingAround(reason: string): Surroundings {
  return {
    accountFacts: reason,
    logGroupExists: () => undefined,
    roleGrants: () => undefined,
    subnet: () => undefined,
    cluster: () => undefined,
  };
}

/** An unresolved CloudFormation intrinsic, kept as a readable token so equal references compare equal. */
export function unresolvedToken(expression: string): string {
  return `<unresolved ${expression}>`;
}

export function isUnresolved(value: unknown): boolean {
  return typeof value === 'string' && value.includes('<unresolved ');
}
