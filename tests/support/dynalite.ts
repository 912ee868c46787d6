/**
 * A DynamoDB-compatible server in this process (dynalite), so conditional
 * writes are real and nothing touches the network. Each call starts its own
 * server on a free port with the incident table created from the same schema
 * the CDK stack deploys.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { incidentDocumentClient, incidentTableSchema } from '../../shared/incidents/store';

// dynalite is CommonJS without types: load it through require and type the one call used.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  /** Every DynamoDB operation the server received since start (or `resetRequests`), e.g. "PutItem". */
  requests: string[];
  resetRequests(): void;
  /** Counts of `requests` by operation. */
  requestCounts(): Record<string, number>;
  stop(): Promise<void>;
}

/** Environment that points an SDK client created elsewhere (a handler) at this server, with dummy credentials. */
export function dynamoEnv(local: LocalDynamo): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
  };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function startDynalite(tableName = 'ecs-medic-incidents'): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Port 0: the OS picks a free port, so parallel test files never collide.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const requests: string[] = [];
  server.on('request', (request: IncomingMessage) => {
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') requests.push(target.slice(target.indexOf('.') + 1));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  await createIncidentTable(client, tableName);
  requests.length = 0;
  return {
    endpoint,
    tableName,
    client,
    documents: incidentDocumentClient(client),
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    requestCounts: () => {
      const counts: Record<string, number> = {};
      for (const operation of requests) counts[operation] = (counts[operation] ?? 0) + 1;
      return counts;
    },
    stop: async () => {
      client.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Clients created elsewhere (a handler's) keep sockets alive; close() alone would wait for them.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Creates the incident table as the stack does (shared/incidents/store.ts `incidentTableSchema`). */
export async function createIncidentTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, indexes } = incidentTableSchema;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: incidentTableSchema.billingMode,
      AttributeDefinitions: [
        { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
        ...indexes.map((index) => ({ AttributeName: index.partitionKey.name, AttributeType: index.partitionKey.type })),
      ],
      KeySchema: [{ AttributeName: partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [{ AttributeName: index.partitionKey.name, KeyType: 'HASH' }],
        Projection: { ProjectionType: index.projection },
      })),
    }),
  );
}
