import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every placement failure text detect.ts claims names the ATTRIBUTE or AGENT reason. */
const mentionsAttributeOrAgent = /\b(?:ATTRIBUTE|AGENT)\b/i;

/**
 * Seed footgun 9. Old agents do not register the capabilities newer task
 * definitions require, so those tasks fail to place on old instances and work
 * on new ones. Container-instance events stream constantly (agent reconnects
 * several times an hour are normal, per the ECS events doc), so an event is
 * only claimed when its agent is below a feature minimum.
 */
export default defineRule({
  meta: {
    id: 'agent-version-drift',
    title: 'The ECS container agent on EC2 instances is too old or differs across the cluster',
    seed: 9,
    severity: 'warning',
    signals: ['container-instance', 'service-action', 'task-stopped', 'text'],
    triggers:
      'A container instance event whose versionInfo.agentVersion is below a feature minimum (e.g. ECS Exec 1.50.2); placement failures "missing an attribute required by your task" / ATTRIBUTE; "encountered error \\"AGENT\\"" / AGENT',
    checks: [
      'the agent version of every container instance in the cluster (one ListContainerInstances + one DescribeContainerInstances)',
      'whether the fleet mixes agent versions, and which instances are below which feature minimum',
      'which ACTIVE instances have their agent disconnected',
    ],
    needs: ['ecs:ListContainerInstances', 'ecs:DescribeContainerInstances'],
    causes: ['below-feature-minimum', 'fleet-drift', 'missing-attribute', 'agent-disconnected'],
    autoFix: null,
  },

  applies: (signal) => signal.kind === 'container-instance' || mentionsAttributeOrAgent.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
