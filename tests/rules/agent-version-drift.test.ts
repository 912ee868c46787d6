import { describe, expect, it } from 'vitest';
import { diagnoseEvent } from '../../shared/diagnose';
import type { Finding } from '../../shared/findings';
import { snapshotReader, type Snapshot } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/agent-version-drift';
import { awsSample, serviceActionEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const SAMPLE = 'ECS Developer Guide, container instance state change event sample (tests/fixtures/aws-samples/container-instance.json)';

/** The AWS sample (agent 1.13.0) with another agent version or connection state. */
function instanceEvent(change: { agentVersion?: string; agentConnected?: boolean } = {}) {
  const event = awsSample('container-instance');
  const detail = event.detail as { versionInfo: { agentVersion: string }; agentConnected: boolean };
  if (change.agentVersion) detail.versionInfo.agentVersion = change.agentVersion;
  if (change.agentConnected !== undefined) detail.agentConnected = change.agentConnected;
  return event;
}

const MISSING_ATTRIBUTE =
  'service examples-nginx-5b107b8 was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 333ba941-dd6f-4762-985d-b166b212d795 is missing an attribute required by your task. For more information, see the Troubleshooting section.';

ruleTester(rule, {
  invalid: [
    {
      name: "the AWS sample's agent 1.13.0 is below every feature minimum",
      event: instanceEvent(),
      source: SAMPLE,
      cause: 'below-feature-minimum',
      fixIncludes: ['aws ecs update-container-agent --cluster default --container-instance b54a2a04-046f-4331-9d74-3f6d7f6ca315'],
      explanationIncludes: ['ECS Exec (needs 1.50.2)'],
    },
    {
      name: 'an agent just below the ECS Exec minimum',
      event: instanceEvent({ agentVersion: '1.50.1' }),
      source: `${SAMPLE}, agentVersion set just below the exec-checker's requiredAgentVersion 1.50.2`,
      cause: 'below-feature-minimum',
      explanationIncludes: ['ECS Exec'],
    },
    { name: 'service event: missing attribute', text: MISSING_ATTRIBUTE, source: 'https://github.com/pulumi/pulumi-cloud/issues/454', cause: 'missing-attribute' },
    {
      name: 'console wording with the ECS Developer Guide pointer',
      text: 'service my-app-service2 was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 476c4f3985624ef195cfa2ac13e78099 is missing an attribute required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
      source: 'https://github.com/The-Swarm-Corporation/swarms-cloud/issues/24',
      cause: 'missing-attribute',
      explanationIncludes: ['Docker volume plugin'],
    },
    { name: 'stopped reason TaskFailedToStart: ATTRIBUTE', text: 'TaskFailedToStart: ATTRIBUTE', source: 'ECS Developer Guide, API failure reasons (api_failures_messages.html)', cause: 'missing-attribute' },
    { name: 'RunTask failure reason ATTRIBUTE', text: 'ATTRIBUTE', source: 'https://github.com/aws/amazon-ecs-agent/issues/1423', cause: 'missing-attribute' },
    {
      name: 'closest instance with a disconnected agent',
      text: 'service my-service was unable to place a task because no container instance met all of its requirements. The closest matching container-instance container-instance-id encountered error "AGENT".',
      source: 'ECS Developer Guide, service event messages (service-event-messages-list.html), ../shared/reference/ecs-events.md §7',
      cause: 'agent-disconnected',
    },
    {
      name: 'placement failure event with reason AGENT',
      event: serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: 'AGENT' }),
      source: 'ECS service action sample; reason AGENT from the API failure reasons (../shared/reference/ecs-events.md §4.3)',
      cause: 'agent-disconnected',
    },
  ],
  valid: [
    { name: 'a current agent: the normal stream of instance events', event: instanceEvent({ agentVersion: '1.105.0' }), source: `${SAMPLE}, agentVersion from https://github.com/aws/amazon-ecs-agent/releases/tag/v1.105.0` },
    {
      name: 'a current agent momentarily disconnected (normal several times an hour)',
      event: instanceEvent({ agentVersion: '1.105.0', agentConnected: false }),
      source: `${SAMPLE}; "several times per hour as a part of its normal operation" (ECS container instance events doc)`,
    },
    {
      name: 'placement failure for CPU, not an attribute',
      event: awsSample('service-action-service-task-placement-failure-cpu'),
      source: 'ECS Developer Guide, service action sample (RESOURCE:CPU)',
    },
    {
      name: 'insufficient CPU on the closest instance',
      text: 'service my-service was unable to place a task because no container instance met all of its requirements. The closest matching container-instance container-instance-id has insufficient CPU units available.',
      source: 'ECS Developer Guide, service event messages, ../shared/reference/ecs-events.md §7',
    },
    {
      name: 'no instances at all (capacity, not agents)',
      text: 'service factorio was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section. ',
      source: 'https://github.com/m-chandler/factorio-spot-pricing/issues/4',
    },
  ],
});

const instanceArn = (id: string) => `arn:aws:ecs:us-east-1:111122223333:container-instance/${id}`;

function described(instances: { id: string; ec2: string; agent: string; connected?: boolean }[]) {
  return {
    containerInstances: instances.map((i) => ({
      containerInstanceArn: instanceArn(i.id),
      ec2InstanceId: i.ec2,
      status: 'ACTIVE',
      agentConnected: i.connected ?? true,
      versionInfo: { agentVersion: i.agent, agentHash: 'aebcbca', dockerVersion: 'DockerVersion: 20.10.25' },
    })),
    failures: [],
  };
}

async function finding(event: unknown, snapshot: Snapshot): Promise<Finding | undefined> {
  const result = await diagnoseEvent(event, snapshotReader(snapshot));
  return result.status === 'diagnosed' ? result.findings.find((f) => f.rule === 'agent-version-drift') : undefined;
}

describe('agent-version-drift investigation', () => {
  const old = { id: 'b54a2a04-046f-4331-9d74-3f6d7f6ca315', ec2: 'i-f3a8506b', agent: '1.13.0' };
  const current = { id: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f', ec2: 'i-0a1b2c3d4e5f67890', agent: '1.105.0' };
  const list = (ids: string[]) => ({ input: { cluster: 'default' }, output: { containerInstanceArns: ids.map(instanceArn) } });
  const describeInstances = (ids: string[], output: unknown) => ({ input: { cluster: 'default', containerInstances: ids.map(instanceArn) }, output });

  it('names fleet drift and only the old instances in the fix', async () => {
    const result = await finding(instanceEvent(), {
      'ecs:ListContainerInstances': [list([old.id, current.id])],
      'ecs:DescribeContainerInstances': [describeInstances([old.id, current.id], described([old, current]))],
    });
    expect(result?.cause).toBe('fleet-drift');
    expect(result?.explanation).toContain('2 different ECS agent versions');
    expect(result?.fix).toContain(`--container-instance ${old.id}`);
    expect(result?.fix).not.toContain(current.id);
    expect(result?.evidence.map((e) => e.observed)).toContain('agent versions across 2 instance(s): 1.13.0: 1 (i-f3a8506b); 1.105.0: 1 (i-0a1b2c3d4e5f67890)');
    expect(result?.unchecked).toEqual([]);
  });

  it('points away from the agent when every agent is current', async () => {
    const event = serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: 'ATTRIBUTE' });
    const result = await finding(event, {
      'ecs:ListContainerInstances': [list([current.id])],
      'ecs:DescribeContainerInstances': [describeInstances([current.id], described([current]))],
    });
    expect(result?.cause).toBe('missing-attribute');
    expect(result?.evidence.map((e) => e.observed)).toContain('every agent is at least 1.50.2, so an old agent is unlikely to be the missing attribute');
  });

  it('names the disconnected instance behind an AGENT placement failure', async () => {
    const event = serviceActionEvent({ eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: 'AGENT' });
    const result = await finding(event, {
      'ecs:ListContainerInstances': [list([current.id])],
      'ecs:DescribeContainerInstances': [describeInstances([current.id], described([{ ...current, connected: false }]))],
    });
    expect(result?.cause).toBe('agent-disconnected');
    expect(result?.evidence.map((e) => e.observed)).toContain('ACTIVE with agentConnected false: i-0a1b2c3d4e5f67890');
  });

  it('degrades, naming what it could not check, when the account refuses', async () => {
    const result = await finding(instanceEvent(), {
      'ecs:ListContainerInstances': [{ input: { cluster: 'default' }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:ListContainerInstances' } }],
    });
    expect(result?.cause).toBe('below-feature-minimum');
    expect(result?.unchecked).toEqual([
      { check: 'the container instances of cluster default', reason: 'AccessDeniedException: User is not authorized to perform: ecs:ListContainerInstances' },
    ]);
  });
});
