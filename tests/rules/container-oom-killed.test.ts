import { describe, expect, it } from 'vitest';
import { detect, diagnoseEvent } from '../../shared/diagnose';
import { parseEvent } from '../../shared/events/parse';
import { signalsOf } from '../../shared/events/signals';
import { snapshotReader } from '../../shared/reader/snapshot';
import rule from '../../shared/rules/container-oom-killed';
import { fargateSizeFor } from '../../shared/rules/container-oom-killed/sizing';
import essentialContainerExited from '../../shared/rules/essential-container-exited';
import { stoppedTaskEvent, SAMPLE_TASK_DEFINITION_ARN as taskDefinitionArn } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';
const OOM_SOURCE = 'https://github.com/aws/amazon-ecs-agent/issues/1187 (also https://github.com/aws/copilot-cli/issues/3470)';
const OOM_CONSOLE_PASTE = 'Status reason\tOutOfMemoryError: Container killed due to memory usage Exit Code\t137';
const OOM_ZERO_SOURCE = 'https://github.com/aws/amazon-ecs-agent/issues/2467 (OOM reason with exit code 0)';
const INIT_OOM =
  'CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: container init was OOM-killed (memory limit too low?): unknown';
const INIT_OOM_SOURCE = 'https://github.com/aws/amazon-ecs-agent/issues/3021';
const ESSENTIAL = 'Essential container in task exited';
const ESSENTIAL_SOURCE = '../shared/reference/ecs-events.md §8.1 (classic-console stopped-task doc; re:Post ecs-task-stopped)';

/** The 2025 Fargate sample stopped by an essential container; containers: web (memory 100), guardduty agent, otel collector (no limit). */
function oomEvent(container: 0 | 2, exitCode: number) {
  const containers = [];
  containers[container] = { exitCode, reason: OOM_REASON };
  return stoppedTaskEvent({ stoppedReason: ESSENTIAL, stopCode: 'EssentialContainerExited', group: 'service:webserver', containers });
}

ruleTester(rule, {
  invalid: [
    { name: 'container reason as pasted', text: OOM_REASON, source: OOM_SOURCE, cause: null },
    { name: 'console copy with the exit code', text: OOM_CONSOLE_PASTE, source: OOM_SOURCE, cause: null },
    { name: 'lower-cased by a log pipeline', text: OOM_REASON.toLowerCase(), source: OOM_SOURCE, cause: null },
    { name: 'init process OOM-killed at start', text: INIT_OOM, source: INIT_OOM_SOURCE, cause: null },
    {
      name: 'container with its own hard limit (web, 100 MiB of 512)',
      event: oomEvent(0, 137),
      source: OOM_SOURCE,
      cause: 'container-limit',
      fixIncludes: ['container "web"', 'update-service --cluster example-cluster --service webserver'],
    },
    {
      name: 'container without a hard limit shares the task memory',
      event: oomEvent(2, 137),
      source: OOM_SOURCE,
      cause: 'task-limit',
    },
    {
      name: 'OOM reason with exit code 0',
      event: oomEvent(0, 0),
      source: OOM_ZERO_SOURCE,
      cause: 'container-limit',
      explanationIncludes: ['exit code is 0'],
    },
  ],
  valid: [
    { name: 'the generic essential-container stop', text: ESSENTIAL, source: ESSENTIAL_SOURCE },
    {
      name: 'a JVM out of heap is the application, not the kernel',
      text: 'java.lang.OutOfMemoryError: Direct buffer memory',
      source: 'https://github.com/tchiotludo/akhq/issues/1214',
    },
    {
      name: 'a Node.js heap limit',
      text: 'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/2231',
    },
    {
      name: 'a start failure of another kind',
      text: 'docker: Error response from daemon: OCI runtime create failed: container_linux.go:370: starting container process caused: exec: "./run.sh": permission denied: unknown.',
      source: 'https://github.com/microsoft/OCR-Form-Tools/issues/933',
    },
    {
      name: 'exit code 137 without an OOM reason (a Spot reclaim)',
      event: stoppedTaskEvent({ stoppedReason: 'Your Spot Task was interrupted.', stopCode: 'TerminationNotice', containers: [{ exitCode: 137 }] }),
      source: 'Fargate capacity providers doc (../shared/reference/ecs-events.md §2.6)',
    },
  ],
});


function taskDefinition(web: { memory?: number; memoryReservation?: number }, task: { cpu: string; memory: string }) {
  return {
    taskDefinition: {
      taskDefinitionArn,
      family: 'webserver',
      revision: 5,
      requiresCompatibilities: ['FARGATE'],
      cpu: task.cpu,
      memory: task.memory,
      containerDefinitions: [{ name: 'web', image: 'nginx', essential: true, ...web }],
    },
  };
}

async function firstFinding(event: unknown, output: unknown) {
  const reader = snapshotReader({ 'ecs:DescribeTaskDefinition': [{ input: { taskDefinition: taskDefinitionArn }, output }] });
  const result = await diagnoseEvent(event, reader, [rule]);
  return result.status === 'diagnosed' ? result.findings[0] : undefined;
}

describe('container-oom-killed investigation', () => {
  it('raises the container limit by 50% when the task still holds it', async () => {
    const finding = await firstFinding(oomEvent(0, 137), taskDefinition({ memory: 100 }, { cpu: '256', memory: '512' }));
    expect(finding?.rule).toBe('container-oom-killed');
    expect(finding?.cause).toBe('container-limit');
    expect(finding?.fix).toContain('container "web": "memory": 150   (now 100 MiB: +50%)');
    expect(finding?.fix).not.toContain('task: "memory"');
    expect(finding?.unchecked).toEqual([]);
  });

  it('raises the task memory to the next valid Fargate size when the raised limit no longer fits', async () => {
    const finding = await firstFinding(oomEvent(0, 137), taskDefinition({ memory: 400 }, { cpu: '256', memory: '512' }));
    expect(finding?.fix).toContain('container "web": "memory": 600');
    expect(finding?.fix).toContain('task: "memory": "1024"   (now 512 MiB; 600 MiB needed');
  });

  it('names the task limit when the container has only a soft reservation, and moves to more CPU when needed', async () => {
    const finding = await firstFinding(oomEvent(0, 137), taskDefinition({ memoryReservation: 128 }, { cpu: '256', memory: '2048' }));
    expect(finding?.cause).toBe('task-limit');
    expect(finding?.fix).toContain('task: "memory": "3072"');
    expect(finding?.fix).toContain('task: "cpu": "512"');
  });

  it('degrades to the general fix, naming what it could not check, when the account refuses', async () => {
    const reader = snapshotReader({
      'ecs:DescribeTaskDefinition': [
        { input: { taskDefinition: taskDefinitionArn }, error: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:DescribeTaskDefinition' } },
      ],
    });
    const result = await diagnoseEvent(oomEvent(0, 137), reader, [rule]);
    const [finding] = result.status === 'diagnosed' ? result.findings : [];
    expect(finding?.rule).toBe('container-oom-killed');
    expect(finding?.cause).toBe('container-limit');
    expect(finding?.fix).toContain('about 50%');
    expect(finding?.unchecked).toEqual([
      { check: 'the memory limits in the task definition', reason: 'AccessDeniedException: User is not authorized to perform: ecs:DescribeTaskDefinition' },
    ]);
  });
});

describe('ranking against essential-container-exited', () => {
  it('keeps the OOM kill first and drops the catch-all for the same event', async () => {
    const parsed = parseEvent(oomEvent(0, 137));
    if (parsed.status !== 'valid') throw new Error('fixture event is not valid');
    const ranked = await detect(signalsOf(parsed.event), [rule, essentialContainerExited]);
    expect(ranked.map((c) => c.rule.meta.id)).toEqual(['container-oom-killed']);
  });
});

describe('Fargate sizes', () => {
  it('rounds up within the CPU, then moves to the next CPU', () => {
    expect(fargateSizeFor(256, 768)).toEqual({ cpu: 256, memory: 1024 });
    expect(fargateSizeFor(256, 2049)).toEqual({ cpu: 512, memory: 3072 });
    expect(fargateSizeFor(8192, 17 * 1024)).toEqual({ cpu: 8192, memory: 20 * 1024 });
    expect(fargateSizeFor(16384, 121 * 1024)).toBeUndefined();
  });
});
