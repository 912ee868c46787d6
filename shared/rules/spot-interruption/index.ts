import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** The notice detect.ts claims names Spot; the stop codes alone count too. */
const mentionsSpot = /Spot/i;

/**
 * Fargate Spot (or EC2 Spot) capacity was reclaimed. The Fargate capacity
 * providers doc shows the notice as stoppedReason "Your Spot Task was
 * interrupted." with stopCode TerminationNotice; the SDK enum also has
 * SpotInterruption. Users report the notice sometimes lacks the stopCode
 * (aws/containers-roadmap#1565), so the text alone is enough.
 */
export default defineRule({
  meta: {
    id: 'spot-interruption',
    title: 'A Spot task was interrupted when AWS reclaimed the capacity',
    seed: null,
    severity: 'info',
    signals: ['text', 'task-stopped'],
    triggers: '"Your Spot Task was interrupted." or stopCode TerminationNotice / SpotInterruption',
    checks: [
      "the service's capacity provider strategy: Spot only, or an on-demand FARGATE base (ecs:DescribeServices)",
      'running versus desired count',
      "the containers' stopTimeout against the two-minute warning (ecs:DescribeTaskDefinition)",
    ],
    needs: ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition'],
    causes: ['spot-only', 'standalone-task'],
    autoFix: null,
  },

  applies: (signal) =>
    mentionsSpot.test(signal.text) || (signal.kind === 'task-stopped' && (signal.task.stopCode === 'SpotInterruption' || signal.task.stopCode === 'TerminationNotice')),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
