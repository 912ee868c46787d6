/**
 * The ECS container agent version each feature needs, with where each number
 * was read. A task needing a feature the agent does not register cannot be
 * placed on that instance ("missing an attribute required by your task").
 */
import { isOlder } from './versions';

export interface FeatureMinimum {
  feature: string;
  minimum: string;
  source: string;
}

export const featureMinimums: readonly FeatureMinimum[] = [
  {
    feature: 'container dependencies (dependsOn)',
    minimum: '1.26.0',
    source:
      'ECS API reference, ContainerDependency: "container instances require at least version 1.26.0 of the container agent to use container dependencies"',
  },
  {
    feature: 'awsvpc ENI trunking (awsvpcTrunking)',
    minimum: '1.28.1',
    source: 'ECS Developer Guide, container-instance-eni.html (trunking conditions: ECS agent 1.28.1 or later)',
  },
  {
    feature: 'Amazon EFS volumes with access points and IAM authorization',
    minimum: '1.38.0',
    source:
      'ECS Developer Guide, efs-volumes.html: general availability "with Amazon ECS-optimized AMI version 20200319 with container agent version 1.38.0"',
  },
  {
    feature: 'ECS Exec',
    minimum: '1.50.2',
    source: 'aws-containers/amazon-ecs-exec-checker, check-ecs-exec.sh: requiredAgentVersion="1.50.2"',
  },
];

/**
 * A snapshot, not a live lookup: the newest agent release seen when this table
 * was written. It only colours explanations ("N releases behind"); alerts come
 * from the feature minimums above, which do not go stale.
 */
export const knownRecentAgent = {
  version: '1.105.0',
  source: 'https://github.com/aws/amazon-ecs-agent/releases/tag/v1.105.0 (GitHub release dated 22 June; newer ones may exist)',
  readOn: '2026-11-26',
} as const;

/** The features an agent version is too old for, oldest requirement first. */
export function featuresMissing(agentVersion: string | undefined): FeatureMinimum[] {
  return featureMinimums.filter((f) => isOlder(agentVersion, f.minimum));
}
