import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient, ECSClientConfig } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AccountReader, ReaderInput, ReaderOperation, ReaderOutput } from './port';

/**
 * Each service's SDK, imported when a rule first reads from that service. A cold start then evaluates only
 * the clients the incident needs: esbuild bundles each of these into the same file but wraps it so that its
 * top-level code runs at the import(), not when the bundle loads (bench/bundles.ts measures it).
 */
const sdks = {
  ecs: () => import('@aws-sdk/client-ecs'),
  ec2: () => import('@aws-sdk/client-ec2'),
  elbv2: () => import('@aws-sdk/client-elastic-load-balancing-v2'),
  logs: () => import('@aws-sdk/client-cloudwatch-logs'),
  iam: () => import('@aws-sdk/client-iam'),
  kms: () => import('@aws-sdk/client-kms'),
  secretsManager: () => import('@aws-sdk/client-secrets-manager'),
  ssm: () => import('@aws-sdk/client-ssm'),
  autoScaling: () => import('@aws-sdk/client-auto-scaling'),
  applicationAutoScaling: () => import('@aws-sdk/client-application-auto-scaling'),
};
type Service = keyof typeof sdks;
type Sdk<S extends Service> = Awaited<ReturnType<(typeof sdks)[S]>>;

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

const clientClasses: { [S in Service]: (sdk: Sdk<S>) => new (config: SharedClientConfig) => ServiceClients[S] } = {
  ecs: (sdk) => sdk.ECSClient,
  ec2: (sdk) => sdk.EC2Client,
  elbv2: (sdk) => sdk.ElasticLoadBalancingV2Client,
  logs: (sdk) => sdk.CloudWatchLogsClient,
  // IAM is global: the SDK resolves its global endpoint from any commercial region.
  iam: (sdk) => sdk.IAMClient,
  kms: (sdk) => sdk.KMSClient,
  secretsManager: (sdk) => sdk.SecretsManagerClient,
  ssm: (sdk) => sdk.SSMClient,
  autoScaling: (sdk) => sdk.AutoScalingClient,
  applicationAutoScaling: (sdk) => sdk.ApplicationAutoScalingClient,
};

/** A service's SDK (for its Command classes) and its client. */
type Loaded<S extends Service> = { sdk: Sdk<S>; client: ServiceClients[S] };
type ClientOf = <S extends Service>(service: S) => Promise<Loaded<S>>;
type SendOptions = { abortSignal: AbortSignal };

/**
 * One binding per reader operation: the Record over ReaderOperation makes the
 * compiler insist on every operation, and each line is typed end to end (the
 * port's input goes into the Command, the Command's output is the port's output).
 * Each names its Command on the service's SDK, so the bundle keeps only these.
 */
const bindings: {
  [K in ReaderOperation]: (client: ClientOf, input: ReaderInput<K>, options: SendOptions) => Promise<ReaderOutput<K>>;
} = {
  'ecs:DescribeServices': (c, input, o) => c('ecs').then(({ sdk, client }) => client.send(new sdk.DescribeServicesCommand(input), o)),
  'ecs:DescribeTaskDefinition': (c, input, o) =>
    c('ecs').then(({ sdk, client }) => client.send(new sdk.DescribeTaskDefinitionCommand(input), o)),
  'ecs:DescribeTasks': (c, input, o) => c('ecs').then(({ sdk, client }) => client.send(new sdk.DescribeTasksCommand(input), o)),
  'ecs:ListTasks': (c, input, o) => c('ecs').then(({ sdk, client }) => client.send(new sdk.ListTasksCommand(input), o)),
  'ecs:DescribeClusters': (c, input, o) => c('ecs').then(({ sdk, client }) => client.send(new sdk.DescribeClustersCommand(input), o)),
  'ecs:ListClusters': (c, input, o) => c('ecs').then(({ sdk, client }) => client.send(new sdk.ListClustersCommand(input), o)),
  'ecs:ListServices': (c, input, o) => c('ecs').then(({ sdk, client }) => client.send(new sdk.ListServicesCommand(input), o)),
  'ecs:DescribeCapacityProviders': (c, input, o) =>
    c('ecs').then(({ sdk, client }) => client.send(new sdk.DescribeCapacityProvidersCommand(input), o)),
  'ecs:DescribeContainerInstances': (c, input, o) =>
    c('ecs').then(({ sdk, client }) => client.send(new sdk.DescribeContainerInstancesCommand(input), o)),
  'ecs:ListContainerInstances': (c, input, o) =>
    c('ecs').then(({ sdk, client }) => client.send(new sdk.ListContainerInstancesCommand(input), o)),
  'ec2:DescribeSubnets': (c, input, o) => c('ec2').then(({ sdk, client }) => client.send(new sdk.DescribeSubnetsCommand(input), o)),
  'ec2:DescribeRouteTables': (c, input, o) => c('ec2').then(({ sdk, client }) => client.send(new sdk.DescribeRouteTablesCommand(input), o)),
  'ec2:DescribeVpcEndpoints': (c, input, o) => c('ec2').then(({ sdk, client }) => client.send(new sdk.DescribeVpcEndpointsCommand(input), o)),
  'ec2:DescribeInstanceTypes': (c, input, o) =>
    c('ec2').then(({ sdk, client }) => client.send(new sdk.DescribeInstanceTypesCommand(input), o)),
  'ec2:DescribeSecurityGroups': (c, input, o) =>
    c('ec2').then(({ sdk, client }) => client.send(new sdk.DescribeSecurityGroupsCommand(input), o)),
  'elasticloadbalancing:DescribeTargetGroups': (c, input, o) =>
    c('elbv2').then(({ sdk, client }) => client.send(new sdk.DescribeTargetGroupsCommand(input), o)),
  'elasticloadbalancing:DescribeTargetHealth': (c, input, o) =>
    c('elbv2').then(({ sdk, client }) => client.send(new sdk.DescribeTargetHealthCommand(input), o)),
  'logs:DescribeLogGroups': (c, input, o) => c('logs').then(({ sdk, client }) => client.send(new sdk.DescribeLogGroupsCommand(input), o)),
  'iam:SimulatePrincipalPolicy': (c, input, o) =>
    c('iam').then(({ sdk, client }) => client.send(new sdk.SimulatePrincipalPolicyCommand(input), o)),
  'kms:DescribeKey': (c, input, o) => c('kms').then(({ sdk, client }) => client.send(new sdk.DescribeKeyCommand(input), o)),
  'kms:GetKeyPolicy': (c, input, o) => c('kms').then(({ sdk, client }) => client.send(new sdk.GetKeyPolicyCommand(input), o)),
  'secretsmanager:DescribeSecret': (c, input, o) =>
    c('secretsManager').then(({ sdk, client }) => client.send(new sdk.DescribeSecretCommand(input), o)),
  'ssm:DescribeParameters': (c, input, o) => c('ssm').then(({ sdk, client }) => client.send(new sdk.DescribeParametersCommand(input), o)),
  'autoscaling:DescribeAutoScalingGroups': (c, input, o) =>
    c('autoScaling').then(({ sdk, client }) => client.send(new sdk.DescribeAutoScalingGroupsCommand(input), o)),
  'application-autoscaling:DescribeScalableTargets': (c, input, o) =>
    c('applicationAutoScaling').then(({ sdk, client }) => client.send(new sdk.DescribeScalableTargetsCommand(input), o)),
  'application-autoscaling:DescribeScalingActivities': (c, input, o) =>
    c('applicationAutoScaling').then(({ sdk, client }) => client.send(new sdk.DescribeScalingActivitiesCommand(input), o)),
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

/**
 * A service's SDK is imported and its client created when a rule first reads from it, then kept in `cache`.
 * The client is created synchronously once the import resolves, so concurrent first reads share one.
 */
function lazyClients(config: SharedClientConfig, cache: Partial<ServiceClients>, given: Partial<ServiceClients>): ClientOf {
  return async <S extends Service>(service: S): Promise<Loaded<S>> => {
    const sdk = (await sdks[service]()) as Sdk<S>;
    const client: ServiceClients[S] = given[service] ?? cache[service] ?? new (clientClasses[service](sdk))(config);
    if (!given[service]) cache[service] = client;
    return { sdk, client };
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
  const client = lazyClients(clientConfig(options), cache, options.clients ?? {});
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
  const { ECSClient } = await sdks.ecs();
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
  let resolved: ReturnType<ECSClient['config']['credentials']> | undefined;
  return () => {
    resolved ??= sdks.ecs().then(({ ECSClient }) => new ECSClient(clientConfig({ region, profile })).config.credentials());
    return resolved;
  };
}
