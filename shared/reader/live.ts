// Command classes are imported one by one (never the aggregated service classes such as `ECS`),
// so a bundle carries only the operations below.
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeInstanceTypesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  type ECSClientConfig,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AccountReader, ReaderInput, ReaderOperation, ReaderOutput } from './port';

/** One SDK client per service the reader port covers. */
export interface ServiceClients {
  ecs: ECSClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  iam: IAMClient;
  kms: KMSClient;
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
  autoScaling: AutoScalingClient;
  applicationAutoScaling: ApplicationAutoScalingClient;
}
type Service = keyof ServiceClients;

/** Credentials as every SDK client accepts them: fixed, or a provider. */
export type Credentials = NonNullable<ECSClientConfig['credentials']>;

/** The settings every client shares; each service's config type accepts them. */
interface SharedClientConfig {
  region?: string;
  profile?: string;
  credentials?: Credentials;
  maxAttempts: number;
  retryMode: 'adaptive';
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

const clientClasses: { [S in Service]: new (config: SharedClientConfig) => ServiceClients[S] } = {
  ecs: ECSClient,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  logs: CloudWatchLogsClient,
  // IAM is global: the SDK resolves its global endpoint from any commercial region.
  iam: IAMClient,
  kms: KMSClient,
  secretsManager: SecretsManagerClient,
  ssm: SSMClient,
  autoScaling: AutoScalingClient,
  applicationAutoScaling: ApplicationAutoScalingClient,
};

type ClientOf = <S extends Service>(service: S) => ServiceClients[S];
type SendOptions = { abortSignal: AbortSignal };

/**
 * One binding per reader operation: the Record over ReaderOperation makes the
 * compiler insist on every operation, and each line is typed end to end (the
 * port's input goes into the Command, the Command's output is the port's output).
 */
const bindings: {
  [K in ReaderOperation]: (client: ClientOf, input: ReaderInput<K>, options: SendOptions) => Promise<ReaderOutput<K>>;
} = {
  'ecs:DescribeServices': (c, input, o) => c('ecs').send(new DescribeServicesCommand(input), o),
  'ecs:DescribeTaskDefinition': (c, input, o) => c('ecs').send(new DescribeTaskDefinitionCommand(input), o),
  'ecs:DescribeTasks': (c, input, o) => c('ecs').send(new DescribeTasksCommand(input), o),
  'ecs:ListTasks': (c, input, o) => c('ecs').send(new ListTasksCommand(input), o),
  'ecs:DescribeClusters': (c, input, o) => c('ecs').send(new DescribeClustersCommand(input), o),
  'ecs:ListClusters': (c, input, o) => c('ecs').send(new ListClustersCommand(input), o),
  'ecs:ListServices': (c, input, o) => c('ecs').send(new ListServicesCommand(input), o),
  'ecs:DescribeCapacityProviders': (c, input, o) => c('ecs').send(new DescribeCapacityProvidersCommand(input), o),
  'ecs:DescribeContainerInstances': (c, input, o) => c('ecs').send(new DescribeContainerInstancesCommand(input), o),
  'ecs:ListContainerInstances': (c, input, o) => c('ecs').send(new ListContainerInstancesCommand(input), o),
  'ec2:DescribeSubnets': (c, input, o) => c('ec2').send(new DescribeSubnetsCommand(input), o),
  'ec2:DescribeRouteTables': (c, input, o) => c('ec2').send(new DescribeRouteTablesCommand(input), o),
  'ec2:DescribeVpcEndpoints': (c, input, o) => c('ec2').send(new DescribeVpcEndpointsCommand(input), o),
  'ec2:DescribeInstanceTypes': (c, input, o) => c('ec2').send(new DescribeInstanceTypesCommand(input), o),
  'ec2:DescribeSecurityGroups': (c, input, o) => c('ec2').send(new DescribeSecurityGroupsCommand(input), o),
  'elasticloadbalancing:DescribeTargetGroups': (c, input, o) => c('elbv2').send(new DescribeTargetGroupsCommand(input), o),
  'elasticloadbalancing:DescribeTargetHealth': (c, input, o) => c('elbv2').send(new DescribeTargetHealthCommand(input), o),
  'logs:DescribeLogGroups': (c, input, o) => c('logs').send(new DescribeLogGroupsCommand(input), o),
  'iam:SimulatePrincipalPolicy': (c, input, o) => c('iam').send(new SimulatePrincipalPolicyCommand(input), o),
  'kms:DescribeKey': (c, input, o) => c('kms').send(new DescribeKeyCommand(input), o),
  'kms:GetKeyPolicy': (c, input, o) => c('kms').send(new GetKeyPolicyCommand(input), o),
  'secretsmanager:DescribeSecret': (c, input, o) => c('secretsManager').send(new DescribeSecretCommand(input), o),
  'ssm:DescribeParameters': (c, input, o) => c('ssm').send(new DescribeParametersCommand(input), o),
  'autoscaling:DescribeAutoScalingGroups': (c, input, o) => c('autoScaling').send(new DescribeAutoScalingGroupsCommand(input), o),
  'application-autoscaling:DescribeScalableTargets': (c, input, o) =>
    c('applicationAutoScaling').send(new DescribeScalableTargetsCommand(input), o),
  'application-autoscaling:DescribeScalingActivities': (c, input, o) =>
    c('applicationAutoScaling').send(new DescribeScalingActivitiesCommand(input), o),
};

/** Every operation the live reader can call (the diagnose Lambda's IAM actions are checked against it). */
export const liveOperations = Object.keys(bindings) as ReaderOperation[];

/**
 * Bounds on one read. An attempt that hangs is cut after REQUEST_TIMEOUT_MS and
 * retried; the whole read, retries and credential resolution included, ends at
 * the read timeout, so a throttled or hung API becomes an `unchecked` entry
 * rather than a Lambda timeout. Three attempts ride out a short throttling burst
 * (the SDK backs off with jitter between them); adaptive mode also slows a warm
 * client down after throttling, which spares the account's shared ECS buckets.
 */
const MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 3_000;
const DEFAULT_READ_TIMEOUT_MS = 6_000;

/** A read that did not finish within the reader's timeout. */
export class ReadTimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * Clients per region and profile, kept for the life of the process: a warm
 * Lambda reuses its connections and credentials across invocations.
 */
const clientCache = new Map<string, Partial<ServiceClients>>();

function clientConfig({ region, profile, credentials }: LiveReaderOptions): SharedClientConfig {
  return {
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'adaptive',
    // Without throwOnRequestTimeout the Smithy handler only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}

/** A service's client is created when a rule first reads from it, then kept in `cache`. */
function lazyClients(config: SharedClientConfig, cache: Partial<ServiceClients>): ClientOf {
  return <S extends Service>(service: S): ServiceClients[S] => {
    const existing: ServiceClients[S] | undefined = cache[service];
    if (existing) return existing;
    const client = new clientClasses[service](config);
    cache[service] = client;
    return client;
  };
}

function sharedCache(region: string | undefined, profile: string | undefined): Partial<ServiceClients> {
  const key = `${region ?? ''}\u0000${profile ?? ''}`;
  let clients = clientCache.get(key);
  if (!clients) {
    clients = {};
    clientCache.set(key, clients);
  }
  return clients;
}

export interface LiveReaderOptions {
  /** Region to read; by default the SDK's chain (AWS_REGION, the profile's region). */
  region?: string | undefined;
  /** Named profile from the shared AWS config files; by default the standard credential chain. */
  profile?: string | undefined;
  /** Credentials for every client; the reader then keeps its clients to itself instead of the process-wide cache. */
  credentials?: Credentials | undefined;
  /** Clients to use instead of the cached ones (already configured by the caller). */
  clients?: Partial<ServiceClients>;
  /** Milliseconds one read may take, retries included. */
  timeoutMs?: number;
}

/** The reader over the account itself, with the caller's credentials. Read-only: Describe, List, Get and Simulate calls. */
export function liveReader(options: LiveReaderOptions = {}): AccountReader {
  const cache = options.credentials ? {} : sharedCache(options.region, options.profile);
  const created = lazyClients(clientConfig(options), cache);
  const given = options.clients ?? {};
  const client: ClientOf = (service) => given[service] ?? created(service);
  const timeoutMs = options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  return {
    async read(operation, input) {
      const abort = new AbortController();
      const expired = new Promise<never>((_resolve, reject) => {
        abort.signal.addEventListener('abort', () =>
          reject(new ReadTimeoutError(`${operation} did not answer within ${timeoutMs} ms`)),
        );
      });
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        // The race also bounds what the abort signal does not reach: credential resolution, adaptive back-off.
        const response = await Promise.race([bindings[operation](client, input, { abortSignal: abort.signal }), expired]);
        // Rules see the service's answer only, exactly as a snapshot records it: no transport metadata.
        const { $metadata: _transport, ...output } = response as typeof response & { $metadata?: unknown };
        return output as typeof response;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The region the standard AWS configuration names, or undefined: AWS_REGION,
 * then AWS_DEFAULT_REGION (the AWS CLI reads it; the SDK does not), then the
 * profile's region in the shared config files (or the instance's, on EC2).
 */
export async function configuredRegion(profile?: string): Promise<string | undefined> {
  const fromEnvironment = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromEnvironment) return fromEnvironment;
  // The SDK's own region chain, so profiles resolve exactly as they will for the reads.
  const probe = new ECSClient(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/**
 * The standard credential chain (or the profile's), run at most once and
 * shared by every client. The SDK retries a failed chain on every call, so a
 * CLI run without credentials would probe the instance metadata service (up to
 * 1 s per request where it is unreachable but not refused) once per read; with
 * this, all reads fail together after one probe. For short-lived processes only:
 * the first answer is kept, expiry included.
 */
export function credentialsOnce(region?: string, profile?: string): Credentials {
  const probe = new ECSClient(clientConfig({ region, profile }));
  let resolved: ReturnType<typeof probe.config.credentials> | undefined;
  return () => {
    resolved ??= probe.config.credentials();
    return resolved;
  };
}
