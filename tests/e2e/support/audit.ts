/**
 * The scheduled audit's workload: a Fargate cluster of its own (the only one
 * the deployed audit covers, context auditClusters), whose services named
 * audit-* each carry exactly one static footgun, beside one that carries none.
 * The other scenarios' services, footguns on purpose, live in the watched
 * clusters, which the audit does not read.
 */
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type ContainerDefinition, type DeploymentConfiguration, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ReaderOperation } from '../../../shared/reader/port';
import type { Clients } from './account';
import { REGION } from './moto';
import { cluster, fargateService, fargateTaskDefinition, taskNetwork, taskRole } from './scenarios';

export const AUDIT_CLUSTER = 'audit-cluster';

/** One seeded service and the one finding the audit must report for it. */
export interface AuditedService {
  name: string;
  finding: { rule: string; cause: string | null } | undefined;
}

export interface SeededAudit {
  services: AuditedService[];
  /** The service `fix` repairs, and the finding that resolves with it. */
  fixed: AuditedService;
  /** Repairs `fixed` with UpdateService, as its team would. */
  fix(): Promise<void>;
  /** The fewest calls of each operation an audit of the cluster can make. */
  minimumCalls: Partial<Record<ReaderOperation, number>>;
}

/** What every audited service gets unless its footgun says otherwise: a deployment that keeps a task running and rolls back. */
const SAFE_DEPLOYMENT: DeploymentConfiguration = { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } };

export async function seedAudit(aws: Clients): Promise<SeededAudit> {
  await cluster(aws, AUDIT_CLUSTER);
  const { vpcId, subnets, securityGroup, networkConfiguration } = await taskNetwork(aws, 'audit', '10.9', ['us-east-1a', 'us-east-1b']);
  const executionRoleArn = await taskRole(aws, 'audit-execution-role');
  const taskRoleArn = await taskRole(aws, 'audit-task-role');
  const logGroup = '/ecs/audit';
  await aws.logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  const container = (group: string): ContainerDefinition => ({
    name: 'web',
    image: 'nginx',
    essential: true,
    portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'web' } },
  });

  const { LoadBalancers = [] } = await aws.elbv2.send(
    new CreateLoadBalancerCommand({ Name: 'audit-web', Type: 'application', Scheme: 'internal', Subnets: subnets, SecurityGroups: [securityGroup] }),
  );
  const { TargetGroups = [] } = await aws.elbv2.send(
    new CreateTargetGroupCommand({ Name: 'audit-web', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, UnhealthyThresholdCount: 2 }),
  );
  const targetGroupArn = TargetGroups[0]?.TargetGroupArn ?? '';
  await aws.elbv2.send(
    new CreateListenerCommand({ LoadBalancerArn: LoadBalancers[0]?.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }),
  );

  const footguns: {
    name: string;
    finding: AuditedService['finding'];
    task?: { cpu?: string; memory?: string; taskRoleArn?: string; logGroup?: string };
    deployment?: DeploymentConfiguration;
    loadBalanced?: boolean;
  }[] = [
    { name: 'audit-clean', finding: undefined },
    { name: 'audit-task-size', finding: { rule: 'fargate-task-size', cause: 'invalid-combination' }, task: { cpu: '256', memory: '4096' } },
    { name: 'audit-same-role', finding: { rule: 'task-execution-role-confusion', cause: 'same-role' }, task: { taskRoleArn: executionRoleArn } },
    { name: 'audit-log-group', finding: { rule: 'log-group-missing', cause: null }, task: { logGroup: '/ecs/audit-log-group' } },
    { name: 'audit-zero-healthy', finding: { rule: 'minimum-healthy-percent', cause: 'zero-capacity' }, deployment: { ...SAFE_DEPLOYMENT, minimumHealthyPercent: 0 } },
    { name: 'audit-no-breaker', finding: { rule: 'deployment-circuit-breaker', cause: 'no-circuit-breaker' }, deployment: { ...SAFE_DEPLOYMENT, deploymentCircuitBreaker: { enable: false, rollback: false } } },
    { name: 'audit-no-grace', finding: { rule: 'health-check-grace-period', cause: 'elb-health-check' }, loadBalanced: true },
  ];
  for (const { name, task = {}, deployment = SAFE_DEPLOYMENT, loadBalanced } of footguns) {
    const taskDefinition = await fargateTaskDefinition(aws, name, {
      executionRoleArn,
      taskRoleArn: task.taskRoleArn ?? taskRoleArn,
      ...(task.cpu ? { cpu: task.cpu } : {}),
      ...(task.memory ? { memory: task.memory } : {}),
      containerDefinitions: [container(task.logGroup ?? logGroup)],
    });
    // Pinned, as the platform-version check asks (LATEST would be one more finding per service).
    await fargateService(aws, name, taskDefinition, {
      cluster: AUDIT_CLUSTER,
      platformVersion: '1.4.0',
      networkConfiguration,
      ...(loadBalanced ? { loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 80 }] } : {}),
    });
    // moto gap: CreateService ignores deploymentConfiguration and healthCheckGracePeriodSeconds; UpdateService sets them.
    await aws.ecs.send(
      new UpdateServiceCommand({ cluster: AUDIT_CLUSTER, service: name, deploymentConfiguration: deployment, ...(loadBalanced ? { healthCheckGracePeriodSeconds: 0 } : {}) }),
    );
  }
  const services = footguns.map(({ name, finding }) => ({ name, finding }));
  const fixed = services.find((s) => s.name === 'audit-no-breaker') as AuditedService;
  const ceil = (n: number, size: number) => Math.ceil(n / size);
  return {
    services,
    fixed,
    fix: async () => {
      await aws.ecs.send(new UpdateServiceCommand({ cluster: AUDIT_CLUSTER, service: fixed.name, deploymentConfiguration: SAFE_DEPLOYMENT }));
    },
    // One cluster, named in the configuration (no ListClusters), with no container instances (no listing of them);
    // a task-definition revision per service; the services' two subnets in one batch; both awslogs groups under /ecs/.
    minimumCalls: {
      'ecs:DescribeClusters': 1,
      'ecs:ListServices': Math.max(1, ceil(services.length, 100)),
      'ecs:DescribeServices': ceil(services.length, 10),
      'ecs:DescribeTaskDefinition': services.length,
      'ec2:DescribeSubnets': 1,
      'logs:DescribeLogGroups': 1,
    },
  };
}
