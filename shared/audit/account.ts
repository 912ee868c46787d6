import type { Cluster, ContainerInstance, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Subnet } from '@aws-sdk/client-ec2';
import { arnName, parseArn } from '../arn';
import type { Finding, ResourceRef, Severity } from '../findings';
import type { AccountReader, ReaderInput, ReaderOperation, ReaderOutput } from '../reader/port';
import type { ClusterSubject, Located, ServiceSubject, Surroundings, TaskDefinitionSubject } from '../static/check';
import { identity } from '../static/pointer';
import { runStaticChecks, type StaticUnchecked } from '../static/run';
import { containersOf } from '../static/task-definition';

/**
 * The scheduled audit: every cluster, service, task definition in use and
 * container instance of one account and Region, through the reader port,
 * judged by the same static checks as lint. API-frugal by construction:
 * ListServices 100 a page, DescribeServices 10 at a time, DescribeClusters and
 * DescribeContainerInstances 100 at a time, each task-definition revision
 * described once, container instances listed only in clusters that have any,
 * subnets described in batches, log groups listed by shared prefix. The
 * reader's SDK clients retry adaptively (client-side rate limiting on throttling).
 */

export interface AuditOptions {
  region: string;
  /** Cluster names or ARNs; every cluster of the Region when empty. */
  clusters?: readonly string[];
  /** Reads in flight at once. */
  concurrency?: number;
}

export interface AuditSummary {
  region: string;
  clusters: number;
  services: number;
  taskDefinitions: number;
  containerInstances: number;
  findings: Record<Severity, number>;
  byRule: Record<string, number>;
  /** AWS calls made, by operation. */
  calls: Partial<Record<ReaderOperation, number>>;
  /** Reads that failed (each is also in `unchecked`). */
  failedReads: number;
}

export interface AuditResult {
  findings: Finding[];
  unchecked: StaticUnchecked[];
  summary: AuditSummary;
  /** Clusters read completely: only their incidents may be resolved by this run. */
  completeClusters: ReadonlySet<string>;
  /** Whether every cluster of the Region was listed and read: only then may account-wide incidents (task definitions) resolve. */
  complete: boolean;
}

/** Every read the audit makes: the audit Lambda's role allows these and nothing else. */
export const AUDIT_OPERATIONS = [
  'ecs:ListClusters',
  'ecs:DescribeClusters',
  'ecs:ListServices',
  'ecs:DescribeServices',
  'ecs:DescribeTaskDefinition',
  'ecs:ListContainerInstances',
  'ecs:DescribeContainerInstances',
  'ec2:DescribeSubnets',
  'logs:DescribeLogGroups',
] as const satisfies readonly ReaderOperation[];

type AuditOperation = (typeof AUDIT_OPERATIONS)[number];

const DEFAULT_CONCURRENCY = 8;
/** Batch sizes the APIs allow (ECS API reference; DescribeSubnets: up to 200 filter values). */
const BATCH = { describeServices: 10, describeClusters: 100, describeContainerInstances: 100, describeSubnets: 200, listPage: 100, logGroupsPage: 50 } as const;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` over the items with at most `limit` in flight, keeping input order in the results. */
async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The log-group prefix to list a group under: its path up to the last "/" ("/ecs/web" → "/ecs/"), else the name. */
function prefixOf(group: string): string {
  const cut = group.lastIndexOf('/');
  return cut > 0 ? group.slice(0, cut + 1) : group;
}

export async function auditAccount(reader: AccountReader, options: AuditOptions): Promise<AuditResult> {
  const limit = options.concurrency ?? DEFAULT_CONCURRENCY;
  const calls: Partial<Record<ReaderOperation, number>> = {};
  const unchecked: StaticUnchecked[] = [];
  const incomplete = new Set<string>();
  let failedReads = 0;
  let complete = true;

  /** One read; a failure is recorded (unchecked, and the scope incomplete), never thrown. */
  async function read<K extends AuditOperation>(operation: K, input: ReaderInput<K>, resource: ResourceRef, purpose: string): Promise<ReaderOutput<K> | undefined> {
    calls[operation] = (calls[operation] ?? 0) + 1;
    try {
      return await reader.read(operation, input);
    } catch (error) {
      failedReads++;
      unchecked.push({ resource, check: purpose, reason: `${operation}: ${reasonOf(error)}` });
      if (resource.cluster) incomplete.add(resource.cluster);
      else complete = false;
      return undefined;
    }
  }

  /** Every page of a list call, following nextToken. */
  async function listAll<K extends 'ecs:ListClusters' | 'ecs:ListServices' | 'ecs:ListContainerInstances'>(
    operation: K,
    input: ReaderInput<K>,
    pick: (output: ReaderOutput<K>) => string[] | undefined,
    resource: ResourceRef,
    purpose: string,
  ): Promise<string[] | undefined> {
    const all: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await read(operation, { ...input, maxResults: BATCH.listPage, ...(nextToken ? { nextToken } : {}) } as ReaderInput<K>, resource, purpose);
      if (!page) return undefined;
      all.push(...(pick(page) ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }

  const region = options.region;
  const scoped = (options.clusters ?? []).length > 0;
  if (scoped) complete = false;
  const clusterArns = scoped
    ? [...(options.clusters as readonly string[])]
    : ((await listAll('ecs:ListClusters', {}, (o) => o.clusterArns, { region }, 'the clusters of the Region')) ?? []);

  const clusters: Cluster[] = [];
  for (const batch of chunks(clusterArns, BATCH.describeClusters)) {
    const described = await read('ecs:DescribeClusters', { clusters: batch, include: ['CONFIGURATIONS', 'SETTINGS'] }, { region }, 'the clusters\' ECS Exec configuration and instance counts');
    if (!described) for (const arn of batch) incomplete.add(arnName(arn) ?? arn);
    clusters.push(...(described?.clusters ?? []).filter((c) => c.status === undefined || c.status === 'ACTIVE'));
  }
  const account = parseArn(clusters[0]?.clusterArn)?.account;
  const base = { ...(account ? { account } : {}), region };

  const perCluster = await mapConcurrent(clusters, Math.max(1, Math.floor(limit / 2)), async (cluster) => {
    const name = cluster.clusterName ?? arnName(cluster.clusterArn) ?? '?';
    const where = { ...base, cluster: name };
    const clusterId = cluster.clusterArn ?? name;
    const serviceArns = (await listAll('ecs:ListServices', { cluster: clusterId }, (o) => o.serviceArns, where, 'the cluster\'s services')) ?? [];
    const described = await mapConcurrent(chunks(serviceArns, BATCH.describeServices), limit, (batch) =>
      read('ecs:DescribeServices', { cluster: clusterId, services: batch }, where, 'the services\' configuration'),
    );
    const services = described.flatMap((d) => d?.services ?? []).filter((s) => s.status === undefined || s.status === 'ACTIVE');
    let instances: ContainerInstance[] = [];
    // DescribeClusters counts registered instances: a Fargate-only cluster costs no listing.
    if ((cluster.registeredContainerInstancesCount ?? 1) > 0) {
      const arns = (await listAll('ecs:ListContainerInstances', { cluster: clusterId }, (o) => o.containerInstanceArns, where, 'the container instances')) ?? [];
      const pages = await mapConcurrent(chunks(arns, BATCH.describeContainerInstances), limit, (batch) =>
        read('ecs:DescribeContainerInstances', { cluster: clusterId, containerInstances: batch }, where, 'the container instances\' agents and ENI trunking'),
      );
      instances = pages.flatMap((p) => p?.containerInstances ?? []);
    }
    return { cluster, name, services, instances };
  });

  // Each revision once, however many services run it.
  const taskDefinitionArns = [...new Set(perCluster.flatMap((c) => c.services.map((s) => s.taskDefinition).filter((a): a is string => typeof a === 'string')))];
  const taskDefinitions = new Map<string, TaskDefinition>();
  await mapConcurrent(taskDefinitionArns, limit, async (arn) => {
    const answer = await read('ecs:DescribeTaskDefinition', { taskDefinition: arn }, { ...base, taskFamily: arn.split('/').pop()?.split(':')[0] ?? arn }, 'the task definition');
    if (answer?.taskDefinition) taskDefinitions.set(arn, answer.taskDefinition);
  });

  const subnetIds = [...new Set(perCluster.flatMap((c) => c.services.flatMap((s) => s.networkConfiguration?.awsvpcConfiguration?.subnets ?? [])))];
  const subnets = new Map<string, Subnet>();
  for (const batch of chunks(subnetIds, BATCH.describeSubnets)) {
    const answer = await read('ec2:DescribeSubnets', { SubnetIds: batch }, base, 'free addresses in the services\' subnets');
    for (const subnet of answer?.Subnets ?? []) if (subnet.SubnetId) subnets.set(subnet.SubnetId, subnet);
  }

  const logGroups = await existingLogGroups([...taskDefinitions.values()], base, read);

  const clusterByKey = new Map<string, Cluster>();
  for (const c of clusters) {
    if (c.clusterArn) clusterByKey.set(c.clusterArn, c);
    if (c.clusterName) clusterByKey.set(c.clusterName, c);
  }
  const around: Surroundings = {
    accountFacts: null,
    // Known only under a prefix that was listed: then absent means missing.
    logGroupExists: (name) => logGroups.get(prefixOf(name))?.has(name),
    roleGrants: () => undefined,
    subnet: (id) => subnets.get(id),
    cluster: (key) => (key ? clusterByKey.get(key) : undefined),
  };
  const locatedTaskDefinition = (arn: string): Located<TaskDefinition> | undefined => {
    const value = taskDefinitions.get(arn);
    return value && { value, origin: { source: 'ecs:DescribeTaskDefinition', resource: { ...base, taskFamily: value.family ?? arn }, pointerOf: identity('') } };
  };
  const taskDefinitionSubjects: TaskDefinitionSubject[] = taskDefinitionArns.flatMap((arn) => {
    const located = locatedTaskDefinition(arn);
    return located ? [{ taskDefinition: located, around }] : [];
  });
  const clusterSubjects: ClusterSubject[] = [];
  const serviceSubjects: ServiceSubject[] = [];
  for (const { cluster, name, services, instances } of perCluster) {
    const subjects = services.map(
      (service: Service): ServiceSubject => ({
        service: { value: service, origin: { source: 'ecs:DescribeServices', resource: { ...base, cluster: name, service: service.serviceName ?? '?' }, pointerOf: identity('') } },
        taskDefinition: typeof service.taskDefinition === 'string' ? locatedTaskDefinition(service.taskDefinition) : undefined,
        targetGroups: [],
        around,
      }),
    );
    serviceSubjects.push(...subjects);
    clusterSubjects.push({ cluster: { value: cluster, origin: { source: 'ecs:DescribeContainerInstances', resource: { ...base, cluster: name }, pointerOf: identity('') } }, containerInstances: instances, services: subjects, around });
  }

  const { findings, unchecked: notJudged } = runStaticChecks({ taskDefinitions: taskDefinitionSubjects, services: serviceSubjects, clusters: clusterSubjects });
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  const completeClusters = new Set(perCluster.map((c) => c.name).filter((n) => !incomplete.has(n)));
  return {
    findings,
    unchecked: [...unchecked, ...notJudged],
    summary: {
      region,
      clusters: clusters.length,
      services: serviceSubjects.length,
      taskDefinitions: taskDefinitions.size,
      containerInstances: clusterSubjects.reduce((sum, c) => sum + c.containerInstances.length, 0),
      findings: { critical: count('critical'), warning: count('warning'), info: count('info') },
      byRule,
      calls,
      failedReads,
    },
    completeClusters,
    complete: complete && incomplete.size === 0,
  };
}

type Read = <K extends AuditOperation>(operation: K, input: ReaderInput<K>, resource: ResourceRef, purpose: string) => Promise<ReaderOutput<K> | undefined>;

/**
 * The awslogs groups that matter (no awslogs-create-group), listed by shared
 * prefix: prefix → the existing groups under it. A prefix whose listing failed
 * is absent, so its groups stay unknown.
 */
async function existingLogGroups(taskDefinitions: readonly TaskDefinition[], resource: ResourceRef, read: Read): Promise<Map<string, Set<string>>> {
  const wanted = new Set<string>();
  for (const td of taskDefinitions) {
    for (const { container } of containersOf(td)) {
      const options = container.logConfiguration?.logDriver === 'awslogs' ? container.logConfiguration.options : undefined;
      const group = options?.['awslogs-group'];
      if (group && options['awslogs-create-group']?.toLowerCase() !== 'true') wanted.add(group);
    }
  }
  const byPrefix = new Map<string, string[]>();
  for (const group of wanted) byPrefix.set(prefixOf(group), [...(byPrefix.get(prefixOf(group)) ?? []), group]);
  const existing = new Map<string, Set<string>>();
  for (const [prefix, groups] of byPrefix) {
    // One group under a prefix: ask for it by name; several: list the prefix once.
    const query = groups.length === 1 ? (groups[0] as string) : prefix;
    const found = new Set<string>();
    let nextToken: string | undefined;
    let failed = false;
    do {
      const page = await read('logs:DescribeLogGroups', { logGroupNamePrefix: query, limit: BATCH.logGroupsPage, ...(nextToken ? { nextToken } : {}) }, resource, `whether the log groups under ${query} exist`);
      if (!page) {
        failed = true;
        break;
      }
      for (const g of page.logGroups ?? []) if (g.logGroupName) found.add(g.logGroupName);
      nextToken = page.nextToken;
    } while (nextToken);
    if (!failed) existing.set(prefix, found);
  }
  return existing;
}
