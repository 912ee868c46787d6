import { at, type Report, type ServiceSubject, type StaticCheck, seen } from '../../static/check';
import { clusterLabel, serviceLabel } from '../../static/service';
import { containerChecks, roundUpToStep, targetGroupWindow } from './start-up';

/**
 * Seed footgun 3, before the first deployment: a service behind a load
 * balancer whose grace period is shorter than its containers say they need
 * to start (their health check's startPeriod), or none at all.
 */

/** Without a measured start-up time, a minute covers most web apps' boot; the rule's live check measures it. */
const MIN_RECOMMENDED_SECONDS = 60;

function checkGrace({ service, taskDefinition, targetGroups }: ServiceSubject, report: Report): void {
  const value = service.value;
  const balanced = (value.loadBalancers ?? []).length > 0;
  if (!balanced) return;
  const grace = typeof value.healthCheckGracePeriodSeconds === 'number' ? value.healthCheckGracePeriodSeconds : 0;
  const name = serviceLabel(value);
  const checks = containerChecks(taskDefinition?.value.containerDefinitions);
  const longestStart = checks.reduce((longest, c) => Math.max(longest, c.startPeriod), 0);
  const windows = targetGroups.map((group) => ({ group, window: targetGroupWindow(group.value) }));
  const lbWindow = windows.reduce((shortest, w) => (w.window !== undefined ? Math.min(shortest, w.window) : shortest), Number.POSITIVE_INFINITY);
  const graceEvidence = seen(service, '/healthCheckGracePeriodSeconds', `healthCheckGracePeriodSeconds ${value.healthCheckGracePeriodSeconds ?? 'not set (0)'}; ${value.loadBalancers?.length} load balancer(s)`);
  const fix = (seconds: number) =>
    `aws ecs update-service --cluster ${clusterLabel(value)} --service ${name} --health-check-grace-period-seconds ${roundUpToStep(Math.max(seconds, MIN_RECOMMENDED_SECONDS))}`;
  if (longestStart > grace && taskDefinition) {
    const slowest = checks.find((c) => c.startPeriod === longestStart);
    const index = (taskDefinition.value.containerDefinitions ?? []).findIndex((c) => c.name === slowest?.container);
    report.issue({
      cause: 'container-health-check',
      severity: 'warning',
      title: `Service ${name} judges its tasks before their containers say they are started`,
      explanation: `Container ${slowest?.container} declares a health-check startPeriod of ${longestStart} s, but the service's grace period is ${grace} s: ECS starts counting failed load-balancer and container health checks ${longestStart - grace} s before the container expects to be ready, and replaces tasks that are merely slow to boot.`,
      fix: fix(longestStart),
      at: at(service, '/healthCheckGracePeriodSeconds'),
      evidence: [graceEvidence, seen(taskDefinition, `/containerDefinitions/${Math.max(index, 0)}/healthCheck/startPeriod`, `startPeriod ${longestStart} s`)],
    });
    return;
  }
  if (grace > 0) return;
  report.issue({
    cause: 'elb-health-check',
    severity: 'warning',
    title: `Service ${name} is behind a load balancer with no health-check grace period`,
    explanation: `With a grace period of 0 the load balancer judges a task from its first second: a task that needs longer to start than the target group's failure window${Number.isFinite(lbWindow) ? ` (≈${lbWindow} s: interval × unhealthy threshold)` : ''} is marked unhealthy and replaced, over and over ("Task failed ELB health checks").`,
    fix: fix(Number.isFinite(lbWindow) ? lbWindow : 0),
    at: at(service, '/healthCheckGracePeriodSeconds'),
    evidence: [graceEvidence, ...windows.filter((w) => w.window !== undefined).map((w) => seen(w.group, '', `health check every ${w.group.value.HealthCheckIntervalSeconds} s, unhealthy after ${w.group.value.UnhealthyThresholdCount}`))],
  });
}

const healthCheckGracePeriodCheck: StaticCheck = {
  rule: 'health-check-grace-period',
  causes: ['elb-health-check', 'container-health-check'],
  summary:
    "services behind a load balancer: no grace period (against the target group's interval × unhealthy threshold, when the template defines it), or a grace period shorter than a container health check's startPeriod",
  service: checkGrace,
};

export default healthCheckGracePeriodCheck;
