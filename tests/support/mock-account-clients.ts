import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { ReaderInput, ReaderOperation } from '../../shared/reader/port';
import type { MockAccount } from './mock-account';

/**
 * The mocked account behind the real SDK clients (aws-sdk-client-mock): every
 * command the audit sends is answered by the account, so the live reader, its
 * clients and their inputs are exercised as in production.
 */
export function mockAccountClients(account: MockAccount) {
  const ecs = mockClient(ECSClient);
  const ec2 = mockClient(EC2Client);
  const logs = mockClient(CloudWatchLogsClient);
  const answer =
    <K extends ReaderOperation>(operation: K) =>
    (input: ReaderInput<K>) =>
      account.reader.read(operation, input);
  const route = () => {
    ecs.on(ListClustersCommand).callsFake(answer('ecs:ListClusters'));
    ecs.on(DescribeClustersCommand).callsFake(answer('ecs:DescribeClusters'));
    ecs.on(ListServicesCommand).callsFake(answer('ecs:ListServices'));
    ecs.on(DescribeServicesCommand).callsFake(answer('ecs:DescribeServices'));
    ecs.on(DescribeTaskDefinitionCommand).callsFake(answer('ecs:DescribeTaskDefinition'));
    ecs.on(ListContainerInstancesCommand).callsFake(answer('ecs:ListContainerInstances'));
    ecs.on(DescribeContainerInstancesCommand).callsFake(answer('ecs:DescribeContainerInstances'));
    ec2.on(DescribeSubnetsCommand).callsFake(answer('ec2:DescribeSubnets'));
    logs.on(DescribeLogGroupsCommand).callsFake(answer('logs:DescribeLogGroups'));
  };
  route();
  return {
    ecs,
    ec2,
    logs,
    /** Every SDK call recorded so far. */
    calls: () => ecs.calls().length + ec2.calls().length + logs.calls().length,
    /** Forgets the recorded calls and answers again. */
    reset() {
      for (const mock of [ecs, ec2, logs]) mock.reset();
      route();
    },
    restore() {
      for (const mock of [ecs, ec2, logs]) mock.restore();
    },
  };
}
