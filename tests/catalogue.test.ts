import { describe, expect, it } from 'vitest';
import { catalogue } from '../shared/rules/catalogue';

const seedIds = [
  'task-execution-role-confusion',
  'awsvpc-ip-exhaustion',
  'health-check-grace-period',
  'fargate-task-size',
  'ecs-exec-not-ready',
  'minimum-healthy-percent',
  'log-group-missing',
  'capacity-pending',
  'agent-version-drift',
  'platform-version-drift',
  'secrets-pull-failure',
];

describe('rule catalogue', () => {
  it('has the eleven seed footguns under their public ids, seeds 1 to 11', () => {
    const seeds = catalogue.filter((r) => r.meta.seed !== null).map((r) => [r.meta.seed, r.meta.id]);
    expect(new Map(seeds as [number, string][])).toEqual(new Map(seedIds.map((id, i) => [i + 1, id])));
  });

  it('has unique, kebab-case ids and causes', () => {
    const ids = catalogue.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { meta } of catalogue) {
      expect(meta.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      for (const cause of meta.causes) expect(cause).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(new Set(meta.causes).size).toBe(meta.causes.length);
    }
  });

  it('documents every rule for the README: title, triggers, signal kinds', () => {
    for (const { meta } of catalogue) {
      expect(meta.title.length, meta.id).toBeGreaterThan(10);
      expect(meta.triggers.length, meta.id).toBeGreaterThan(10);
      expect(meta.signals.length, meta.id).toBeGreaterThan(0);
    }
  });
});
