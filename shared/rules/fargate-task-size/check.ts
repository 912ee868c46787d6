import { at, isUnresolved, type Report, type StaticCheck, seen, type TaskDefinitionSubject } from '../../static/check';
import { containerName, containersOf, familyLabel, runsOnFargate, runsOnWindows } from '../../static/task-definition';
import { judge, matrixSummary, parseCpu, parseMemory } from './matrix';

/**
 * Seed footgun 4, before registration: the task size against the Fargate
 * matrix (Linux and Windows), the 8 and 16 vCPU sizes' platform-version
 * requirement, containers above the task, and the ephemeral storage range.
 */

const EPHEMERAL_MIN_GIB = 21;
const EPHEMERAL_MAX_GIB = 200;
/** 8 and 16 vCPU need Linux platform version 1.4.0 or later (fargate-tasks-services.html#fargate-tasks-size). */
const LARGE_CPU = 8192;

function registerFix(family: string, change: string): string {
  return `In task definition ${family}, ${change}; then register it again: aws ecs register-task-definition --cli-input-json file://${family}.json`;
}

function checkTaskSize({ taskDefinition: td }: TaskDefinitionSubject, report: Report): void {
  const value = td.value;
  if (!runsOnFargate(value)) return;
  const family = familyLabel(value);
  const os = runsOnWindows(value) ? 'windows' : 'linux';
  if (value.cpu === undefined || value.memory === undefined) {
    const missing = value.cpu === undefined ? 'cpu' : 'memory';
    report.issue({
      cause: 'missing-task-size',
      severity: 'critical',
      title: `Fargate task definition ${family} has no task-level ${missing}`,
      explanation: `Fargate requires the task-level cpu and memory; ECS rejects this task definition ("Fargate requires that '${missing}' be defined at the task level").`,
      fix: registerFix(family, `set the task-level "cpu" and "memory" to a Fargate pair (${matrixSummary()})`),
      at: at(td, `/${missing}`),
      evidence: [seen(td, '', `requiresCompatibilities FARGATE, no task-level ${missing}`)],
    });
    return;
  }
  const cpu = parseCpu(value.cpu);
  const memory = parseMemory(value.memory);
  if (cpu === undefined || memory === undefined) {
    const what = cpu === undefined ? `cpu ${JSON.stringify(value.cpu)}` : `memory ${JSON.stringify(value.memory)}`;
    if (isUnresolved(value.cpu) || isUnresolved(value.memory)) report.unchecked(td.origin, 'Fargate task size', `${what} is not known until deployment`);
    else
      report.issue({
        cause: 'invalid-combination',
        severity: 'critical',
        title: `Fargate task definition ${family} has an unreadable task size`,
        explanation: `ECS reads the task-level cpu as CPU units (e.g. "1024") or vCPU ("1 vCPU"), and memory as MiB ("2048") or GB ("2 GB"); ${what} is neither, so registration fails.`,
        fix: registerFix(family, `write cpu and memory as a Fargate pair (${matrixSummary()})`),
        at: at(td, cpu === undefined ? '/cpu' : '/memory'),
        evidence: [seen(td, cpu === undefined ? '/cpu' : '/memory', what)],
      });
    return;
  }
  const verdict = judge({ cpu, memory }, os);
  const sizeEvidence = seen(td, '/cpu', `cpu ${JSON.stringify(value.cpu)} (${cpu} units), memory ${JSON.stringify(value.memory)} (${memory} MiB), ${os}`);
  if (verdict.kind === 'above-max') {
    report.issue({
      cause: 'above-fargate-max',
      severity: 'critical',
      title: `Task definition ${family} is larger than any Fargate task`,
      explanation: `cpu ${cpu} with memory ${memory} is above Fargate's largest ${os === 'windows' ? 'Windows ' : ''}task (cpu ${verdict.max.cpu}, memory ${verdict.max.memory}); ECS rejects it.`,
      fix: `Run it on EC2 capacity ("requiresCompatibilities": ["EC2"]) or split the work; on Fargate the largest size is cpu ${verdict.max.cpu} with memory ${verdict.max.memory}.`,
      at: at(td, '/cpu'),
      evidence: [sizeEvidence],
    });
  } else if (verdict.kind === 'invalid') {
    report.issue({
      cause: 'invalid-combination',
      severity: 'critical',
      title: `Task definition ${family} asks for a size Fargate does not run`,
      explanation: `Fargate runs only fixed cpu/memory pairs: ${verdict.advice}. ECS rejects the registration ("No Fargate configuration exists for given values").`,
      fix: registerFix(family, `set "cpu": "${verdict.recommended.cpu}" and "memory": "${verdict.recommended.memory}"${verdict.alternative ? ` (or keep cpu ${verdict.alternative.cpu} with memory ${verdict.alternative.memory})` : ''}`),
      at: at(td, '/memory'),
      evidence: [sizeEvidence],
    });
  }
  checkContainers(td, cpu, memory, family, report);
}

function checkContainers(td: TaskDefinitionSubject['taskDefinition'], taskCpu: number, taskMemory: number, family: string, report: Report): void {
  let cpuSum = 0;
  for (const { container, path } of containersOf(td.value)) {
    cpuSum += parseCpu(container.cpu) ?? 0;
    const hard = parseMemory(container.memory);
    const soft = parseMemory(container.memoryReservation);
    const field = hard !== undefined ? 'memory' : 'memoryReservation';
    const asked = hard ?? soft;
    if (asked === undefined || asked <= taskMemory) continue;
    const name = containerName(container, path);
    report.issue({
      cause: 'container-exceeds-task',
      severity: 'critical',
      title: `Container ${name} asks for more memory than task ${family} has`,
      explanation: `On Fargate the task's memory (${taskMemory} MiB) is the ceiling for all its containers; container ${name} sets ${field} ${asked} MiB, so ECS rejects the task definition ("The 'memory' setting for container … is greater than for the task").`,
      fix: registerFix(family, `lower ${name}'s "${field}" to at most ${taskMemory}, or raise the task's memory to a Fargate size of at least ${asked}`),
      at: at(td, `${path}/${field}`),
      evidence: [seen(td, `${path}/${field}`, `${field} ${asked} MiB; task memory ${taskMemory} MiB`)],
    });
  }
  if (cpuSum > taskCpu) {
    report.issue({
      cause: 'container-exceeds-task',
      severity: 'critical',
      title: `The containers of ${family} ask for more CPU than the task has`,
      explanation: `The containers' cpu adds up to ${cpuSum} units, more than the task's ${taskCpu}; ECS rejects the task definition.`,
      fix: registerFix(family, `lower the containers' "cpu" to at most ${taskCpu} in total, or raise the task's cpu`),
      at: at(td, '/containerDefinitions'),
      evidence: [seen(td, '/containerDefinitions', `container cpu total ${cpuSum}; task cpu ${taskCpu}`)],
    });
  }
}

function checkEphemeralStorage({ taskDefinition: td }: TaskDefinitionSubject, report: Report): void {
  const size = td.value.ephemeralStorage?.sizeInGiB;
  if (size === undefined || !runsOnFargate(td.value)) return;
  if (typeof size === 'number' && size >= EPHEMERAL_MIN_GIB && size <= EPHEMERAL_MAX_GIB) return;
  if (isUnresolved(size)) {
    report.unchecked(td.origin, 'ephemeral storage size', `${size} is not known until deployment`);
    return;
  }
  const family = familyLabel(td.value);
  report.issue({
    cause: 'ephemeral-storage',
    severity: 'critical',
    title: `Task definition ${family} asks for ephemeral storage Fargate does not offer`,
    explanation: `Fargate gives every task 20 GiB; ephemeralStorage.sizeInGiB raises it and must be between ${EPHEMERAL_MIN_GIB} and ${EPHEMERAL_MAX_GIB} GiB, so ${JSON.stringify(size)} is rejected.`,
    fix: registerFix(family, `set "ephemeralStorage": {"sizeInGiB": <${EPHEMERAL_MIN_GIB} to ${EPHEMERAL_MAX_GIB}>}, or remove it for the default 20 GiB`),
    at: at(td, '/ephemeralStorage/sizeInGiB'),
    evidence: [seen(td, '/ephemeralStorage/sizeInGiB', `sizeInGiB ${JSON.stringify(size)}`)],
  });
}

const fargateTaskSizeCheck: StaticCheck = {
  rule: 'fargate-task-size',
  causes: ['invalid-combination', 'above-fargate-max', 'container-exceeds-task', 'missing-task-size', 'ephemeral-storage', 'platform-version'],
  summary:
    'Fargate task definitions: the task cpu/memory pair against the Linux or Windows matrix (numbers or "1 vCPU" / "2 GB"), a missing task size, containers whose memory exceeds the task or whose cpu adds up to more, ephemeral storage outside 21–200 GiB; services running 8 or 16 vCPU tasks on a platform version before 1.4.0',
  taskDefinition(subject, report) {
    checkTaskSize(subject, report);
    checkEphemeralStorage(subject, report);
  },
  service({ service, taskDefinition: td }, report) {
    const version = service.value.platformVersion;
    if (!td || !runsOnFargate(td.value) || typeof version !== 'string' || version === 'LATEST' || isUnresolved(version)) return;
    const cpu = parseCpu(td.value.cpu);
    if (cpu === undefined || cpu < LARGE_CPU || !/^1\.[0-3]\./.test(version)) return;
    report.issue({
      cause: 'platform-version',
      severity: 'critical',
      title: `Service runs ${cpu / 1024} vCPU tasks on Fargate platform ${version}`,
      explanation: `8 and 16 vCPU Fargate tasks need Linux platform version 1.4.0 or later; on ${version} ECS cannot start them.`,
      fix: `Set the service's platformVersion to 1.4.0 (or LATEST): aws ecs update-service --cluster <cluster> --service ${service.value.serviceName ?? '<service>'} --platform-version 1.4.0`,
      at: at(service, '/platformVersion'),
      evidence: [seen(service, '/platformVersion', `platformVersion ${version}`), seen(td, '/cpu', `task cpu ${td.value.cpu}`)],
    });
  },
};

export default fargateTaskSizeCheck;
