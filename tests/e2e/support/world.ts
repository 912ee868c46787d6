/** The emulated account with the stack deployed, the scenarios seeded and the bot connected: shared by every test of the suite. */
import { ENV } from '../../../shared/bot/config';
import type { RemediationConfig } from '../../../shared/remedy/config';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { type Clients, type DeployedFunctionName, type DeployedStack, type StaticCredentials, assumeRole, clients, createOperator, readDeployedStack } from './account';
import { AUDIT_CLUSTER, type SeededAudit, seedAudit } from './audit';
import { type Bot, connectBot, createQueue } from './bot';
import { bootstrapAndDeploy } from './cdk';
import { applyMotoView } from './iam';
import { type DeployedRuntime, deployedRuntime } from './lambda';
import { BOOTSTRAP_CREDENTIALS, type MotoServer, startMoto } from './moto';
import { e2eScenarios, guardedLoop, REMEDY_CLUSTER, type SeededScenario } from './scenarios';
import { removeScratch } from './scratch';
import { type SlackWebhook, startSlackWebhook } from './slack';

/** remedy-cluster holds the looping service the remediation guardrails are tried on (support/scenarios.ts, `guardedLoop`). */
export const CLUSTERS = ['example-cluster', 'default', REMEDY_CLUSTER];
export const SLACK_SECRET = 'ecs-medic/slack-webhook';
export const ALERT_EMAIL = 'oncall@example.com';
/** The deployed `remediation` context: every action on, the other keys their defaults. */
export const REMEDIATION = { modes: { 'grace-period': 'on', 'log-group': 'on' } } as const;
/** The shortest re-check delay the stack accepts (minutes), so the suite waits one minute for the PENDING re-check, not five. */
export const RECHECK_DELAY_MINUTES = 1;

export interface SnsAlert {
  subject: string;
  message: string;
  attributes: Record<string, string>;
}

export interface World {
  moto: MotoServer;
  slack: SlackWebhook;
  aws: Clients;
  operator: StaticCredentials;
  stack: DeployedStack;
  bot: Bot;
  alertQueueUrl: string;
  roleKeys: Record<DeployedFunctionName, string>;
  seeded: Map<string, SeededScenario>;
  audit: SeededAudit;
  /** A looping service behind an ALB like the grace-period scenario's, not opted in (remedy-cluster). */
  guarded: SeededScenario;
  /** The remediate function as a deploy with every mode `dry-run` would run it. */
  dryRunRemediate: DeployedRuntime;
  /** The Slack secret's full ARN (with its random suffix). */
  slackSecretArn: string;
}

/** Runs one step of the set-up; a failure names the step and carries moto's last error. */
async function step<T>(moto: MotoServer, name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(`set-up step "${name}" failed: ${error instanceof Error ? error.message : String(error)}\nmoto: ${moto.lastError()}`, { cause: error });
  }
}

export async function setUp(): Promise<World> {
  const moto = await startMoto();
  try {
    const slack = await startSlackWebhook();
    const boot = clients(moto.endpoint, BOOTSTRAP_CREDENTIALS);
    // The user creates the Slack secret before deploying (README, "Slack").
    const { ARN: slackSecretArn = '' } = await step(moto, 'create the Slack secret', () =>
      boot.secretsManager.send(new CreateSecretCommand({ Name: SLACK_SECRET, SecretString: slack.url })),
    );
    const assembly = await step(moto, 'cdk bootstrap and deploy', () =>
      bootstrapAndDeploy({
        endpoint: moto.endpoint,
        credentials: BOOTSTRAP_CREDENTIALS,
        context: {
          alertEmails: ALERT_EMAIL,
          slackSecretName: SLACK_SECRET,
          clusters: CLUSTERS.join(','),
          recheckDelayMinutes: String(RECHECK_DELAY_MINUTES),
          // The audit reads only its own cluster: the scenarios' services carry footguns of their own.
          auditClusters: AUDIT_CLUSTER,
          // Both auto-fixes on, so the remediate role really holds the write permissions (infra/writer-policy.ts).
          remediation: JSON.stringify(REMEDIATION),
        },
      }),
    );
    const operator = await step(moto, 'create the operator', () => createOperator(boot));
    const aws = clients(moto.endpoint, operator);
    const stack = await step(moto, 'read the deployed stack', () => readDeployedStack(aws, assembly));
    const credentials = await step(moto, 'prepare the roles', async () => {
      for (const fn of Object.values(stack.functions)) await applyMotoView(aws, fn.roleArn);
      // Taken before moto enforces IAM: the trust policies name lambda.amazonaws.com, which the harness is not.
      const { diagnose, notify, audit, remediate } = stack.functions;
      return {
        diagnose: await assumeRole(aws, diagnose.roleArn, diagnose.name),
        notify: await assumeRole(aws, notify.roleArn, notify.name),
        audit: await assumeRole(aws, audit.roleArn, audit.name),
        remediate: await assumeRole(aws, remediate.roleArn, remediate.name),
      };
    });
    const alerts = await step(moto, 'subscribe a queue to the alert topic', async () => {
      const queue = await createQueue(aws, 'e2e-alerts');
      await aws.sns.send(new SubscribeCommand({ TopicArn: stack.physicalId('Alerts'), Protocol: 'sqs', Endpoint: queue.arn }));
      return queue;
    });
    await step(moto, 'hold task states', () => moto.holdTaskStates());
    const seeded = new Map<string, SeededScenario>();
    for (const scenario of e2eScenarios) seeded.set(scenario.id, await step(moto, `seed ${scenario.id}`, () => scenario.seed(aws)));
    const audit = await step(moto, 'seed the audited cluster', () => seedAudit(aws));
    const guarded = await step(moto, 'seed the untagged looping service', () => guardedLoop(aws));

    await step(moto, 'enforce IAM', () => moto.enforceIam());
    const runtimes = {
      diagnose: deployedRuntime(stack.functions.diagnose, credentials.diagnose, moto.endpoint),
      notify: deployedRuntime(stack.functions.notify, credentials.notify, moto.endpoint, (work) => slack.routed(work)),
      audit: deployedRuntime(stack.functions.audit, credentials.audit, moto.endpoint),
      remediate: deployedRuntime(stack.functions.remediate, credentials.remediate, moto.endpoint),
    };
    // Stands for a deploy with both modes `dry-run`: the same bundle and role, the deployed environment with only the
    // remediation configuration's modes changed (a second deploy would take minutes; the dry run needs no permission).
    const { remediate } = stack.functions;
    const deployed = JSON.parse(remediate.environment[ENV.remediation] ?? '{}') as RemediationConfig;
    const dryRun = { ...deployed, modes: Object.fromEntries(Object.keys(deployed.modes).map((action) => [action, 'dry-run'])) };
    const dryRunRemediate = deployedRuntime({ ...remediate, environment: { ...remediate.environment, [ENV.remediation]: JSON.stringify(dryRun) } }, credentials.remediate, moto.endpoint);
    const bot = await step(moto, 'connect the bot', () => connectBot({ aws, stack, runtimes }));
    return {
      moto,
      slack,
      aws,
      operator,
      stack,
      bot,
      alertQueueUrl: alerts.url,
      roleKeys: {
        diagnose: credentials.diagnose.accessKeyId,
        notify: credentials.notify.accessKeyId,
        audit: credentials.audit.accessKeyId,
        remediate: credentials.remediate.accessKeyId,
      },
      seeded,
      audit,
      guarded,
      dryRunRemediate,
      slackSecretArn,
    };
  } catch (error) {
    await moto.stop();
    removeScratch();
    throw error;
  }
}

