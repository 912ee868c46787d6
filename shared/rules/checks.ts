import agentVersionDrift from './agent-version-drift/check';
import awsvpcIpExhaustion from './awsvpc-ip-exhaustion/check';
import deploymentCircuitBreaker from './deployment-circuit-breaker/check';
import ecsExecNotReady from './ecs-exec-not-ready/check';
import fargateTaskSize from './fargate-task-size/check';
import healthCheckGracePeriod from './health-check-grace-period/check';
import logGroupMissing from './log-group-missing/check';
import minimumHealthyPercent from './minimum-healthy-percent/check';
import platformVersionDrift from './platform-version-drift/check';
import taskExecutionRoleConfusion from './task-execution-role-confusion/check';
import type { StaticCheck } from '../static/check';

/** Every static check, each living in its rule's folder; in the catalogue's order. */
export const staticChecks: readonly StaticCheck[] = [
  taskExecutionRoleConfusion,
  logGroupMissing,
  awsvpcIpExhaustion,
  fargateTaskSize,
  healthCheckGracePeriod,
  minimumHealthyPercent,
  deploymentCircuitBreaker,
  ecsExecNotReady,
  agentVersionDrift,
  platformVersionDrift,
];
