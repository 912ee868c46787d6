import { describe, expect, it } from 'vitest';
import { optedInActions, parseRemediation, REMEDIATION_DEFAULTS } from '../../shared/remedy/config';

describe('remediation configuration', () => {
  it('defaults to dry-run for every action, the ecs-medic:auto-fix tag, /ecs/, 600 s, 30 days, 6 h and 10 changes per hour', () => {
    expect(parseRemediation(undefined)).toEqual({
      modes: { 'grace-period': 'dry-run', 'log-group': 'dry-run' },
      tagKey: 'ecs-medic:auto-fix',
      ceilingSeconds: 600,
      retentionDays: 30,
      kmsKeyId: undefined,
      logGroupPrefixes: ['/ecs/'],
      coolDownHours: 6,
      budgetPerHour: 10,
      skipCloudFormationManaged: false,
    });
    expect(parseRemediation({ modes: { 'log-group': 'on' } })).toEqual({ ...REMEDIATION_DEFAULTS, modes: { 'grace-period': 'dry-run', 'log-group': 'on' } });
  });

  it.each([
    [{ modes: { 'grace-period': 'yes' } }, 'remediation.modes.grace-period must be off | dry-run | on'],
    [{ modes: { restart: 'on' } }, 'remediation.modes.restart must be one of the actions'],
    [{ retentionDays: 31 }, 'remediation.retentionDays must be one of 1, 3'],
    [{ logGroupPrefixes: ['/ecs'] }, 'remediation.logGroupPrefixes must be'],
    [{ ceilingSeconds: 0 }, 'remediation.ceilingSeconds must be a whole number from 1 to 3600'],
    [{ kmsKeyId: 'alias/logs' }, 'remediation.kmsKeyId must be a KMS key ARN'],
    [{ tagKey: 'aws:auto-fix' }, 'remediation.tagKey must be an ECS tag key'],
    [{ budget: 3 }, 'remediation: unknown key budget'],
  ])('rejects %j, naming the key', (value, message) => {
    expect(() => parseRemediation(value)).toThrow(message);
  });

  it('reads the actions a tag value lists, space-separated', () => {
    const tags = [{ key: 'ecs-medic:auto-fix', value: ' grace-period  log-group ' }, { key: 'team', value: 'shop' }];
    expect(optedInActions(tags, 'ecs-medic:auto-fix')).toEqual(['grace-period', 'log-group']);
    expect(optedInActions(tags, 'other')).toEqual([]);
    expect(optedInActions(undefined, 'ecs-medic:auto-fix')).toEqual([]);
  });
});
