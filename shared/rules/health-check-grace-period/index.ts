import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every pattern detect.ts claims a text by contains one of these: one test turns every other text away. */
const mentionsHealthCheck = /health checks|is unhealthy in/i;

/**
 * Seed footgun 3. ECS stops a service task that fails its load balancer or
 * container health checks (stopCode ServiceSchedulerInitiated, the same code
 * as a scale-in, so only the text tells them apart). A grace period shorter
 * than start-up turns that into an endless restart loop; the same text also
 * comes from genuinely unhealthy apps, so this is a `symptom` rule and the
 * investigation decides.
 */
export default defineRule({
  meta: {
    id: 'health-check-grace-period',
    title: 'Tasks are killed by health checks, likely before they finish starting',
    seed: 3,
    severity: 'critical',
    signals: ['text', 'task-stopped'],
    triggers:
      'stoppedReason "Task failed ELB health checks in (target-group …)" / "(elb …)" or "Task failed container health checks"; service events "… is unhealthy in (target-group …) due to (reason …)" and "… failed container health checks"',
    checks: [
      "the service's healthCheckGracePeriodSeconds, load balancer target groups and running vs desired count",
      "each target group's health-check interval × unhealthy threshold, path and port",
      "the containers' health checks (startPeriod, interval, retries)",
      'how many recently stopped tasks of the service failed the same check and how long each lived',
      "the killing target group's targets now (elasticloadbalancing:DescribeTargetHealth): still failing means the loop is ongoing; a status-code mismatch means the check, not start-up, is wrong",
      'a time-to-healthy the service measured (a task RUNNING or registered with its target group, or an earlier task of the service started → the next steady state), else a lower bound from the killed tasks\' lifetimes; the recommendation says which',
    ],
    needs: [
      'ecs:DescribeServices',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
      'ecs:DescribeTaskDefinition',
      'ecs:ListTasks',
      'ecs:DescribeTasks',
    ],
    causes: ['elb-health-check', 'container-health-check'],
    autoFix: 'grace-period',
  },

  applies: (signal) => mentionsHealthCheck.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
