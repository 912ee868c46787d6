import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { lineOf } from '../../shared/static/sarif';

const fixtures = new URL('../fixtures/static/', import.meta.url).pathname;
const fixture = (name: string) => join(fixtures, name);

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => '' });
  return { code, text: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'ecs-medic-lint-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('ecs-medic lint', () => {
  it('exits 0 on clean files and prints the count', async () => {
    const { code, text } = await run(['lint', fixture('register-task-definition.json'), fixture('describe-services.json')]);
    expect(code).toBe(0);
    expect(text).toContain('2 file(s): 0 critical, 0 warning, 0 info');
    expect(text).toContain('not checked (needs the account: run ecs-medic audit):');
  });

  it('exits 1 on findings at or above --severity, printing them with file, resource and pointer', async () => {
    const { code, text } = await run(['lint', fixture('cloudformation-service.json')]);
    expect(code).toBe(1);
    expect(text).toContain('CRITICAL  Task definition orders asks for a size Fargate does not run');
    expect(text).toContain(`where:     task family orders · file ${fixture('cloudformation-service.json')} · resource TaskDefinition · at /Resources/TaskDefinition/Properties/Memory`);
  });

  it('--severity critical ignores warnings and info for the exit status', async () => {
    const services = file('services.json', JSON.stringify({ services: [{ serviceName: 'api', desiredCount: 2, launchType: 'FARGATE', platformVersion: 'LATEST', deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } }] }));
    expect((await run(['lint', '--severity', 'critical', services])).code).toBe(0);
    expect((await run(['lint', services])).code).toBe(1);
    expect((await run(['lint', '--severity', 'info', services])).code).toBe(1);
  });

  it('--format json prints findings and unchecked', async () => {
    const { code, text } = await run(['lint', '--format', 'json', fixture('terraform-plan.json')]);
    expect(code).toBe(1);
    const parsed = JSON.parse(text) as { findings: { rule: string; resource: { logicalId: string } }[]; unchecked: unknown[] };
    expect(parsed.findings.map((f) => f.resource.logicalId)).toContain('aws_ecs_service.api');
    expect(Array.isArray(parsed.unchecked)).toBe(true);
  });

  it.each([
    [['lint'], 'name at least one FILE'],
    [['lint', '--format', 'xml', 'x.json'], '--format must be one of text, json, sarif'],
    [['lint', '--severity', 'high', 'x.json'], '--severity must be one of critical, warning, info'],
    [['lint', '/nonexistent/task.json'], 'cannot read /nonexistent/task.json: no such file'],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('exits 2 on a file that is not JSON, not YAML, or not ECS configuration', async () => {
    const badYaml = await run(['lint', file('template.yaml', 'Resources:\n  Service:\n    Type: AWS::ECS::Service\n   Properties: {}\n')]);
    expect(badYaml.code).toBe(2);
    expect(badYaml.err).toContain('template.yaml is not valid YAML: line 4, column 1: All mapping items must start at the same column');
    // Not JSON, and as YAML not a template: the JSON error is the one that helps.
    expect((await run(['lint', file('task.json', '{"family": "web",\n')])).err).toContain('task.json is not valid JSON');
    expect((await run(['lint', file('package.json', '{"name": "app"}')])).err).toContain('is not a task definition, service, CloudFormation template or Terraform plan');
    expect((await run(['lint', file('compose.yml', 'services:\n  web:\n    image: nginx\n')])).err).toContain('is not a task definition, service, CloudFormation template or Terraform plan');
  });

  it('lints a CloudFormation template in YAML, under a YAML name or any other', async () => {
    const yaml = readFileSync(fixture('cloudformation-service.yaml'), 'utf8');
    for (const name of ['orders.yaml', 'orders.template']) {
      const { code, text } = await run(['lint', file(name, yaml)]);
      expect(code).toBe(1);
      expect(text).toContain('CRITICAL  Task definition orders asks for a size Fargate does not run');
      expect(text).toContain(`resource TaskDefinition · at /Resources/TaskDefinition/Properties/Memory`);
    }
    const clean = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  TaskDefinition:',
      '    Type: AWS::ECS::TaskDefinition',
      '    Properties:',
      '      Family: web',
      '      Cpu: 1024',
      '      Memory: 2048',
      '      NetworkMode: awsvpc',
      '      RequiresCompatibilities: [FARGATE]',
      '      ContainerDefinitions:',
      '        - Name: web',
      '          Image: public.ecr.aws/nginx/nginx:1.27',
      '          Essential: true',
      '  Service:',
      '    Type: AWS::ECS::Service',
      '    Properties:',
      '      Cluster: !Ref Cluster',
      '      LaunchType: FARGATE',
      '      PlatformVersion: 1.4.0',
      '      DesiredCount: 2',
      '      TaskDefinition: !Ref TaskDefinition',
      '      DeploymentConfiguration:',
      '        MinimumHealthyPercent: 100',
      '        MaximumPercent: 200',
      '        DeploymentCircuitBreaker: {Enable: true, Rollback: true}',
    ].join('\n');
    const { code, text } = await run(['lint', file('web.yaml', clean)]);
    expect(text).toContain('1 file(s): 0 critical, 0 warning, 0 info');
    expect(code).toBe(0);
  });
});

describe('ecs-medic lint --format sarif', () => {
  it('writes a SARIF 2.1.0 log: a rule per check, results located by line and pointer', async () => {
    const path = fixture('cloudformation-service.json');
    const { code, text } = await run(['lint', '--format', 'sarif', path]);
    expect(code).toBe(1);
    const log = JSON.parse(text);
    // The structure SARIF 2.1.0 requires (sarif-schema-2.1.0.json: required properties and enums).
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const [runObject] = log.runs;
    expect(runObject.tool.driver.name).toBe('ecs-medic');
    const rules = runObject.tool.driver.rules as { id: string; shortDescription: { text: string }; fullDescription: { text: string } }[];
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) expect(rule.fullDescription.text.length).toBeGreaterThan(0);
    expect(runObject.results.length).toBeGreaterThan(0);
    for (const result of runObject.results) {
      expect(['none', 'note', 'warning', 'error']).toContain(result.level);
      expect(typeof result.message.text).toBe('string');
      expect(rules[result.ruleIndex]?.id).toBe(result.ruleId);
      const [location] = result.locations;
      expect(location.physicalLocation.artifactLocation.uri).toBe(path);
      expect(location.physicalLocation.region.startLine).toBeGreaterThan(1);
      expect(location.logicalLocations[0].fullyQualifiedName).toContain('/Resources/');
    }
    const memory = runObject.results.find((r: { ruleId: string }) => r.ruleId === 'fargate-task-size');
    expect(memory.level).toBe('error');
    // The task-level "Memory" comes before the container definitions in the template.
    const taskMemoryLine = readFileSync(path, 'utf8').split('\n').findIndex((line) => line.includes('"Memory"')) + 1;
    expect(memory.locations[0].physicalLocation.region.startLine).toBe(taskMemoryLine);
  });

  it('locates each result of a YAML template at its line and column in the YAML', async () => {
    const path = fixture('cloudformation-service.yaml');
    const { code, text } = await run(['lint', '--format', 'sarif', path]);
    expect(code).toBe(1);
    const results = JSON.parse(text).runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[] }[];
    expect(results.map((r) => [r.ruleId, r.locations[0]?.physicalLocation.artifactLocation.uri, r.locations[0]?.physicalLocation.region])).toEqual([
      // Memory: !Ref ContainerMemory, resolved from the parameter's default.
      ['fargate-task-size', path, { startLine: 78, startColumn: 7 }],
      ['task-execution-role-confusion', path, { startLine: 82, startColumn: 7 }],
      // HealthCheckGracePeriodSeconds and PlatformVersion are left out: the Service's Properties, where to add them.
      ['health-check-grace-period', path, { startLine: 117, startColumn: 5 }],
      ['minimum-healthy-percent', path, { startLine: 124, startColumn: 9 }],
      ['deployment-circuit-breaker', path, { startLine: 122, startColumn: 7 }],
      ['platform-version-drift', path, { startLine: 117, startColumn: 5 }],
    ]);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect([78, 82, 117, 124, 122].map((n) => lines[n - 1]?.trim())).toEqual([
      'Memory: !Ref ContainerMemory',
      'ExecutionRoleArn: !GetAtt ExecutionRole.Arn',
      'Properties:',
      'MinimumHealthyPercent: 0',
      'DeploymentConfiguration:',
    ]);
  });

  it('writes logs the official OASIS SARIF 2.1.0 schema accepts, formats included', async () => {
    // sarif-schema-2.1.0.json as OASIS publishes it (errata01, JSON Schema draft-04), from github.com/oasis-tcs/sarif-spec
    // sarif-2.1/schema/, sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e.
    const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as { id: string };
    expect(schema.id).toBe('https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const clean = fixture('register-task-definition.json');
    for (const files of [[fixture('cloudformation-service.json')], [fixture('cloudformation-service.yaml')], [fixture('terraform-plan.json'), fixture('describe-services.json')], [clean]]) {
      const { text } = await run(['lint', '--format', 'sarif', ...files]);
      const log = JSON.parse(text) as { runs: { results: unknown[] }[] };
      expect(validate(log) ? [] : validate.errors, files.join(' ')).toEqual([]);
      expect(log.runs[0]?.results.length === 0).toBe(files[0] === clean);
    }
    // The schema is not lenient: a level SARIF does not define is rejected.
    const { text } = await run(['lint', '--format', 'sarif', fixture('cloudformation-service.json')]);
    const log = JSON.parse(text) as { runs: { results: { level: string }[] }[] };
    (log.runs[0]?.results[0] as { level: string }).level = 'critical';
    expect(validate(log)).toBe(false);
  });

  it('finds the line of a pointer, or of its nearest existing ancestor', () => {
    const text = '{\n  "a": {\n    "b": [\n      1,\n      {"c": 2}\n    ]\n  }\n}';
    expect(lineOf(text, '/a/b/1/c')).toEqual({ startLine: 5, startColumn: 8 });
    expect(lineOf(text, '/a/missing')).toEqual({ startLine: 2, startColumn: 3 });
    expect(lineOf(text, '')).toEqual({ startLine: 1, startColumn: 1 });
  });
});
