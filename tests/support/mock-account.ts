import type { Cluster, ContainerInstance, ContainerDefinition, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { AccountReader, ReaderInput, ReaderOperation, ReaderOutput } from '../../shared/reader/port';

/**
 * A mocked account of realistic shape for the audit, behind the reader port:
 * clusters of uneven size, Fargate and EC2 (with container instances), task
 * definitions shared between services, awsvpc subnets, awslogs log groups,
 * and a sprinkling of the misconfigurations the checks look for. It enforces
 * the APIs' limits (DescribeServices ≤ 10, ListServices ≤ 100 a page and 10 by
 * default, DescribeContainerInstances ≤ 100, DescribeLogGroups ≤ 50 a page) and
 * knows the fewest calls an audit of it can make.
 */

export interface AccountShape {
  clusters: number;
  services: number;
  /** Every how many clusters one runs on EC2 instances (the rest are Fargate only). */
  ec2Every: number;
  instancesPerEc2Cluster: number;
  /** Every how many services one reuses the task definition of the service before it. */
  sharedEvery: number;
}

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const arn = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;

class ApiError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

function page<T>(items: readonly T[], input: { maxResults?: number | undefined; nextToken?: string | undefined }, defaultSize: number, max: number) {
  const size = input.maxResults ?? defaultSize;
  if (size < 1 || size > max) throw new ApiError('InvalidParameterException', `maxResults must be 1–${max}`);
  const start = input.nextToken ? Number(input.nextToken) : 0;
  const slice = items.slice(start, start + size);
  return { slice, ...(start + size < items.length ? { nextToken: String(start + size) } : {}) };
}

export interface MockAccount {
  reader: AccountReader;
  /** The fewest calls of each operation an audit of this account can make. */
  minimum: Partial<Record<ReaderOperation, number>>;
  clusters: Cluster[];
  services: Map<string, Service[]>;
  taskDefinitions: Map<string, TaskDefinition>;
  /** Change the account between runs (fix or break something). */
  mutate(change: (account: MockAccount) => void): void;
}

function containerFor(family: string, index: number): ContainerDefinition {
  const createGroup = index % 2 === 0;
  return {
    name: 'app',
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${family}:${(index % 9) + 1}.0.0`,
    essential: true,
    portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'app', ...(createGroup ? { 'awslogs-create-group': 'true' } : {}) },
    },
    ...(index % 5 === 0 ? { healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'], startPeriod: 60, interval: 30, retries: 3 } } : {}),
  };
}

export function mockAccount(shape: AccountShape): MockAccount {
  const clusters: Cluster[] = [];
  const services = new Map<string, Service[]>();
  const taskDefinitions = new Map<string, TaskDefinition>();
  const instances = new Map<string, ContainerInstance[]>();
  const subnets = Array.from({ length: 60 }, (_, i) => `subnet-0${(0xa000 + i).toString(16)}00000000000`);
  const logGroups = new Set<string>();
  // Uneven clusters: sizes from about half to one and a half times the mean.
  const weights = Array.from({ length: shape.clusters }, (_, i) => 0.5 + ((i * 37) % shape.clusters) / shape.clusters);
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.floor((w / total) * shape.services));
  sizes[0] = (sizes[0] ?? 0) + shape.services - sizes.reduce((a, b) => a + b, 0);
  let serviceIndex = 0;
  let previousTaskDefinition = '';
  for (let c = 0; c < shape.clusters; c++) {
    const name = `cluster-${String(c).padStart(2, '0')}`;
    const ec2 = c % shape.ec2Every === 0;
    const clusterInstances: ContainerInstance[] = ec2
      ? Array.from({ length: shape.instancesPerEc2Cluster }, (_, i) => ({
          containerInstanceArn: arn(`container-instance/${name}/${String(i).padStart(32, '0')}`),
          ec2InstanceId: `i-0${c.toString(16).padStart(4, '0')}${i.toString(16).padStart(12, '0')}`,
          agentConnected: true,
          status: 'ACTIVE',
          versionInfo: { agentVersion: i === 0 && c % (shape.ec2Every * 2) === 0 ? '1.49.0' : '1.105.0' },
          attributes: [{ name: 'ecs.instance-type', value: 'c5.xlarge' }, ...(i % 2 === 0 ? [{ name: 'ecs.awsvpc-trunk-id', value: `eni-0${i}` }] : [])],
        }))
      : [];
    instances.set(name, clusterInstances);
    clusters.push({ clusterArn: arn(`cluster/${name}`), clusterName: name, status: 'ACTIVE', registeredContainerInstancesCount: clusterInstances.length, activeServicesCount: sizes[c] });
    const list: Service[] = [];
    for (let s = 0; s < (sizes[c] ?? 0); s++, serviceIndex++) {
      const family = `svc-${String(serviceIndex).padStart(4, '0')}`;
      let taskDefinitionArn = arn(`task-definition/${family}:${(serviceIndex % 7) + 1}`);
      if (serviceIndex % shape.sharedEvery === 1 && previousTaskDefinition) taskDefinitionArn = previousTaskDefinition;
      else {
        const fargate = !ec2;
        taskDefinitions.set(taskDefinitionArn, {
          taskDefinitionArn,
          family,
          revision: (serviceIndex % 7) + 1,
          networkMode: 'awsvpc',
          requiresCompatibilities: [fargate ? 'FARGATE' : 'EC2'],
          // One in fifty asks Fargate for a size it does not run.
          cpu: '512',
          memory: serviceIndex % 50 === 3 && fargate ? '512' : '1024',
          executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${family}-execution`,
          taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${family}-task`,
          containerDefinitions: [containerFor(family, serviceIndex)],
          status: 'ACTIVE',
        });
        // Infrastructure as code creates most log groups; one in forty is missing.
        if (serviceIndex % 40 !== 7) logGroups.add(`/ecs/${family}`);
      }
      previousTaskDefinition = taskDefinitionArn;
      const serviceSubnets = [0, 1, 2].map((k) => subnets[(c * 3 + k) % subnets.length] as string);
      list.push({
        serviceArn: arn(`service/${name}/${family}`),
        serviceName: family,
        clusterArn: arn(`cluster/${name}`),
        status: 'ACTIVE',
        desiredCount: (serviceIndex % 4) + 1,
        runningCount: (serviceIndex % 4) + 1,
        pendingCount: 0,
        launchType: ec2 ? 'EC2' : 'FARGATE',
        ...(ec2 ? {} : { platformVersion: serviceIndex % 3 === 0 ? 'LATEST' : '1.4.0' }),
        taskDefinition: taskDefinitionArn,
        deploymentConfiguration: {
          // One in thirty can stop every task during a deployment.
          minimumHealthyPercent: serviceIndex % 30 === 11 ? 0 : 100,
          maximumPercent: 200,
          ...(serviceIndex % 10 === 4 ? {} : { deploymentCircuitBreaker: { enable: true, rollback: true } }),
        },
        loadBalancers: [{ targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${family}/0123456789abcdef`, containerName: 'app', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: serviceIndex % 25 === 9 ? 0 : 120,
        networkConfiguration: { awsvpcConfiguration: { subnets: serviceSubnets, securityGroups: ['sg-0aaa1111bbbb22220'], assignPublicIp: 'DISABLED' } },
        schedulingStrategy: 'REPLICA',
        deploymentController: { type: 'ECS' },
        enableExecuteCommand: serviceIndex % 20 === 0,
        deployments: [{ id: `ecs-svc/${serviceIndex}`, status: 'PRIMARY', taskDefinition: taskDefinitionArn, ...(ec2 ? {} : { platformVersion: '1.4.0' }) }],
      });
    }
    services.set(name, list);
  }

  const clusterOf = (key: string | undefined) => clusters.find((c) => c.clusterArn === key || c.clusterName === key);
  const answer = <K extends ReaderOperation>(operation: K, input: ReaderInput<K>): ReaderOutput<K> => {
    const i = input as Record<string, unknown> & { maxResults?: number; nextToken?: string };
    switch (operation) {
      case 'ecs:ListClusters': {
        const { slice, nextToken } = page(clusters, i, 100, 100);
        return { clusterArns: slice.map((c) => c.clusterArn as string), ...(nextToken ? { nextToken } : {}) } as ReaderOutput<K>;
      }
      case 'ecs:DescribeClusters': {
        const asked = i.clusters as string[];
        if (asked.length > 100) throw new ApiError('InvalidParameterException', 'at most 100 clusters');
        return { clusters: asked.map(clusterOf).filter((c) => c !== undefined), failures: [] } as ReaderOutput<K>;
      }
      case 'ecs:ListServices': {
        const cluster = clusterOf(i.cluster as string);
        const { slice, nextToken } = page(services.get(cluster?.clusterName ?? '') ?? [], i, 10, 100);
        return { serviceArns: slice.map((s) => s.serviceArn as string), ...(nextToken ? { nextToken } : {}) } as ReaderOutput<K>;
      }
      case 'ecs:DescribeServices': {
        const asked = i.services as string[];
        if (asked.length > 10) throw new ApiError('InvalidParameterException', 'at most 10 services');
        const list = services.get(clusterOf(i.cluster as string)?.clusterName ?? '') ?? [];
        return { services: asked.map((a) => list.find((s) => s.serviceArn === a || s.serviceName === a)).filter((s) => s !== undefined), failures: [] } as ReaderOutput<K>;
      }
      case 'ecs:DescribeTaskDefinition': {
        const td = taskDefinitions.get(i.taskDefinition as string);
        if (!td) throw new ApiError('ClientException', 'Unable to describe task definition.');
        return { taskDefinition: td } as ReaderOutput<K>;
      }
      case 'ecs:ListContainerInstances': {
        const { slice, nextToken } = page(instances.get(clusterOf(i.cluster as string)?.clusterName ?? '') ?? [], i, 100, 100);
        return { containerInstanceArns: slice.map((x) => x.containerInstanceArn as string), ...(nextToken ? { nextToken } : {}) } as ReaderOutput<K>;
      }
      case 'ecs:DescribeContainerInstances': {
        const asked = i.containerInstances as string[];
        if (asked.length > 100) throw new ApiError('InvalidParameterException', 'at most 100 container instances');
        const list = instances.get(clusterOf(i.cluster as string)?.clusterName ?? '') ?? [];
        return { containerInstances: list.filter((x) => asked.includes(x.containerInstanceArn as string)), failures: [] } as ReaderOutput<K>;
      }
      case 'ec2:DescribeSubnets': {
        const asked = i.SubnetIds as string[];
        // The subnets of cluster-05 are nearly full: one free address each.
        return { Subnets: asked.map((id) => ({ SubnetId: id, AvailableIpAddressCount: [15, 16, 17].includes(subnets.indexOf(id)) ? 1 : 4000 })) } as ReaderOutput<K>;
      }
      case 'logs:DescribeLogGroups': {
        const prefix = String(i.logGroupNamePrefix ?? '');
        const limit = (i as { limit?: number }).limit ?? 50;
        if (limit > 50) throw new ApiError('InvalidParameterException', 'limit at most 50');
        const matching = [...logGroups].filter((g) => g.startsWith(prefix)).sort();
        const { slice, nextToken } = page(matching, { maxResults: limit, nextToken: i.nextToken as string | undefined }, 50, 50);
        return { logGroups: slice.map((logGroupName) => ({ logGroupName })), ...(nextToken ? { nextToken } : {}) } as ReaderOutput<K>;
      }
      default:
        throw new ApiError('UnsupportedOperation', `${operation} is not part of the mocked account`);
    }
  };

  const account: MockAccount = {
    reader: { read: async (operation, input) => answer(operation, input) },
    minimum: {},
    clusters,
    services,
    taskDefinitions,
    mutate(change) {
      change(account);
    },
  };
  const ceil = (n: number, size: number) => Math.ceil(n / size);
  const needed = new Set([...taskDefinitions.values()].flatMap((td) => (td.containerDefinitions ?? []).filter((c) => !c.logConfiguration?.options?.['awslogs-create-group']).map((c) => c.logConfiguration?.options?.['awslogs-group'])));
  account.minimum = {
    'ecs:ListClusters': Math.max(1, ceil(clusters.length, 100)),
    'ecs:DescribeClusters': ceil(clusters.length, 100),
    'ecs:ListServices': clusters.reduce((sum, c) => sum + Math.max(1, ceil(services.get(c.clusterName as string)?.length ?? 0, 100)), 0),
    'ecs:DescribeServices': clusters.reduce((sum, c) => sum + ceil(services.get(c.clusterName as string)?.length ?? 0, 10), 0),
    'ecs:DescribeTaskDefinition': taskDefinitions.size,
    'ecs:ListContainerInstances': [...instances.values()].reduce((sum, list) => sum + ceil(list.length, 100), 0),
    'ecs:DescribeContainerInstances': [...instances.values()].reduce((sum, list) => sum + ceil(list.length, 100), 0),
    'ec2:DescribeSubnets': ceil(new Set([...services.values()].flat().flatMap((s) => s.networkConfiguration?.awsvpcConfiguration?.subnets ?? [])).size, 200),
    // A listing that returned exactly the groups to check: the floor, whatever the strategy.
    'logs:DescribeLogGroups': ceil(needed.size, 50),
  };
  return account;
}
