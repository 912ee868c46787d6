import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every pattern detect.ts claims a text by contains one of these. */
const mentionsCapacity =
  /reached the limit on the number of|configuration is above your limit|provisioning capacity limit|RESOURCE:(?:FARGATE|CPU|MEMORY)\b|Capacity is unavailable|insufficient (?:CPU units|memory) available|No Container Instances were found|NO ACTIVE INSTANCES|EMPTY CAPACITY PROVIDER/i;

/**
 * Seed footgun 8: service auto scaling is not cluster auto scaling. The service
 * asks for more tasks, nothing adds instances, and tasks wait unplaced. Also the
 * Fargate-side equivalents: no spare capacity in the AZ, account quotas.
 * RESOURCE:ENI belongs to awsvpc-ip-exhaustion, ATTRIBUTE/AGENT to the agent rules.
 */
export default defineRule({
  meta: {
    id: 'capacity-pending',
    title: 'Tasks cannot be placed: the cluster or Fargate has no capacity for them',
    seed: 8,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'service-action', 'api-call', 'pending-recheck'],
    triggers:
      'SERVICE_TASK_PLACEMENT_FAILURE with RESOURCE:CPU / RESOURCE:MEMORY / RESOURCE:FARGATE; "No Container Instances were found in your capacity provider/cluster"; "has insufficient CPU units / memory available"; "TaskFailedToStart: NO ACTIVE INSTANCES / EMPTY CAPACITY PROVIDER"; "Capacity is unavailable at this time"; "the tasks provisioning capacity limit was exceeded"; "You\'ve reached the limit on the number of vCPUs / tasks" (also in RunTask failures[]); the bot\'s re-check of a service whose tasks are still PROVISIONING/PENDING after a delay (stuck-pending, or the cause its service events since the last steady state name)',
    checks: [
      "the service's desired, running and pending counts and how it is placed (ecs:DescribeServices, or the re-check's copy)",
      'where each re-checked task waits: PROVISIONING for EC2 or Fargate capacity, or PENDING on an instance',
      "the service's auto scaling range and recent scaling activity (application-autoscaling:DescribeScalableTargets, DescribeScalingActivities)",
      "the cluster's instances and capacity providers (ecs:DescribeClusters) and whether managed scaling is on (ecs:DescribeCapacityProviders)",
      'whether the Auto Scaling group is at its max size or still launching (autoscaling:DescribeAutoScalingGroups)',
      "Fargate: the service subnets' Availability Zones and free addresses (ec2:DescribeSubnets)",
      'PENDING on an instance: whether its ECS agent is connected (ecs:DescribeContainerInstances)',
    ],
    needs: [
      'ecs:DescribeServices',
      'ecs:DescribeClusters',
      'ecs:DescribeCapacityProviders',
      'ecs:DescribeContainerInstances',
      'ec2:DescribeSubnets',
      'autoscaling:DescribeAutoScalingGroups',
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScalingActivities',
    ],
    causes: ['quota', 'provisioning-limit', 'fargate-capacity', 'insufficient-cpu', 'insufficient-memory', 'no-instances', 'stuck-pending'],
    autoFix: null,
  },

  applies: (signal) =>
    // A re-check always judges; an API call's refusals are in its response's failures[], which detect.ts reads.
    signal.kind === 'pending-recheck' || signal.kind === 'api-call' || mentionsCapacity.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
