/**
 * What the bench measures for each function of the stack (infra/sizes.ts lists them): a function added to the
 * stack is benched once it has its entry here, and the type check insists on one.
 */
import type { FunctionName } from '../infra/sizes';

/** SDK packages by the client class the floors construct. */
export const sdkPackages = {
  DynamoDBClient: '@aws-sdk/client-dynamodb',
  EventBridgeClient: '@aws-sdk/client-eventbridge',
  SQSClient: '@aws-sdk/client-sqs',
  SNSClient: '@aws-sdk/client-sns',
  ECSClient: '@aws-sdk/client-ecs',
  ElasticLoadBalancingV2Client: '@aws-sdk/client-elastic-load-balancing-v2',
} as const;
export type ClientClass = keyof typeof sdkPackages;

/** The runs a peak RSS is measured over (bench/memory.ts, bench/audit.ts). */
export const peakRssRuns = {
  storm: 'the storm',
  audit: 'the audit of 5,000 services in 50 clusters',
} as const;

export interface FunctionBench {
  /** The SDK clients every invocation needs: its cold start is measured against a bundle of only these. */
  floor: ClientClass[];
  /** The run its peak RSS is measured over, or why it is not measured. */
  peakRss: keyof typeof peakRssRuns | { notMeasured: string };
}

export const functionBenches: Record<FunctionName, FunctionBench> = {
  // Stores its incidents (DynamoDB), publishes them (EventBridge) and queues re-checks and dead letters (SQS).
  diagnose: { floor: ['DynamoDBClient', 'EventBridgeClient', 'SQSClient'], peakRss: 'storm' },
  // Records each alert once (DynamoDB), publishes it (SNS) and queues dead letters (SQS).
  notify: { floor: ['DynamoDBClient', 'SNSClient', 'SQSClient'], peakRss: 'storm' },
  // Every run reads its open incidents (DynamoDB), has its publisher built at init (EventBridge) and lists or
  // describes the clusters (ECS); EC2 and CloudWatch Logs are read only for what the account holds.
  audit: { floor: ['DynamoDBClient', 'EventBridgeClient', 'ECSClient'], peakRss: 'audit' },
  // Reads its ledger (DynamoDB), publishes outcomes (EventBridge) and dead-letters (SQS); ECS and CloudWatch Logs load on first use.
  remediate: { floor: ['DynamoDBClient', 'EventBridgeClient', 'SQSClient'], peakRss: 'storm' },
};
