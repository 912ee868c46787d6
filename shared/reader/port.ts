import type {
  DescribeScalableTargetsCommandInput,
  DescribeScalableTargetsCommandOutput,
  DescribeScalingActivitiesCommandInput,
  DescribeScalingActivitiesCommandOutput,
} from '@aws-sdk/client-application-auto-scaling';
import type {
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import type {
  DescribeLogGroupsCommandInput,
  DescribeLogGroupsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type {
  DescribeInstanceTypesCommandInput,
  DescribeInstanceTypesCommandOutput,
  DescribeRouteTablesCommandInput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  DescribeRouteTablesCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcEndpointsCommandInput,
  DescribeVpcEndpointsCommandOutput,
} from '@aws-sdk/client-ec2';
import type {
  DescribeCapacityProvidersCommandInput,
  DescribeCapacityProvidersCommandOutput,
  DescribeClustersCommandInput,
  DescribeClustersCommandOutput,
  DescribeContainerInstancesCommandInput,
  DescribeContainerInstancesCommandOutput,
  DescribeServicesCommandInput,
  DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommandInput,
  DescribeTasksCommandOutput,
  ListClustersCommandInput,
  ListClustersCommandOutput,
  ListContainerInstancesCommandInput,
  ListContainerInstancesCommandOutput,
  ListServicesCommandInput,
  ListServicesCommandOutput,
  ListTasksCommandInput,
  ListTasksCommandOutput,
} from '@aws-sdk/client-ecs';
import type {
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SimulatePrincipalPolicyCommandInput, SimulatePrincipalPolicyCommandOutput } from '@aws-sdk/client-iam';
import type {
  DescribeKeyCommandInput,
  DescribeKeyCommandOutput,
  GetKeyPolicyCommandInput,
  GetKeyPolicyCommandOutput,
} from '@aws-sdk/client-kms';
import type { DescribeSecretCommandInput, DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { DescribeParametersCommandInput, DescribeParametersCommandOutput } from '@aws-sdk/client-ssm';

/** An SDK response as rules see it: the service's answer, without transport metadata. */
type Response<T> = Omit<T, '$metadata'>;

/**
 * Every read a rule may ask for, named by its IAM action so the bot's role can
 * be derived from it. Inputs and outputs are the AWS SDK v3 shapes: the live
 * reader returns SDK responses and the snapshot reader returns recorded ones.
 */
export interface ReaderOperations {
  'ecs:DescribeServices': { input: DescribeServicesCommandInput; output: Response<DescribeServicesCommandOutput> };
  'ecs:DescribeTaskDefinition': {
    input: DescribeTaskDefinitionCommandInput;
    output: Response<DescribeTaskDefinitionCommandOutput>;
  };
  'ecs:DescribeTasks': { input: DescribeTasksCommandInput; output: Response<DescribeTasksCommandOutput> };
  'ecs:ListTasks': { input: ListTasksCommandInput; output: Response<ListTasksCommandOutput> };
  'ecs:DescribeClusters': { input: DescribeClustersCommandInput; output: Response<DescribeClustersCommandOutput> };
  'ecs:ListClusters': { input: ListClustersCommandInput; output: Response<ListClustersCommandOutput> };
  'ecs:ListServices': { input: ListServicesCommandInput; output: Response<ListServicesCommandOutput> };
  'ecs:DescribeCapacityProviders': {
    input: DescribeCapacityProvidersCommandInput;
    output: Response<DescribeCapacityProvidersCommandOutput>;
  };
  'ecs:DescribeContainerInstances': {
    input: DescribeContainerInstancesCommandInput;
    output: Response<DescribeContainerInstancesCommandOutput>;
  };
  'ecs:ListContainerInstances': {
    input: ListContainerInstancesCommandInput;
    output: Response<ListContainerInstancesCommandOutput>;
  };
  'ec2:DescribeSubnets': { input: DescribeSubnetsCommandInput; output: Response<DescribeSubnetsCommandOutput> };
  'ec2:DescribeRouteTables': {
    input: DescribeRouteTablesCommandInput;
    output: Response<DescribeRouteTablesCommandOutput>;
  };
  'ec2:DescribeVpcEndpoints': {
    input: DescribeVpcEndpointsCommandInput;
    output: Response<DescribeVpcEndpointsCommandOutput>;
  };
  'ec2:DescribeInstanceTypes': {
    input: DescribeInstanceTypesCommandInput;
    output: Response<DescribeInstanceTypesCommandOutput>;
  };
  'elasticloadbalancing:DescribeTargetGroups': {
    input: DescribeTargetGroupsCommandInput;
    output: Response<DescribeTargetGroupsCommandOutput>;
  };
  'elasticloadbalancing:DescribeTargetHealth': {
    input: DescribeTargetHealthCommandInput;
    output: Response<DescribeTargetHealthCommandOutput>;
  };
  'logs:DescribeLogGroups': {
    input: DescribeLogGroupsCommandInput;
    output: Response<DescribeLogGroupsCommandOutput>;
  };
  'ec2:DescribeSecurityGroups': {
    input: DescribeSecurityGroupsCommandInput;
    output: Response<DescribeSecurityGroupsCommandOutput>;
  };
  'iam:SimulatePrincipalPolicy': {
    input: SimulatePrincipalPolicyCommandInput;
    output: Response<SimulatePrincipalPolicyCommandOutput>;
  };
  'kms:DescribeKey': { input: DescribeKeyCommandInput; output: Response<DescribeKeyCommandOutput> };
  'kms:GetKeyPolicy': { input: GetKeyPolicyCommandInput; output: Response<GetKeyPolicyCommandOutput> };
  'secretsmanager:DescribeSecret': {
    input: DescribeSecretCommandInput;
    output: Response<DescribeSecretCommandOutput>;
  };
  'ssm:DescribeParameters': {
    input: DescribeParametersCommandInput;
    output: Response<DescribeParametersCommandOutput>;
  };
  'autoscaling:DescribeAutoScalingGroups': {
    input: DescribeAutoScalingGroupsCommandInput;
    output: Response<DescribeAutoScalingGroupsCommandOutput>;
  };
  'application-autoscaling:DescribeScalableTargets': {
    input: DescribeScalableTargetsCommandInput;
    output: Response<DescribeScalableTargetsCommandOutput>;
  };
  'application-autoscaling:DescribeScalingActivities': {
    input: DescribeScalingActivitiesCommandInput;
    output: Response<DescribeScalingActivitiesCommandOutput>;
  };
}

export type ReaderOperation = keyof ReaderOperations;

/** Every operation, at run time; the Record type makes the compiler keep it complete. */
const everyOperation: Record<ReaderOperation, true> = {
  'ecs:DescribeServices': true,
  'ecs:DescribeTaskDefinition': true,
  'ecs:DescribeTasks': true,
  'ecs:ListTasks': true,
  'ecs:DescribeClusters': true,
  'ecs:ListClusters': true,
  'ecs:ListServices': true,
  'ecs:DescribeCapacityProviders': true,
  'ecs:DescribeContainerInstances': true,
  'ecs:ListContainerInstances': true,
  'ec2:DescribeSubnets': true,
  'ec2:DescribeRouteTables': true,
  'ec2:DescribeVpcEndpoints': true,
  'ec2:DescribeInstanceTypes': true,
  'ec2:DescribeSecurityGroups': true,
  'elasticloadbalancing:DescribeTargetGroups': true,
  'elasticloadbalancing:DescribeTargetHealth': true,
  'logs:DescribeLogGroups': true,
  'iam:SimulatePrincipalPolicy': true,
  'kms:DescribeKey': true,
  'kms:GetKeyPolicy': true,
  'secretsmanager:DescribeSecret': true,
  'ssm:DescribeParameters': true,
  'autoscaling:DescribeAutoScalingGroups': true,
  'application-autoscaling:DescribeScalableTargets': true,
  'application-autoscaling:DescribeScalingActivities': true,
};
export const readerOperations = Object.keys(everyOperation) as ReaderOperation[];
export type ReaderInput<K extends ReaderOperation> = ReaderOperations[K]['input'];
export type ReaderOutput<K extends ReaderOperation> = ReaderOperations[K]['output'];

/** The port rules read the account through. Implementations throw on failure (AccessDenied, throttling, not recorded…). */
export interface AccountReader {
  read<K extends ReaderOperation>(operation: K, input: ReaderInput<K>): Promise<ReaderOutput<K>>;
}

/** Thrown by a reader that has no way to reach the account (offline without a snapshot). */
export class ReaderUnavailableError extends Error {
  override name = 'ReaderUnavailable';
}

/** The reader used when nothing but the event is known: every read fails with a reason rules report as unchecked. */
export const eventOnlyReader: AccountReader = {
  read: (operation) =>
    Promise.reject(new ReaderUnavailableError(`${operation} not called: offline (explain and diagnose --offline read no account; diagnose reads it live or from --snapshot)`)),
};

/** Canonical JSON (sorted keys) so inputs match regardless of key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Memoizes reads per diagnosis, so two rules asking the same question cost one call. */
export function cachingReader(inner: AccountReader): AccountReader {
  const cache = new Map<string, Promise<unknown>>();
  return {
    read(operation, input) {
      const key = `${operation} ${canonicalJson(input)}`;
      let pending = cache.get(key);
      if (!pending) {
        pending = inner.read(operation, input);
        cache.set(key, pending);
      }
      return pending as Promise<ReaderOutput<typeof operation>>;
    },
  };
}
