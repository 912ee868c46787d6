import { describe, expect, it } from 'vitest';
import { replay } from '../cli/commands/demo';
import { main } from '../cli/main';
import { loadScenarios } from '../cli/scenarios';
import { parseEvent } from '../shared/events/parse';
import { snapshotProblem } from '../shared/reader/snapshot';
import { catalogue } from '../shared/rules/catalogue';

const scenarios = loadScenarios();

describe('built-in demo scenarios', () => {
  it('cover every seed footgun', () => {
    const seeds = catalogue.filter((r) => r.meta.seed !== null).map((r) => r.meta.id);
    const demonstrated = new Set(scenarios.flatMap((s) => s.expect.map((e) => e.rule)));
    expect(seeds.filter((id) => !demonstrated.has(id))).toEqual([]);
  });

  for (const scenario of scenarios) {
    describe(scenario.id, () => {
      it('is made of valid events, a valid snapshot and named sources', () => {
        expect(scenario.sources.length).toBeGreaterThan(0);
        expect(snapshotProblem(scenario.snapshot)).toBeNull();
        for (const event of scenario.events) expect(parseEvent(event).status).not.toBe('invalid');
      });

      it('alerts with the expected findings first, fully checked', async () => {
        const { incidents } = await replay(scenario);
        const firsts = incidents.slice(0, scenario.expect.length).map((i) => ({ rule: i.finding.rule, cause: i.finding.cause }));
        expect(firsts).toEqual(scenario.expect);
        // The snapshot holds every answer the findings need: nothing is left unchecked for lack of data.
        for (const incident of incidents) {
          const missing = incident.finding.unchecked.filter(
            (u) => u.reason.startsWith('NotInSnapshot') || u.reason.includes('not declared'),
          );
          expect(missing).toEqual([]);
        }
      });
    });
  }
});

/** The demo as `npm start` prints it, for the given scenarios. */
async function demoOutput(...ids: string[]): Promise<string[]> {
  const out: string[] = [];
  const code = await main(['demo', ...ids], { out: (line) => out.push(line), err: (line) => out.push(`stderr: ${line}`), stdin: async () => '' });
  expect(code).toBe(0);
  return out;
}

/** The lines of each dry-run remedy plan: from a "remedy" line to the blank line after it. */
function remedyPlans(out: readonly string[]): string[][] {
  const plans: string[][] = [];
  out.forEach((line, i) => {
    if (!line.startsWith('remedy ')) return;
    const end = out.indexOf('', i);
    plans.push(out.slice(i, end < 0 ? undefined : end));
  });
  return plans;
}

describe('demo remedy plans (dry run, from the snapshot)', () => {
  it('health-check-grace-period: would raise the grace period, with the API call and the undo command', async () => {
    expect(remedyPlans(await demoOutput('health-check-grace-period'))).toEqual([
      [
        'remedy (dry-run): would raise the grace period of service webserver from 0 s to 90 s',
        '  value:     service webserver healthCheckGracePeriodSeconds: 0 → 90',
        '  API call:  would call ecs:UpdateService in us-west-2: {"cluster":"example-cluster","service":"webserver","healthCheckGracePeriodSeconds":90}',
        '  undo:',
        '    aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 0 --region us-west-2',
      ],
    ]);
  });

  it('log-group-missing: would create the group with its retention and tags, undone by deleting it', async () => {
    expect(remedyPlans(await demoOutput('log-group-missing'))).toEqual([
      [
        'remedy (dry-run): would create log group /ecs/webserver (retention 30 days)',
        '  value:     log group /ecs/webserver (us-east-1): does not exist → exists, retention 30 days',
        '  API call:  would call logs:CreateLogGroup in us-east-1: {"logGroupName":"/ecs/webserver"}',
        '  API call:  would call logs:PutRetentionPolicy in us-east-1: {"logGroupName":"/ecs/webserver","retentionInDays":30}',
        '  API call:  would call logs:TagResource in us-east-1: {"resourceArn":"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/webserver","tags":{"created-by":"ecs-medic","why":"rule log-group-missing incident 123456789012/us-east-1/example-cluster/service/webserver/log-group-missing/- opened 2025-05-06T11:02:40Z"}}',
        '  undo:',
        '    aws logs delete-log-group --log-group-name /ecs/webserver --region us-east-1',
      ],
    ]);
  });

  it('prints a plan for those two scenarios only: the other rules have no remedy', async () => {
    const out = await demoOutput();
    expect(out.filter((line) => line.startsWith('remedy '))).toHaveLength(2);
    expect(out.filter((line) => line.startsWith('stderr: '))).toEqual([]);
  });
});
