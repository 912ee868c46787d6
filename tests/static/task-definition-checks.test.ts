import { describe, expect, it } from 'vitest';
import { brief, fixture, lintDocuments, ofRule } from './support';

// biome-ignore lint/suspicious/noExplicitAny: fixtures are changed field by field, as JSON
type Json = Record<string, any>;

const register = () => fixture<Json>('register-task-definition.json');
const lintTask = (td: Json) => lintDocuments({ 'task.json': td }).findings;

describe('fargate-task-size static check', () => {
  it('passes the valid register-task-definition input ("1 vCPU" / "2 GB")', () => {
    expect(ofRule(lintTask(register()), 'fargate-task-size')).toEqual([]);
  });

  it.each([
    ['256', '512', 'linux'],
    [512, 1024, 'linux'],
    ['8 vCPU', '16 GB', 'linux'],
    ['8192', '61440', 'linux'],
    ['16384', '122880', 'linux'],
    ['.25 vcpu', '2GB', 'linux'],
    ['1024', '2048', 'windows'],
    ['4096', '30720', 'windows'],
  ])('accepts cpu %s with memory %s on %s', (cpu, memory, os) => {
    const td: Json = { ...register(), cpu, memory, runtimePlatform: { operatingSystemFamily: os === 'windows' ? 'WINDOWS_SERVER_2022_CORE' : 'LINUX' } };
    td.containerDefinitions[0].memory = 512;
    td.containerDefinitions[0].cpu = 0;
    expect(ofRule(lintTask(td), 'fargate-task-size')).toEqual([]);
  });

  it.each([
    ['512', '512', 'linux', 'invalid-combination', '"cpu": "512" and "memory": "1024"'],
    ['256', '4096', 'linux', 'invalid-combination', '"memory": "4096"'],
    ['8192', '18432', 'linux', 'invalid-combination', '"cpu": "8192" and "memory": "20480"'],
    ['16384', '126976', 'linux', 'above-fargate-max', 'cpu 16384 with memory 122880'],
    ['32 vCPU', '128 GB', 'linux', 'above-fargate-max', 'EC2'],
    ['8192', '16384', 'windows', 'above-fargate-max', 'cpu 4096 with memory 30720'],
    ['512', '1024', 'windows', 'invalid-combination', '"cpu": "1024"'],
  ])('flags cpu %s with memory %s on %s as %s', (cpu, memory, os, cause, fix) => {
    const td: Json = { ...register(), cpu, memory, runtimePlatform: { operatingSystemFamily: os === 'windows' ? 'WINDOWS_SERVER_2022_CORE' : 'LINUX' } };
    td.containerDefinitions[0].memory = 256;
    td.containerDefinitions[0].cpu = 0;
    const [finding, ...rest] = ofRule(lintTask(td), 'fargate-task-size');
    expect(rest).toEqual([]);
    expect(finding?.cause).toBe(cause);
    expect(finding?.severity).toBe('critical');
    expect(finding?.fix).toContain(fix);
    expect(finding?.resource).toMatchObject({ file: 'task.json', taskFamily: 'webserver' });
  });

  it('flags a missing task memory and a container above the task, pointing at the field', () => {
    const noMemory = register();
    delete noMemory.memory;
    expect(ofRule(lintTask(noMemory), 'fargate-task-size').map(brief)).toEqual(['fargate-task-size/missing-task-size@/memory']);
    const tooBig = register();
    tooBig.containerDefinitions[0].memory = 3072;
    expect(ofRule(lintTask(tooBig), 'fargate-task-size').map(brief)).toEqual(['fargate-task-size/container-exceeds-task@/containerDefinitions/0/memory']);
  });

  it('judges ephemeral storage against 21–200 GiB', () => {
    for (const [size, flagged] of [[21, false], [200, false], [20, true], [201, true]] as const) {
      const td = { ...register(), ephemeralStorage: { sizeInGiB: size } };
      expect(ofRule(lintTask(td), 'fargate-task-size').map(brief)).toEqual(flagged ? ['fargate-task-size/ephemeral-storage@/ephemeralStorage/sizeInGiB'] : []);
    }
  });

  it('leaves EC2 task definitions alone', () => {
    expect(ofRule(lintDocuments({ 'worker.json': fixture('describe-task-definition.json') }).findings, 'fargate-task-size')).toEqual([]);
  });

  it('needs platform 1.4.0 for 8 vCPU: a service pinned to 1.3.0 is flagged', () => {
    const td = { ...register(), cpu: '8192', memory: '16384' };
    const services = fixture<Json>('describe-services.json');
    services.services[0].platformVersion = '1.3.0';
    const findings = lintDocuments({ 'task.json': td, 'services.json': services }).findings;
    expect(ofRule(findings, 'fargate-task-size').map(brief)).toEqual(['fargate-task-size/platform-version@/services/0/platformVersion']);
  });
});

describe('task-execution-role-confusion static check', () => {
  it('passes distinct task and execution roles', () => {
    expect(ofRule(lintTask(register()), 'task-execution-role-confusion')).toEqual([]);
  });

  it('flags one role used for both', () => {
    const td = register();
    td.taskRoleArn = td.executionRoleArn;
    expect(ofRule(lintTask(td), 'task-execution-role-confusion').map(brief)).toEqual(['task-execution-role-confusion/same-role@/executionRoleArn']);
  });

  it('flags a Fargate task with an ECR image, secrets and awslogs but no execution role, naming each need', () => {
    const td = register();
    delete td.executionRoleArn;
    const [finding] = ofRule(lintTask(td), 'task-execution-role-confusion');
    expect(finding?.severity).toBe('critical');
    expect(finding?.evidence.map((e) => e.source)).toEqual([
      'task.json#/containerDefinitions/0/image',
      'task.json#/containerDefinitions/0/logConfiguration/logDriver',
      'task.json#/containerDefinitions/0/secrets',
    ]);
  });

  it('on EC2 the instance role covers awslogs and ECR, but not secrets', () => {
    const described = fixture<Json>('describe-task-definition.json');
    delete described.taskDefinition.executionRoleArn;
    expect(ofRule(lintDocuments({ 'worker.json': described }).findings, 'task-execution-role-confusion')).toEqual([]);
    described.taskDefinition.containerDefinitions[0].secrets = [{ name: 'TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/worker/token' }];
    expect(ofRule(lintDocuments({ 'worker.json': described }).findings, 'task-execution-role-confusion').map(brief)).toEqual([
      'task-execution-role-confusion/execution-role-permissions@/taskDefinition/executionRoleArn',
    ]);
  });
});
