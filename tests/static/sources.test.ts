import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolve, templateOf } from '../../shared/static/sources/cloudformation';
import { parseCloudFormationYaml, YamlSyntaxError } from '../../shared/static/sources/cloudformation-yaml';
import { brief, fixture, lintDocuments } from './support';

describe('CloudFormation templates', () => {
  const result = lintDocuments({ 'orders.template.json': fixture('cloudformation-service.json') });

  it('resolves parameters with defaults, Fn::Sub and Fn::Join, and reports each problem at its template pointer', () => {
    expect(result.findings.map(brief)).toEqual([
      'fargate-task-size/invalid-combination@/Resources/TaskDefinition/Properties/Memory',
      'task-execution-role-confusion/execution-role-permissions@/Resources/TaskDefinition/Properties/ExecutionRoleArn',
      'health-check-grace-period/container-health-check@/Resources/Service/Properties/HealthCheckGracePeriodSeconds',
      'minimum-healthy-percent/zero-capacity@/Resources/Service/Properties/DeploymentConfiguration/MinimumHealthyPercent',
      'deployment-circuit-breaker/no-circuit-breaker@/Resources/Service/Properties/DeploymentConfiguration/DeploymentCircuitBreaker',
      'platform-version-drift/unpinned@/Resources/Service/Properties/PlatformVersion',
    ]);
  });

  it('names the file, the logical id and the resolved family and service', () => {
    expect(result.findings[0]?.resource).toEqual({ file: 'orders.template.json', logicalId: 'TaskDefinition', taskFamily: 'orders', pointer: '/Resources/TaskDefinition/Properties/Memory' });
    expect(result.findings[3]?.resource).toMatchObject({ logicalId: 'Service', service: 'orders' });
  });

  it('finds the application permissions the template attaches to the execution role', () => {
    expect(result.findings[1]?.explanation).toContain('dynamodb:PutItem, dynamodb:GetItem');
  });

  it('treats a log group the template creates as existing', () => {
    expect(result.findings.some((f) => f.rule === 'log-group-missing')).toBe(false);
    expect(result.unchecked.some((u) => u.check.startsWith('log-group-missing'))).toBe(false);
  });

  it('keeps what it cannot resolve as a readable token', () => {
    const template = templateOf({ Parameters: { Env: { Type: 'String' } }, Mappings: { Size: { prod: { Cpu: '1024' } } }, Resources: {} }, 't.json');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
    expect(resolve(template, { 'Fn::Sub': 'svc-${Env}-${AWS::Region}' })).toBe('svc-<unresolved Ref Env>-<unresolved Ref AWS::Region>');
    expect(resolve(template, { 'Fn::FindInMap': ['Size', 'prod', 'Cpu'] })).toBe('1024');
    expect(resolve(template, { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(resolve(template, { 'Fn::If': ['IsProd', 1, 2] })).toBe('<unresolved Fn::If>');
  });
});

describe('CloudFormation templates in YAML', () => {
  const yamlText = readFileSync(new URL('../fixtures/static/cloudformation-service.yaml', import.meta.url), 'utf8');
  const { document, regionOf } = parseCloudFormationYaml(yamlText);
  const parse = (text: string) => parseCloudFormationYaml(text).document;

  it('reads the same tree as the template in JSON, short forms as long forms, and finds the same problems at the same pointers', () => {
    const json = fixture<{ Parameters: unknown; Resources: unknown }>('cloudformation-service.json');
    expect(document).toMatchObject({ AWSTemplateFormatVersion: '2010-09-09', Parameters: json.Parameters, Resources: json.Resources });
    const fromJson = lintDocuments({ 'orders.template.json': json }).findings.map(brief);
    expect(lintDocuments({ 'orders.yaml': document }).findings.map(brief)).toEqual(fromJson);
  });

  it('maps every short-form intrinsic to its long form, on scalars, sequences and mappings', () => {
    const text = [
      'Ref: !Ref Env',
      'GetAttDotted: !GetAtt LoadBalancer.DNSName',
      'GetAttNested: !GetAtt Database.Endpoint.Address',
      'GetAttList: !GetAtt [Role, Arn]',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      'Sub: !Sub /ecs/${ServiceName}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      'SubWithMap: !Sub ["${Name}-logs", {Name: !Ref ServiceName}]',
      'Join: !Join [":", [a, !Ref B]]',
      'Select: !Select [0, !GetAZs ""]',
      'Split: !Split [",", !ImportValue SubnetIds]',
      'FindInMap: !FindInMap [Sizes, !Ref Env, Cpu]',
      'If: !If [IsProd, 1024, !Ref AWS::NoValue]',
      'Equals: !Equals [!Ref Env, prod]',
      'Logic: !And [!Not [!Condition IsDev], !Or [!Equals [a, b], !Equals [c, c]]]',
      'Base64: !Base64 {"Fn::Sub": "echo"}',
      'Cidr: !Cidr [10.0.0.0/16, 4, 8]',
      'Length: !Length [a, b]',
      'Json: !ToJsonString {a: 1}',
      'Transform: !Transform {Name: AWS::Include, Parameters: {Location: s3://bucket/x.yaml}}',
    ].join('\n');
    expect(parse(text)).toEqual({
      Ref: { Ref: 'Env' },
      GetAttDotted: { 'Fn::GetAtt': ['LoadBalancer', 'DNSName'] },
      GetAttNested: { 'Fn::GetAtt': ['Database', 'Endpoint.Address'] },
      GetAttList: { 'Fn::GetAtt': ['Role', 'Arn'] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      Sub: { 'Fn::Sub': '/ecs/${ServiceName}' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      SubWithMap: { 'Fn::Sub': ['${Name}-logs', { Name: { Ref: 'ServiceName' } }] },
      Join: { 'Fn::Join': [':', ['a', { Ref: 'B' }]] },
      Select: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      Split: { 'Fn::Split': [',', { 'Fn::ImportValue': 'SubnetIds' }] },
      FindInMap: { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Cpu'] },
      If: { 'Fn::If': ['IsProd', 1024, { Ref: 'AWS::NoValue' }] },
      Equals: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      Logic: { 'Fn::And': [{ 'Fn::Not': [{ Condition: 'IsDev' }] }, { 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Equals': ['c', 'c'] }] }] },
      Base64: { 'Fn::Base64': { 'Fn::Sub': 'echo' } },
      Cidr: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
      Length: { 'Fn::Length': ['a', 'b'] },
      Json: { 'Fn::ToJsonString': { a: 1 } },
      Transform: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/x.yaml' } } },
    });
  });

  it('resolves what the short forms say as the long forms resolve it', () => {
    const text = 'Parameters:\n  Env: {Type: String, Default: prod}\nMappings:\n  Sizes: {prod: {Cpu: "1024"}}\nResources: {}\n';
    const template = templateOf(parse(text), 't.yaml');
    expect(resolve(template, parse('!FindInMap [Sizes, !Ref Env, Cpu]'))).toBe('1024');
    expect(resolve(template, parse('!Select [1, !Split [",", "a,b,c"]]'))).toBe('b');
    expect(resolve(template, parse('!GetAtt Role.Arn'))).toBe('<unresolved Fn::GetAtt Role.Arn>');
  });

  it('reads YAML as CloudFormation does: dates and version strings stay strings, yes is true, merge keys are plain keys', () => {
    expect(parse('Version: 2012-10-17\nEssential: yes\nOctal: 0755')).toEqual({ Version: '2012-10-17', Essential: true, Octal: 493 });
    expect(parse('base: &b {a: 1}\nother:\n  <<: *b')).toEqual({ base: { a: 1 }, other: { '<<': { a: 1 } } });
  });

  it('gives the line and column of a pointer, at the key of a mapping\'s value, or of its nearest existing ancestor', () => {
    const line = (needle: string) => yamlText.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(regionOf('/Resources/TaskDefinition/Properties/Memory')).toEqual({ startLine: line('      Memory: !Ref ContainerMemory'), startColumn: 7 });
    expect(regionOf('/Resources/TaskDefinition/Properties/ContainerDefinitions/0/HealthCheck/StartPeriod')).toEqual({ startLine: line('StartPeriod: 120'), startColumn: 13 });
    // Inside a short form: the key that holds it.
    expect(regionOf('/Resources/TaskDefinition/Properties/ExecutionRoleArn/Fn::GetAtt/0')).toEqual({ startLine: line('ExecutionRoleArn: !GetAtt'), startColumn: 7 });
    // A field the template leaves out: where to add it.
    expect(regionOf('/Resources/Service/Properties/PlatformVersion')).toEqual({ startLine: line('Type: AWS::ECS::Service') + 1, startColumn: 5 });
    expect(regionOf('/Resources/Service/Properties/LoadBalancers/0/TargetGroupArn')).toEqual({ startLine: line('TargetGroupArn: !Ref TargetGroup'), startColumn: 11 });
    expect(regionOf('')).toEqual({ startLine: 1, startColumn: 1 });
  });

  it('rejects text that is not YAML, naming the line', () => {
    expect(() => parse('Resources:\n  Service:\n    Type: AWS::ECS::Service\n   Properties: {}\n')).toThrow(YamlSyntaxError);
    expect(() => parse('Resources:\n  Service:\n    Type: AWS::ECS::Service\n   Properties: {}\n')).toThrow(/^line 4, column 1: All mapping items must start at the same column/);
    expect(() => parse('a: 1\na: 2\n')).toThrow(/line 2, column 1: Map keys must be unique/);
  });
});

describe('Terraform plans', () => {
  const result = lintDocuments({ 'plan.json': fixture('terraform-plan.json') });
  const base = '/planned_values/root_module/resources';

  it('maps aws_ecs_task_definition and aws_ecs_service and reports at the plan attribute', () => {
    expect(result.findings.map(brief).sort()).toEqual(
      [
        `fargate-task-size/invalid-combination@${base}/1/values/memory`,
        `fargate-task-size/container-exceeds-task@${base}/1/values/container_definitions`,
        `fargate-task-size/ephemeral-storage@${base}/1/values/ephemeral_storage/0/size_in_gib`,
        `task-execution-role-confusion/same-role@${base}/1/values/execution_role_arn`,
        `minimum-healthy-percent/deployment-deadlock@${base}/3/values/deployment_maximum_percent`,
        `deployment-circuit-breaker/no-circuit-breaker@${base}/3/values/deployment_circuit_breaker`,
        `health-check-grace-period/elb-health-check@${base}/3/values/health_check_grace_period_seconds`,
        `ecs-exec-not-ready/platform-version@${base}/3/values/platform_version`,
        `ecs-exec-not-ready/init-process@${base}/1/values/container_definitions`,
      ].sort(),
    );
  });

  it('links the service to its task definition and target group through the configuration references', () => {
    const grace = result.findings.find((f) => f.rule === 'health-check-grace-period');
    expect(grace?.explanation).toContain('≈90 s');
    expect(grace?.resource).toMatchObject({ file: 'plan.json', logicalId: 'aws_ecs_service.api', service: 'api' });
  });
});
