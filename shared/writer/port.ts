import type {
  CreateLogGroupCommandInput,
  CreateLogGroupCommandOutput,
  PutRetentionPolicyCommandInput,
  PutRetentionPolicyCommandOutput,
  TagResourceCommandInput,
  TagResourceCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { UpdateServiceCommandOutput } from '@aws-sdk/client-ecs';

/** An SDK response as remedies see it: the service's answer, without transport metadata. */
type Response<T> = Omit<T, '$metadata'>;

/**
 * Every change a remedy may make, named by its IAM action (the remediate role is
 * derived from the same names). UpdateService takes the grace period and nothing
 * else: no other field can be sent, so no new deployment is forced.
 */
export interface WriterOperations {
  'ecs:UpdateService': {
    input: { cluster: string; service: string; healthCheckGracePeriodSeconds: number };
    output: Response<UpdateServiceCommandOutput>;
  };
  'logs:CreateLogGroup': { input: CreateLogGroupCommandInput; output: Response<CreateLogGroupCommandOutput> };
  'logs:PutRetentionPolicy': { input: PutRetentionPolicyCommandInput; output: Response<PutRetentionPolicyCommandOutput> };
  'logs:TagResource': { input: TagResourceCommandInput; output: Response<TagResourceCommandOutput> };
}

export type WriterOperation = keyof WriterOperations;
export type WriterInput<K extends WriterOperation> = WriterOperations[K]['input'];
export type WriterOutput<K extends WriterOperation> = WriterOperations[K]['output'];

/** One change as a writer received it: what the dry-run writer records. */
export interface WriteRequest<K extends WriterOperation = WriterOperation> {
  operation: K;
  region: string;
  input: WriterInput<K>;
}

/** The port remedies change the account through. Implementations throw on failure (AccessDenied, throttling…). */
export interface AccountWriter {
  /** Whether this writer changes the account (false for the dry run). */
  readonly live: boolean;
  write<K extends WriterOperation>(operation: K, input: WriterInput<K>, region: string): Promise<WriterOutput<K>>;
}
