import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { describe, expect, it } from 'vitest';
import { EcsMedicChecks } from '../../infra/ecs-medic-checks';

/** A user's app: a Fargate service behind an ALB, as CDK users write it. */
function userStack(app: App, id: string, configure: { cpu: number; memoryLimitMiB: number; minHealthyPercent: number; circuitBreaker: boolean; sameRole: boolean; grace?: number }) {
  const stack = new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
  // The cluster makes its own VPC. aws-cdk-lib's classes do not satisfy their own interfaces under
  // exactOptionalPropertyTypes (optional members typed `T | undefined`), hence the cast.
  const cluster = new ecs.Cluster(stack, 'Cluster') as unknown as ecs.ICluster;
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDef', { cpu: configure.cpu, memoryLimitMiB: configure.memoryLimitMiB });
  if (configure.sameRole) {
    (taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).executionRoleArn = taskDefinition.taskRole.roleArn;
  }
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
    healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], startPeriod: Duration.seconds(90) },
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: 1,
    minHealthyPercent: configure.minHealthyPercent,
    ...(configure.circuitBreaker ? { circuitBreaker: { rollback: true } } : {}),
    platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
    ...(configure.grace !== undefined ? { healthCheckGracePeriod: Duration.seconds(configure.grace) } : {}),
  });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: cluster.vpc, internetFacing: true });
  alb.addListener('Http', { port: 80, open: false }).addTargets('Web', { port: 80, targets: [service] });
  return stack;
}

const good = { cpu: 512, memoryLimitMiB: 1024, minHealthyPercent: 100, circuitBreaker: true, sameRole: false, grace: 120 };

// One app, synthesized once, as a user's app with several stacks would be.
const app = new App();
const stacks = {
  good: userStack(app, 'Shop', good),
  badSize: userStack(app, 'BadSize', { ...good, cpu: 512, memoryLimitMiB: 512 }),
  risky: userStack(app, 'Risky', { ...good, minHealthyPercent: 0, circuitBreaker: false, sameRole: true, grace: 30 }),
};
Aspects.of(app).add(new EcsMedicChecks());
app.synth();

describe('EcsMedicChecks (CDK Aspect)', () => {
  it('adds no ecs-medic annotation to a well-configured service', () => {
    const annotations = Annotations.fromStack(stacks.good);
    for (const kind of ['Error', 'Warning', 'Info'] as const) {
      expect(annotations[`find${kind}`]('*', Match.stringLikeRegexp('ecs-medic'))).toEqual([]);
    }
  });

  it('reports an invalid Fargate size as an error on the task definition', () => {
    const annotations = Annotations.fromStack(stacks.badSize);
    annotations.hasError('/BadSize/TaskDef/Resource', Match.stringLikeRegexp('\\[ecs-medic:fargate-task-size/invalid-combination\\].*"cpu": "512" and "memory": "1024"'));
  });

  it('reports the same role twice, zero capacity, no circuit breaker and a short grace period as warnings where they are', () => {
    const annotations = Annotations.fromStack(stacks.risky);
    annotations.hasWarning('/Risky/TaskDef/Resource', Match.stringLikeRegexp('ecs-medic:task-execution-role-confusion/same-role'));
    annotations.hasWarning('/Risky/Service/Service', Match.stringLikeRegexp('ecs-medic:minimum-healthy-percent/zero-capacity'));
    annotations.hasWarning('/Risky/Service/Service', Match.stringLikeRegexp('ecs-medic:deployment-circuit-breaker/no-circuit-breaker'));
    annotations.hasWarning('/Risky/Service/Service', Match.stringLikeRegexp('ecs-medic:health-check-grace-period/container-health-check.*startPeriod of 90 s'));
  });
});
