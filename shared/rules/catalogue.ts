import secretsPullFailure from './secrets-pull-failure';
import taskExecutionRoleConfusion from './task-execution-role-confusion';
import logGroupMissing from './log-group-missing';
import cloudwatchLogsUnreachable from './cloudwatch-logs-unreachable';
import efsMountFailure from './efs-mount-failure';
import imagePullFailure from './image-pull-failure';
import containerStartFailure from './container-start-failure';
import containerOomKilled from './container-oom-killed';
import awsvpcIpExhaustion from './awsvpc-ip-exhaustion';
import fargateTaskSize from './fargate-task-size';
import capacityPending from './capacity-pending';
import healthCheckGracePeriod from './health-check-grace-period';
import minimumHealthyPercent from './minimum-healthy-percent';
import deploymentCircuitBreaker from './deployment-circuit-breaker';
import ecsExecNotReady from './ecs-exec-not-ready';
import agentVersionDrift from './agent-version-drift';
import platformVersionDrift from './platform-version-drift';
import spotInterruption from './spot-interruption';
import taskRetirement from './task-retirement';
import essentialContainerExited from './essential-container-exited';
import unrecognisedFailure from './unrecognised-failure';
import type { AnyRule } from './rule';

/**
 * Every rule, in tie-break order: when two detections are equally specific
 * and equally severe, the one listed first ranks first.
 */
export const catalogue: readonly AnyRule[] = [
  secretsPullFailure,
  taskExecutionRoleConfusion,
  logGroupMissing,
  cloudwatchLogsUnreachable,
  efsMountFailure,
  imagePullFailure,
  containerStartFailure,
  containerOomKilled,
  awsvpcIpExhaustion,
  fargateTaskSize,
  capacityPending,
  healthCheckGracePeriod,
  minimumHealthyPercent,
  deploymentCircuitBreaker,
  ecsExecNotReady,
  agentVersionDrift,
  platformVersionDrift,
  spotInterruption,
  taskRetirement,
  essentialContainerExited,
  unrecognisedFailure,
];
