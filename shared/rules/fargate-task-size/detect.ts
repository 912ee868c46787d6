import type { Evidence } from '../../findings';
import type { ApiCallSignal, SignalOf } from '../../events/signals';
import type { Detection } from '../rule';
import { anyOf, firstMatch, quoted, shellArg } from '../text';
import { judge, matrixSummary, type OperatingSystem, parseCpu, parseMemory, type Size, smallestFitting } from './matrix';

const invalidSize = anyOf([/Invalid 'cpu' setting for task/i, /No Fargate configuration exists for given values/i]);
const containerMemoryOverTask = /'memory' setting for container '([^']+)' is greater than for (?:the )?task/i;
const containerCpuOverTask = /sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'/i;
const missingTaskSize = /Fargate requires that '(cpu|memory)' be defined at the task level/i;
/** Terraform/CloudFormation echo the values: "given values: 512 CPU, 512 memory" (may wrap across lines). */
const valuesInText = /given values:\s*(\d+)\s*CPU\s*,\s*(\d+)\s*memory/i;

const FARGATE_MAX = 'Fargate tops out at 16 vCPU (cpu 16384) with 120 GB (memory 122880) on Linux platform 1.4.0+, and at 4 vCPU / 30 GB on Windows';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** What a RegisterTaskDefinition or RunTask call asked Fargate for. */
interface Request {
  call: string;
  family: string | undefined;
  /** Whether the call targets Fargate (requiresCompatibilities, launchType or capacity provider). */
  fargate: boolean;
  os: OperatingSystem;
  size: Size | undefined;
  containers: { name: string; cpu: number; memory: number }[];
}

function requestOf(signal: ApiCallSignal): Request | undefined {
  const { eventName, requestParameters } = signal.detail;
  const params = record(requestParameters);
  if (!params) return undefined;
  const os: OperatingSystem = /WINDOWS/i.test(String(record(params.runtimePlatform)?.operatingSystemFamily ?? '')) ? 'windows' : 'linux';
  if (eventName === 'RegisterTaskDefinition') {
    const cpu = parseCpu(params.cpu);
    const memory = parseMemory(params.memory);
    return {
      call: eventName,
      family: typeof params.family === 'string' ? params.family : undefined,
      fargate: list(params.requiresCompatibilities).includes('FARGATE'),
      os,
      size: cpu !== undefined && memory !== undefined ? { cpu, memory } : undefined,
      containers: list(params.containerDefinitions).map((c) => {
        const container = record(c) ?? {};
        return {
          name: String(container.name ?? '(unnamed)'),
          cpu: parseCpu(container.cpu) ?? 0,
          memory: parseMemory(container.memory) ?? parseMemory(container.memoryReservation) ?? 0,
        };
      }),
    };
  }
  if (eventName === 'RunTask') {
    // Only overrides carry a size in a RunTask request; both are needed to judge the pair.
    const overrides = record(params.overrides);
    const cpu = parseCpu(overrides?.cpu);
    const memory = parseMemory(overrides?.memory);
    const providers = list(params.capacityProviderStrategy).map((s) => String(record(s)?.capacityProvider ?? ''));
    return {
      call: eventName,
      family: undefined,
      fargate: params.launchType === 'FARGATE' || providers.some((p) => p.startsWith('FARGATE')),
      os,
      size: cpu !== undefined && memory !== undefined ? { cpu, memory } : undefined,
      containers: [],
    };
  }
  return undefined;
}

function reregister(family: string | undefined, cpu: number, memory: number): string {
  const where = family ? `In task definition ${family}` : 'In the task definition';
  return [
    `${where}, set "cpu": "${cpu}" and "memory": "${memory}", then register it again (a new revision; the old one stays):`,
    ...registerAgain(family),
  ].join('\n');
}

/** Registering again from the current revision's JSON: RegisterTaskDefinition takes its fields, not the read-only ones DescribeTaskDefinition adds. */
function registerAgain(family: string | undefined): string[] {
  return [
    `aws ecs describe-task-definition --task-definition ${shellArg(family, 'family')} --query taskDefinition --output json`,
    '# save that as task-definition.json, drop taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt and registeredBy, fix cpu and memory, then pass it to register-task-definition with --cli-input-json file://task-definition.json',
  ];
}

const genericSizeFix = [
  `Set the task-level "cpu" and "memory" to a pair Fargate runs (${matrixSummary()}), then register the task definition again:`,
  ...registerAgain(undefined),
].join('\n');

const abovemaxFix = `${FARGATE_MAX}. Run this task on EC2 capacity instead (a capacity provider or --launch-type EC2, with "requiresCompatibilities": ["EC2"]), or split the work into smaller tasks.`;

/** Judges a requested size; null when it is a valid Fargate pair. */
function sizeDetection(size: Size, request: Request | undefined, evidence: Evidence[]): Detection | null {
  const verdict = judge(size, request?.os ?? 'linux');
  if (verdict.kind === 'valid') return null;
  if (verdict.kind === 'above-max') {
    return {
      cause: 'above-fargate-max',
      specificity: 'root-cause',
      explanation: `The task asks for cpu ${size.cpu} and memory ${size.memory}, more than Fargate's largest task. ${FARGATE_MAX}, so ECS refuses the request and the workload cannot move to Fargate as sized.`,
      fix: abovemaxFix,
      evidence,
    };
  }
  return {
    cause: 'invalid-combination',
    specificity: 'root-cause',
    explanation: `Fargate runs only fixed cpu/memory pairs, and ${verdict.advice}. ECS refused the request, so nothing new was registered or started; what already runs keeps its old revision.`,
    fix:
      request?.call === 'RunTask'
        ? `Pass a valid pair in the RunTask overrides: --overrides '{"cpu": "${verdict.recommended.cpu}", "memory": "${verdict.recommended.memory}"}' (${verdict.advice}).`
        : `${reregister(request?.family, verdict.recommended.cpu, verdict.recommended.memory)}${
            verdict.alternative ? `\nOr keep "cpu": "${verdict.alternative.cpu}" and set "memory": "${verdict.alternative.memory}" instead.` : ''
          }`,
    evidence,
  };
}

function containerDetection(signal: SignalOf<'text' | 'api-call'>, request: Request | undefined, evidence: Evidence[]): Detection {
  const named = containerMemoryOverTask.exec(signal.text)?.[1];
  const explanation =
    'On Fargate the task-level cpu and memory are a hard ceiling for all its containers together. ECS rejects a task definition where one container asks for more memory than the task, or where the containers\' cpu adds up to more than the task\'s, so nothing was registered.';
  const containers = request?.containers ?? [];
  const taskSize = request?.size;
  if (!taskSize || containers.length === 0) {
    return {
      cause: 'container-exceeds-task',
      specificity: 'root-cause',
      explanation,
      fix: `Raise the task-level "cpu"/"memory" to a Fargate pair at least as large as the containers need together (${matrixSummary()}), or lower the container's "memory"${named ? ` for container ${named}` : ''}; then register the task definition again.`,
      evidence,
      ...(named ? { resource: { container: named } } : {}),
    };
  }
  const cpuNeed = containers.reduce((sum, c) => sum + c.cpu, 0);
  const memoryNeed = containers.reduce((sum, c) => sum + c.memory, 0);
  const fitting = smallestFitting(Math.max(taskSize.cpu, cpuNeed), Math.max(taskSize.memory, memoryNeed), request?.os ?? 'linux');
  const detail = `the containers ask for cpu ${cpuNeed} and memory ${memoryNeed} MiB together (${containers
    .map((c) => `${c.name}: cpu ${c.cpu}, memory ${c.memory}`)
    .join('; ')}); the task has cpu ${taskSize.cpu} and memory ${taskSize.memory}`;
  return {
    cause: fitting ? 'container-exceeds-task' : 'above-fargate-max',
    specificity: 'root-cause',
    explanation: `${explanation} Here ${detail}.${fitting ? '' : ` That is more than ${FARGATE_MAX}.`}`,
    fix: fitting
      ? `${reregister(request?.family, fitting.cpu, fitting.memory)}\n(or lower the containers' memory/cpu to fit the task's cpu ${taskSize.cpu} / memory ${taskSize.memory}.)`
      : abovemaxFix,
    evidence: [...evidence, { source: 'detail.requestParameters', observed: detail }],
    ...(named ? { resource: { container: named } } : {}),
  };
}

function classify(signal: SignalOf<'text' | 'api-call'>, request: Request | undefined, evidence: Evidence[]): Detection | null {
  if (containerMemoryOverTask.test(signal.text) || containerCpuOverTask.test(signal.text)) {
    return containerDetection(signal, request, evidence);
  }

  const missing = missingTaskSize.exec(signal.text);
  if (missing) {
    return {
      cause: 'missing-task-size',
      specificity: 'root-cause',
      explanation: `Fargate needs "cpu" and "memory" set on the task itself, not only on its containers, and this task definition has no task-level "${missing[1]?.toLowerCase()}". ECS refused to register it.`,
      fix: genericSizeFix,
      evidence,
    };
  }

  if (firstMatch(signal.text, invalidSize)) {
    const echoed = valuesInText.exec(signal.text);
    const size = request?.size ?? (echoed ? { cpu: Number(echoed[1]), memory: Number(echoed[2]) } : undefined);
    const judged = size ? sizeDetection(size, request, evidence) : null;
    if (judged) return judged;
    return {
      cause: 'invalid-combination',
      specificity: 'root-cause',
      explanation: `Fargate runs only fixed cpu/memory pairs, and ECS refused this task definition's pair, so nothing new was registered or deployed. The valid pairs: ${matrixSummary()}.`,
      fix: genericSizeFix,
      evidence,
    };
  }

  // A call that went through (or failed for another reason) but asked Fargate for a size it does not run.
  if (request?.fargate && request.size && !signal.text) return sizeDetection(request.size, request, evidence);
  return null;
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'api-call'>): Detection | null {
  const request = signal.kind === 'api-call' ? requestOf(signal) : undefined;
  const evidence: Evidence[] = signal.text ? [quoted(signal.source, signal.text)] : [];
  if (request?.size) {
    evidence.push({
      source: 'detail.requestParameters',
      observed: `${request.call}${request.fargate ? ' for FARGATE' : ''}: cpu ${request.size.cpu}, memory ${request.size.memory}${request.os === 'windows' ? ' (Windows)' : ''}`,
    });
  }
  const detection = classify(signal, request, evidence);
  if (detection && request?.family) detection.resource = { ...detection.resource, taskFamily: request.family };
  return detection;
}

