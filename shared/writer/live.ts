import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Credentials } from '../reader/live';
import type { AccountWriter, WriterInput, WriterOperation, WriterOutput } from './port';

/** Each service's SDK, imported on the first change to that service (as the live reader does: shared/reader/live.ts). */
const sdks = {
  ecs: () => import('@aws-sdk/client-ecs'),
  logs: () => import('@aws-sdk/client-cloudwatch-logs'),
};
type Service = keyof typeof sdks;
type Sdk<S extends Service> = Awaited<ReturnType<(typeof sdks)[S]>>;

export interface WriterClients {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
}

/** A change is not retried by the SDK more than once more: a refused one is reported, and the caller decides. */
const MAX_ATTEMPTS = 2;
const clientConfig = (region: string, credentials: Credentials | undefined) => ({
  region,
  ...(credentials ? { credentials } : {}),
  maxAttempts: MAX_ATTEMPTS,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true as const },
});

type Loaded<S extends Service> = { sdk: Sdk<S>; client: WriterClients[S] };
type ClientOf = <S extends Service>(service: S) => Promise<Loaded<S>>;

const clientClasses: { [S in Service]: (sdk: Sdk<S>) => new (config: ReturnType<typeof clientConfig>) => WriterClients[S] } = {
  ecs: (sdk) => sdk.ECSClient,
  logs: (sdk) => sdk.CloudWatchLogsClient,
};

/**
 * One binding per writer operation, each building its Command from the port's
 * fields alone: UpdateService gets cluster, service and the grace period, and
 * nothing a caller might have added.
 */
const bindings: { [K in WriterOperation]: (client: ClientOf, input: WriterInput<K>) => Promise<WriterOutput<K>> } = {
  'ecs:UpdateService': (c, { cluster, service, healthCheckGracePeriodSeconds }) =>
    c('ecs').then(({ sdk, client }) => client.send(new sdk.UpdateServiceCommand({ cluster, service, healthCheckGracePeriodSeconds }))),
  'logs:CreateLogGroup': (c, input) => c('logs').then(({ sdk, client }) => client.send(new sdk.CreateLogGroupCommand(input))),
  'logs:PutRetentionPolicy': (c, input) => c('logs').then(({ sdk, client }) => client.send(new sdk.PutRetentionPolicyCommand(input))),
  'logs:TagResource': (c, input) => c('logs').then(({ sdk, client }) => client.send(new sdk.TagResourceCommand(input))),
};

export const writerOperations = Object.keys(bindings) as WriterOperation[];

export interface LiveWriterOptions {
  /** Clients per region to use instead of creating them (tests, callers with their own credentials). */
  clients?: (region: string) => Partial<WriterClients>;
  /** Credentials for the clients it creates (the CLI's profile, resolved once: shared/reader/live.ts credentialsOnce); by default the standard chain. */
  credentials?: Credentials;
}

/** The writer over the account: clients created lazily, one per service and region, kept for the writer's life. */
export function liveWriter(options: LiveWriterOptions = {}): AccountWriter {
  const byRegion = new Map<string, Partial<WriterClients>>();
  const clientsIn =
    (region: string): ClientOf =>
    async <S extends Service>(service: S): Promise<Loaded<S>> => {
      const sdk = (await sdks[service]()) as Sdk<S>;
      let cache = byRegion.get(region);
      if (!cache) {
        cache = { ...options.clients?.(region) };
        byRegion.set(region, cache);
      }
      const client: WriterClients[S] = cache[service] ?? new (clientClasses[service](sdk))(clientConfig(region, options.credentials));
      cache[service] = client;
      return { sdk, client };
    };
  return {
    live: true,
    async write(operation, input, region) {
      const response = await bindings[operation](clientsIn(region), input);
      const { $metadata: _transport, ...output } = response as typeof response & { $metadata?: unknown };
      return output as typeof response;
    },
  };
}
