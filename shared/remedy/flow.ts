import type { Service } from '@aws-sdk/client-ecs';
import type { IncidentDetail } from '../bot/incident-event';
import { serviceKeyOf } from '../incidents/fingerprint';
import type { AccountReader, ReaderOperation } from '../reader/port';
import { remedies, remedyFor } from '../rules/remedies';
import type { AnyRemedy, Plan, RemedyAction, RemedyCase } from '../rules/remedy';
import { dryRunWriter } from '../writer/dry-run';
import type { AccountWriter } from '../writer/port';
import { optedInActions, type RemediationConfig } from './config';
import type { RemedyLedger } from './ledger';
import { type RemedyDetail, type RemedyOutcome, remedyDetail } from './outcome';

/**
 * The guarded path from an opened incident to a change. In order: the action's
 * mode (off stops here, silently), the service's opt-in tag (without it the
 * alert carries the recommendation only, so nothing is published), the
 * remedy's pure plan, the CloudFormation skip, then for a live change the
 * service's cool-down (a conditional write: one change, whoever else tries)
 * and the account's hourly budget. A change that fails is reported and its
 * claim kept: it is not retried into a loop.
 */
export interface RemediationDeps {
  config: RemediationConfig;
  reader: AccountReader;
  /** The live writer; a dry run gets its own recording writer. */
  writer: AccountWriter;
  ledger: RemedyLedger;
  publish(detail: RemedyDetail): Promise<void>;
  /** The account and Region the bot runs in: a finding that names neither is of them. */
  home: { account: string; region: string };
}

export type RemediationResult =
  /** Not an incident a remedy answers (resolved, another rule, the action off, no service): nothing read or published. */
  | { status: 'ignored'; why: string }
  /** An outcome nobody is told about: the service did not opt in, or this incident's outcome is already out. */
  | { status: 'quiet'; outcome: RemedyOutcome | undefined; why: string }
  /** `nothingToDo`: skipped because the plan found nothing to repair (already as wanted), not refused. */
  | { status: 'published'; outcome: RemedyOutcome; nothingToDo?: true };

type Published = Extract<RemediationResult, { status: 'published' }>;

/** Every read of the flow and the remedies it runs (the service with its tags, then each remedy's). */
export function remediationReads(actions: readonly RemedyAction[]): ReaderOperation[] {
  return [...new Set<ReaderOperation>(['ecs:DescribeServices', ...actions.flatMap((action) => remedies[action].needs)])];
}

const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';

const actionText: Record<RemedyAction, string> = { 'grace-period': 'the grace period', 'log-group': 'the missing log groups' };

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function remediationFlow(deps: RemediationDeps) {
  const { config } = deps;

  async function readService(incident: RemedyCase): Promise<Service | string> {
    const { cluster, service } = incident.finding.resource;
    try {
      const answer = await deps.reader.read('ecs:DescribeServices', { cluster, services: [service as string], include: ['TAGS'] });
      return answer.services?.find((s) => s.serviceName === service || s.serviceArn === service) ?? `service ${service} was not found in cluster ${cluster}`;
    } catch (error) {
      return `the service could not be read (ecs:DescribeServices): ${errorText(error)}`;
    }
  }

  return {
    async handleIncident(detail: IncidentDetail): Promise<RemediationResult> {
      const { finding } = detail;
      const remedy: AnyRemedy | undefined = remedyFor(finding.rule);
      if (detail.state !== 'opened') return { status: 'ignored', why: `incident ${detail.state}` };
      if (!remedy) return { status: 'ignored', why: `rule ${finding.rule} has no remedy` };
      const action = remedy.action;
      const mode = config.modes[action];
      if (mode === 'off') return { status: 'ignored', why: `${action} is off` };
      const resource = { ...finding.resource, account: finding.resource.account ?? deps.home.account, region: finding.resource.region ?? deps.home.region };
      const serviceKey = serviceKeyOf(resource);
      if (!serviceKey || !resource.service) return { status: 'ignored', why: 'the incident names no service (opt-in is per service)' };
      const incident: RemedyCase = { finding: { ...finding, resource }, fingerprint: detail.fingerprint, firstSeen: detail.firstSeen, region: resource.region, account: resource.account };
      const holder = `${detail.fingerprint}|${detail.firstSeen}`;

      const base = { action, rule: finding.rule, values: [], done: [], undo: [], resource } satisfies Partial<RemedyOutcome>;
      const publish = async (outcome: RemedyOutcome): Promise<Published> => {
        const published = remedyDetail(detail.fingerprint, detail.firstSeen, outcome);
        await deps.publish(published);
        return { status: 'published', outcome: published.outcome };
      };
      const skipped = (reason: string, extra: Partial<RemedyOutcome> = {}) =>
        publish({ ...base, status: 'skipped', summary: `${actionText[action]} of service ${resource.service} not changed: ${reason}`, reason, ...extra });

      const service = await readService(incident);
      if (typeof service === 'string') return publish({ ...base, status: 'failed', summary: `${actionText[action]} of service ${resource.service} not changed: ${service}`, reason: service });
      if (!optedInActions(service.tags, config.tagKey).includes(action)) {
        return { status: 'quiet', outcome: undefined, why: `service ${resource.service} is not opted in (tag ${config.tagKey} does not list ${action})` };
      }
      const entry = await deps.ledger.entry(serviceKey, action, holder);
      // A redelivery of an incident whose attempt is recorded: its outcome goes out again (notify sends each once), nothing is planned.
      if (entry.recorded) return publish(entry.recorded);
      const facts = await remedy.gather(incident, service, deps.reader);
      if (typeof facts === 'string') return publish({ ...base, status: 'failed', summary: `${actionText[action]} of service ${resource.service} not changed: could not read ${facts}`, reason: `could not read ${facts}` });
      const plan: Plan<unknown> = remedy.plan(incident, facts, config, entry.lastChange);
      if (plan.kind === 'nothing') return { ...(await skipped(plan.reason)), nothingToDo: true };
      if (plan.kind === 'refusal') return skipped(plan.reason);

      const stack = service.tags?.find((tag) => tag.key === CLOUDFORMATION_STACK_TAG)?.value;
      const planned = { values: plan.values, undo: plan.undo, ...(stack ? { managedBy: { stack, templateLines: plan.templateLines } } : {}) };
      if (stack && config.skipCloudFormationManaged) {
        return skipped(`service ${resource.service} is managed by CloudFormation stack ${stack} (skipCloudFormationManaged): change the template`, { managedBy: { stack, templateLines: plan.templateLines }, values: plan.values });
      }

      if (mode === 'dry-run') {
        const recorder = dryRunWriter();
        await remedy.apply(plan.change, recorder, []);
        return publish({ ...base, ...planned, status: 'dry-run', summary: `would ${plan.summary}`, done: recorder.requests.map((r) => `would call ${r.operation} in ${r.region}: ${JSON.stringify(r.input)}`) });
      }

      const claim = await deps.ledger.claim(serviceKey, action, holder);
      if (claim.status === 'duplicate') {
        if (claim.recorded) return publish(claim.recorded);
        return { status: 'quiet', outcome: undefined, why: 'another delivery of this incident holds the change' };
      }
      if (claim.status === 'cooling-down') {
        return skipped(`ecs-medic changed ${actionText[action]} of this service at ${claim.claimedAt} (incident ${claim.holder}); one change per service per action until ${claim.until}`);
      }
      if (!(await deps.ledger.spendBudget(resource.account))) {
        await deps.ledger.release(serviceKey, action, holder);
        return skipped(`the account's budget of ${config.budgetPerHour} changes per hour is spent`);
      }
      const done: string[] = [];
      let outcome: RemedyOutcome;
      try {
        await remedy.apply(plan.change, deps.writer, done);
        outcome = { ...base, ...planned, status: 'applied', summary: plan.did, done };
      } catch (error) {
        const denied = error instanceof Error && /AccessDenied/.test(error.name);
        const reason = denied
          ? `AWS refused it (${errorText(error)}): the remediate role may only change services tagged ${config.tagKey} and log groups under ${config.logGroupPrefixes.join(', ')}. Not retried.`
          : `${errorText(error)}. Not retried: the next try is after the cool-down.`;
        outcome = { ...base, ...planned, status: 'failed', summary: `failed to ${plan.summary}`, reason, done, undo: done.length > 0 ? plan.undo : [] };
      }
      const before = plan.values.map((v) => v.before).join(', ');
      const after = plan.values.map((v) => v.after).join(', ');
      const published = remedyDetail(detail.fingerprint, detail.firstSeen, outcome).outcome;
      await deps.ledger.recordOutcome(serviceKey, action, holder, published, outcome.status === 'applied' ? { before, after } : undefined);
      return publish(published);
    },
  };
}
