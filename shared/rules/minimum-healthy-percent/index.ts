import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every deadlock text detect.ts claims says one of these. */
const mentionsDeadlock = /during a deployment|minimumHealthyPercent/i;

/**
 * Seed footgun 6. minimumHealthyPercent 0 lets ECS stop every task before the
 * new ones are healthy (zero capacity during each deploy); a minimum and
 * maximum that leave no room to stop or start a task deadlock the deployment.
 * Since November 2025 Fargate rolling deployments respect both settings too
 * (they used to be ignored on Fargate), so old "harmless on Fargate" configs
 * now bite.
 */
export default defineRule({
  meta: {
    id: 'minimum-healthy-percent',
    title: "The service's deployment percentages cause downtime or block deployments",
    seed: 6,
    severity: 'warning',
    signals: ['text', 'api-call'],
    triggers:
      'service event "service X was unable to stop or start tasks during a deployment because of the service deployment configuration"; a CreateService/UpdateService call setting minimumHealthyPercent 0, or a minimum and maximum that leave no room to stop or start a task',
    checks: [
      "the service's desiredCount and current minimumHealthyPercent / maximumPercent",
      'whether the deployment circuit breaker and rollback, or deployment alarms, are on',
      'whether it is a DAEMON service (for which minimumHealthyPercent 0 is expected)',
    ],
    needs: ['ecs:DescribeServices'],
    causes: ['zero-capacity', 'deployment-deadlock'],
    autoFix: null,
  },

  applies: (signal) => signal.kind === 'api-call' || mentionsDeadlock.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
