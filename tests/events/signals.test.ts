import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../shared/events/parse';
import { signalsOf } from '../../shared/events/signals';
import type { EcsEvent } from '../../shared/events/types';
import { awsSample, stoppedTaskEvent } from '../fixtures/events';

function valid(raw: unknown): EcsEvent {
  const parsed = parseEvent(raw);
  if (parsed.status !== 'valid') throw new Error(JSON.stringify(parsed));
  return parsed.event;
}

describe('signalsOf', () => {
  it('splits a stopped task into its stoppedReason and each stopped container with a reason or exit code', () => {
    const event = stoppedTaskEvent({
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      group: 'service:api',
      containers: [{ exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
    });
    const signals = signalsOf(valid(event));
    expect(signals.map((s) => [s.kind, s.source, s.text])).toEqual([
      ['task-stopped', 'detail.stoppedReason', 'Essential container in task exited'],
      ['container-stopped', 'detail.containers[web].reason', 'OutOfMemoryError: Container killed due to memory usage'],
    ]);
    expect(signals[1]?.resource).toEqual({
      account: '123456789012',
      region: 'us-east-1',
      cluster: 'example-cluster',
      service: 'api',
      taskFamily: 'webserver',
      task: 'a1173316d40a45dea9',
      container: 'web',
    });
  });

  it('treats a running task as a task-state signal with no failure text', () => {
    const [signal] = signalsOf(valid(awsSample('task-running-fargate-2025')));
    expect(signal).toMatchObject({ kind: 'task-state', text: '' });
  });

  it('names the service of a service action from the resource ARN', () => {
    const [signal] = signalsOf(valid(awsSample('service-action-service-task-placement-failure-cpu')));
    expect(signal).toMatchObject({
      kind: 'service-action',
      text: 'RESOURCE:CPU',
      resource: { cluster: 'default', service: 'servicetest', region: 'us-west-2' },
    });
  });

  it('reads the deployment reason', () => {
    const [signal] = signalsOf(valid(awsSample('deployment-service-deployment-failed')));
    expect(signal).toMatchObject({ kind: 'deployment', text: 'ECS deployment circuit breaker: task failed to start.' });
  });

  it('names the EC2 instance of a container instance event', () => {
    const [signal] = signalsOf(valid(awsSample('container-instance')));
    expect(signal).toMatchObject({ kind: 'container-instance', resource: { cluster: 'default', containerInstance: 'i-f3a8506b' } });
  });
});
