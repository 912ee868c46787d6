/**
 * cdk-nag v3 AwsSolutions on the stack: clean with the acknowledgements in
 * infra/nag.ts, failing without them, and every acknowledgement is needed.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build';

const fast = { 'aws:cdk:bundling-stacks': [] };

function report(options: { acknowledgeFindings: boolean; context?: Record<string, unknown> }) {
  const { app } = buildApp({ context: { ...fast, ...options.context }, acknowledgeFindings: options.acknowledgeFindings });
  return new AwsSolutionsChecks(app).validateScope(app);
}

const ruleNames = (r: ReturnType<typeof report>) => [...new Set(r.violations.map((v) => v.ruleName))].sort();

describe('cdk-nag AwsSolutions', () => {
  it('passes with the acknowledgements, for the default and a narrowed configuration', () => {
    expect(ruleNames(report({ acknowledgeFindings: true }))).toEqual([]);
    expect(report({ acknowledgeFindings: true }).success).toBe(true);
    const narrowed = report({ acknowledgeFindings: true, context: { clusters: ['prod'], slackSecretName: 'ecs-medic/slack', alertEmails: ['ops@example.com'] } });
    expect(ruleNames(narrowed)).toEqual([]);
  });

  it('fails without them, on exactly the findings infra/nag.ts acknowledges', () => {
    const failed = report({ acknowledgeFindings: false });
    expect(failed.success).toBe(false);
    expect(ruleNames(failed)).toEqual(
      [
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:container-instance/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:cluster/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:capacity-provider/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:*:<AWS::AccountId>:key/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:*:<AWS::AccountId>:secret:*]',
      ].sort(),
    );
  });

  it('is a gate in synthesis: the app with the plugin and no acknowledgements does not synthesize', () => {
    const { stack } = buildApp({ context: fast, acknowledgeFindings: false });
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions/);
  });
});
