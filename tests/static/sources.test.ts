import { describe, expect, it } from 'vitest';
import { resolve, templateOf } from '../../shared/static/sources/cloudformation';
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
