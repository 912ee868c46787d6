import type { Detection } from '../rule';
import { arnName } from '../../arn';
import type { SignalOf } from '../../events/signals';
import { anyOf, firstMatch, quoted, shellArg } from '../text';
import { type FeatureMinimum, featuresMissing, knownRecentAgent } from '../../facts/agent-features';

// Placement failures ECS reports when no instance registers a required attribute [ECS doc: API failure reasons, service event messages].
const missingAttribute = anyOf([
  /is missing an attribute required by your task/i,
  /TaskFailedToStart:\s*ATTRIBUTE\b/i,
  /encountered error\s*"?ATTRIBUTE\b/i,
  /^\s*ATTRIBUTE\s*$/i,
]);
// The agent on the closest instance was not connected.
const agentNotConnected = anyOf([/TaskFailedToStart:\s*AGENT\b/i, /encountered error\s*"?AGENT\b/i, /^\s*AGENT\s*$/i]);

export function updateFix(cluster: string | undefined, instances: readonly string[]): string {
  const commands = (instances.length > 0 ? instances : [undefined]).map(
    (id) => `aws ecs update-container-agent --cluster ${shellArg(cluster, 'cluster')} --container-instance ${shellArg(id, 'container-instance-id')}`,
  );
  return [
    ...commands,
    'UpdateContainerAgent works on the ECS-optimized Amazon Linux AMIs; elsewhere run the SSM document AWS-UpdateAmazonECSAgent, update the ecs-init package, or set ECS_AGENT_UPDATE_ENABLED=true in /etc/ecs/ecs.config.',
    "Lasting fix: move the Auto Scaling group's launch template to the current ECS-optimized AMI and replace old instances (instance refresh), so new and old instances stop differing.",
  ].join('\n');
}

export function featureList(features: readonly FeatureMinimum[]): string {
  return features.map((f) => `${f.feature} (needs ${f.minimum})`).join(', ');
}

function instanceDetection(signal: SignalOf<'container-instance'>) {
  const version = signal.detail.versionInfo?.agentVersion;
  const missing = featuresMissing(version);
  // A current agent, connected or not, is the normal stream of these events: no finding.
  if (missing.length === 0) return null;
  const instance = signal.resource.containerInstance;
  return {
    cause: 'below-feature-minimum',
    specificity: 'root-cause' as const,
    explanation: `The ECS agent on container instance ${instance ?? '(unknown)'} is version ${version}, too old for: ${featureList(missing)}. Tasks whose definitions use these features cannot be placed on this instance (ECS reports "missing an attribute required by your task"), while they work on newer instances. The newest agent release known to this rule is ${knownRecentAgent.version} (a snapshot read ${knownRecentAgent.readOn}).`,
    fix: updateFix(signal.resource.cluster, instance ? [arnName(signal.detail.containerInstanceArn) ?? instance] : []),
    evidence: [{ source: 'detail.versionInfo.agentVersion', observed: `${version} on ${instance ?? signal.detail.containerInstanceArn}` }],
  };
}

function placementDetection(signal: SignalOf<'text' | 'service-action' | 'task-stopped'>) {
  if (firstMatch(signal.text, missingAttribute)) {
    return {
      cause: 'missing-attribute',
      specificity: 'symptom' as const,
      explanation:
        'ECS could not place the task because no container instance registers an attribute the task definition requires. An old ECS agent that does not register a newer capability is one cause (e.g. ECS Exec needs agent 1.50.2, container dependencies 1.26.0). Others: a capability the agent supports but was not enabled in /etc/ecs/ecs.config (e.g. ECS_ENABLE_TASK_IAM_ROLE), a Docker volume plugin not installed on the instances, a task for another OS or CPU architecture than the instances, or a custom attribute in a placement constraint that no instance carries.',
      fix: [
        "Compare the task definition's requiresAttributes with the instances' attributes:",
        'aws ecs describe-task-definition --task-definition <family:revision> --query taskDefinition.requiresAttributes',
        `aws ecs describe-container-instances --cluster ${shellArg(signal.resource.cluster, 'cluster')} --container-instances <container-instance-id> --query 'containerInstances[].[versionInfo.agentVersion,attributes]'`,
        'If the agent is old:',
        updateFix(signal.resource.cluster, []),
      ].join('\n'),
      evidence: [quoted(signal.source, signal.text)],
    };
  }
  if (firstMatch(signal.text, agentNotConnected)) {
    return {
      cause: 'agent-disconnected',
      specificity: 'symptom' as const,
      explanation:
        'ECS could not place the task because the ECS agent on the closest container instance was not connected. Short disconnects happen several times an hour and are normal; a placement failure means it stayed disconnected. Common causes: the instance lost its route to the ECS endpoint (NAT, VPC endpoint, security group), the agent or the Docker daemon stopped or hung, the instance role lacks ecs:Poll/ecs:Submit*, or the instance is being stopped.',
      fix: [
        'Find disconnected instances: list them, then describe those it prints:',
        `aws ecs list-container-instances --cluster ${shellArg(signal.resource.cluster, 'cluster')} --query containerInstanceArns --output text`,
        `aws ecs describe-container-instances --cluster ${shellArg(signal.resource.cluster, 'cluster')} --container-instances <container-instance-arns> --query 'containerInstances[?agentConnected==\`false\`].[ec2InstanceId,versionInfo.agentVersion]'`,
        'Then on each: sudo systemctl restart ecs (and read /var/log/ecs/ecs-agent.log), or drain and replace the instance.',
      ].join('\n'),
      evidence: [quoted(signal.source, signal.text)],
    };
  }
  return null;
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'container-instance' | 'service-action' | 'task-stopped' | 'text'>): Detection | null {
  if (signal.kind === 'container-instance') return instanceDetection(signal);
  return placementDetection(signal);
}

