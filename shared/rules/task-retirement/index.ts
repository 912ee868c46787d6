import { defineRule, lazyDetect } from '../rule';

/** The retirement text detect.ts claims names maintenance; the stop code alone counts too. */
const mentionsMaintenance = /maintenance/i;

/**
 * AWS stopped a Fargate task to retire its platform revision or replace an
 * unhealthy host. The stoppedReason is documented in "Task retirement and
 * maintenance for AWS Fargate"; the SDK's newest stop code InfrastructureHealth
 * has no documented text yet, so it is claimed on its own too.
 */
export default defineRule({
  meta: {
    id: 'task-retirement',
    title: 'AWS stopped the task for Fargate maintenance (task retirement)',
    seed: null,
    severity: 'info',
    signals: ['text', 'task-stopped'],
    triggers: '"ECS is performing maintenance on the underlying infrastructure hosting the task", or stopCode InfrastructureHealth',
    checks: ['whether the task belongs to a service (replaced automatically) or is standalone (not restarted)'],
    needs: [],
    causes: ['standalone-task'],
    autoFix: null,
  },

  applies: (signal) => mentionsMaintenance.test(signal.text) || (signal.kind === 'task-stopped' && signal.task.stopCode === 'InfrastructureHealth'),
  detect: lazyDetect(() => import('./detect')),
});
