import { describe, expect, inject, it } from 'vitest';
import { ownedPolicyName } from '../../shared/facts/iam';
import { cliAt, commandLinesOf, harmOf, type PrintedFix, problemsOf } from './printed-commands';

const cli = inject('awsCli');
const ciRequiresCli = process.env.CI === 'true';

function fix(text: string, over: Partial<PrintedFix> = {}): PrintedFix {
  return { rule: 'some-rule', fix: text, named: '{}', resource: {}, read: '[]', ...over };
}

describe('the printed-command checks', () => {
  it('finds a command inside prose, and takes command lines with comments and continuations', () => {
    const { commands, problems } = commandLinesOf(
      'then deploy it: aws ecs update-service --cluster c --service s\naws ecs describe-services --cluster c \\\n  --services s  # note\nwords alone',
    );
    expect(problems).toHaveLength(1);
    expect(commands).toEqual(['aws ecs describe-services --cluster c    --services s  # note']);
  });

  const document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"*"}]}';
  it.each([
    [['aws', 'ecs', 'delete-service', '--service', 's'], 'removes'],
    [['aws', 'ecs', 'deregister-task-definition', '--task-definition', 'f:1'], 'removes'],
    [['aws', 'iam', 'put-role-policy', '--role-name', 'r', '--policy-name', 'ecs-read-secrets', '--policy-document', document], 'may replace'],
    [['aws', 'kms', 'put-key-policy', '--key-id', 'k', '--policy-name', 'default', '--policy', '{}'], 'replaces'],
    [['aws', 's3api', 'put-bucket-policy', '--bucket', 'b', '--policy', '{}'], 'replaces'],
    [['aws', 'iam', 'update-assume-role-policy', '--role-name', 'r', '--policy-document', '{}'], 'replaces'],
    [['aws', 'ecs', 'put-cluster-capacity-providers', '--cluster', 'c'], 'not read'],
    [['aws', 'ecs', 'update-service', '--cluster', 'c', '--service', 's', '--network-configuration', 'awsvpcConfiguration={subnets=[a],securityGroups=[b]}'], 'assignPublicIp'],
    [['aws', 'ecs', 'update-service', '--cluster', 'c', '--service', 's', '--capacity-provider-strategy', 'capacityProvider=FARGATE,weight=1'], 'force-new-deployment'],
  ])('denies %j', (argv, why) => {
    expect(harmOf(argv)).toContain(why);
  });

  it('allows put-cluster-capacity-providers only when it keeps every provider and default strategy the cluster had', () => {
    const read = JSON.stringify([{ clusters: [{ clusterName: 'c', capacityProviders: ['FARGATE', 'old'], defaultCapacityProviderStrategy: [{ capacityProvider: 'old', weight: 1 }] }] }]);
    const put = (providers: string[], strategy: string) => [
      'aws', 'ecs', 'put-cluster-capacity-providers', '--cluster', 'c', '--capacity-providers', ...providers, '--default-capacity-provider-strategy', strategy,
    ];
    expect(harmOf(put(['FARGATE', 'old', 'new'], 'capacityProvider=old,weight=1,base=0'), read)).toBeNull();
    expect(harmOf(put(['old', 'new'], 'capacityProvider=old,weight=1,base=0'), read)).toContain('drops FARGATE');
    expect(harmOf(put(['FARGATE', 'old', 'new'], 'capacityProvider=new,weight=1'), read)).toContain('old (default strategy)');
  });

  it('allows an inline policy under the name ecs-medic derives from its document, and plain reads and targeted changes', () => {
    const owned = ownedPolicyName('read-secrets', document);
    expect(harmOf(['aws', 'iam', 'put-role-policy', '--role-name', 'r', '--policy-name', owned, '--policy-document', document])).toBeNull();
    // The same name over another document is not the one ecs-medic owns.
    expect(harmOf(['aws', 'iam', 'put-role-policy', '--role-name', 'r', '--policy-name', owned, '--policy-document', '{}'])).not.toBeNull();
    expect(harmOf(['aws', 'ecs', 'update-service', '--cluster', 'c', '--service', 's', '--health-check-grace-period-seconds', '90'])).toBeNull();
    expect(harmOf(['aws', 'logs', 'create-log-group', '--log-group-name', 'g'])).toBeNull();
  });

  it.skipIf('unavailable' in cli && !ciRequiresCli)('runs commands through the real AWS CLI and flags placeholders the signal named', async () => {
    if ('unavailable' in cli) throw new Error(cli.unavailable);
    const { problems, commands } = await problemsOf(
      [
        fix('aws logs tail /ecs/web --since 1h'),
        fix('aws ecs update-service --force-new-deployment'),
        fix('aws ecs list-tasks --cluster c --desired-status STOPPED, then describe-tasks'),
        fix('aws logs create-log-group --log-group-name <awslogs-group> --region <region>', { resource: { region: 'eu-west-1' } }),
        fix('aws ecs describe-tasks --cluster c --tasks <task-id> --region us-east-1'),
      ],
      cliAt(cli.url),
    );
    expect(commands).toBe(5);
    expect(problems).toEqual([
      expect.stringContaining('<region> is left a placeholder'),
      expect.stringMatching(/AWS CLI rejects it .*Invalid choice.*logs tail/),
      expect.stringMatching(/AWS CLI rejects it .*--service.*update-service/),
      expect.stringMatching(/AWS CLI rejects it .*Unknown options.*list-tasks/),
    ]);
  });
});
