/**
 * ecs-medic in an account: EventBridge rules on the default bus → diagnose
 * Lambda → incident events → notify Lambda → SNS topic (email, chat) and Slack.
 * Environment-agnostic: it synthesizes offline and deploys to whatever account
 * and Region the CLI's credentials name.
 */
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { INCIDENT_METRICS, METRICS_NAMESPACE } from '../functions/diagnose/metrics';
import { AUDIT_OPERATIONS } from '../shared/audit/account';
import { ENV } from '../shared/bot/config';
import { incidentTableSchema } from '../shared/incidents/store';
import { ALERT_KEY_PREFIX } from '../shared/notify/once';
import { REMEDY_ACTIONS, type RemediationConfig } from '../shared/remedy/config';
import { remediationReads } from '../shared/remedy/flow';
import { LEDGER_KEY_PREFIX } from '../shared/remedy/ledger';
import { remedies } from '../shared/rules/remedies';
import { type EcsMedicConfig, schedulePeriodSeconds } from './config';
import { LAMBDA_BANNER } from './lambda-bundle';
import { diagnosePatterns, type EventPattern, incidentPattern, remedyIncidentPattern } from './patterns';
import { readerStatements } from './reader-policy';
import { AUDIT_TIMEOUT_SECONDS, type FunctionName, MEMORY_MB } from './sizes';
import { writerStatements } from './writer-policy';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** What the incident store (shared/incidents/store.ts) sends: conditional writes, the reads that classify a refused one, Query on the index; no deletes, nothing is undone. */
export const INCIDENT_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];
/** What Powertools idempotency sends for notify's delivery records. */
export const NOTIFY_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
/** What the remediation ledger (shared/remedy/ledger.ts) sends: conditional updates and the reads around them. */
export const LEDGER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];

/**
 * EventBridge → Lambda delivery: retried with backoff, then kept in the DLQ. Past two hours an ECS event is
 * not worth diagnosing live (stopped tasks leave DescribeTasks after about an hour); the DLQ holds it for replay.
 */
const TARGET_RETRY = { retryAttempts: 10, maxEventAge: Duration.hours(2) };
/** Lambda async invocation: two retries on function errors (1 and 2 minutes later), then the on-failure destination. */
const ASYNC_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(2) };
const DIAGNOSE_TIMEOUT = Duration.seconds(60);

const attributeTypes = { S: dynamodb.AttributeType.STRING, N: dynamodb.AttributeType.NUMBER, B: dynamodb.AttributeType.BINARY };

/** Converts EventBridge's pattern JSON to the CDK's property names; the values pass through unchanged. */
export function cdkEventPattern(pattern: EventPattern): events.EventPattern {
  const { source, 'detail-type': detailType, resources, detail, ...rest } = pattern;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`pattern fields not mapped to the CDK: ${unknown.join(', ')}`);
  return {
    ...(source ? { source: source as string[] } : {}),
    ...(detailType ? { detailType: detailType as string[] } : {}),
    ...(resources ? { resources: resources as string[] } : {}),
    ...(detail ? { detail: detail as Record<string, unknown> } : {}),
  };
}

function encryptedQueue(scope: Construct, id: string, props: sqs.QueueProps = {}): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...props,
  });
}

interface BotFunctionProps {
  entry: FunctionName;
  description: string;
  timeout: Duration;
  environment: Record<string, string>;
  deadLetterQueue: sqs.IQueue;
  reservedConcurrentExecutions?: number | undefined;
}

/** A Lambda with its own role (logging written explicitly: no managed policy) and its own log group. */
function botFunction(scope: Construct, id: string, props: BotFunctionProps): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}`] }));
  return new NodejsFunction(scope, id, {
    entry: `${repoRoot}functions/${props.entry}/handler.ts`,
    handler: 'handler',
    description: props.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: MEMORY_MB[props.entry],
    timeout: props.timeout,
    role,
    logGroup,
    projectRoot: repoRoot,
    depsLockFilePath: `${repoRoot}package-lock.json`,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: `ecs-medic-${props.entry}`,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      ...props.environment,
    },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      // The SDK's ES modules tree-shake and import about 1.5x faster than the runtime's copy (toolchain.md §5).
      bundleAwsSDK: true,
      mainFields: ['module', 'main'],
      banner: LAMBDA_BANNER,
      minify: true,
      sourceMap: true,
      // Mappings only: stack traces resolve without shipping every source file in the zip.
      sourcesContent: false,
      forceDockerBundling: false,
      // Rebuilt with code splitting (one file cannot keep the lazily imported SDK clients from being parsed at cold start).
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (inputDir, outputDir) => [
          `node --import tsx "${inputDir}/infra/lambda-bundle.ts" "${inputDir}/functions/${props.entry}/handler.ts" "${outputDir}"`,
        ],
      },
    },
    onFailure: new SqsDestination(props.deadLetterQueue),
    ...ASYNC_RETRY,
    ...(props.reservedConcurrentExecutions ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
  });
}

export interface EcsMedicStackProps extends StackProps {
  config: EcsMedicConfig;
}

export class EcsMedicStack extends Stack {
  readonly diagnose: NodejsFunction;
  readonly notify: NodejsFunction;
  readonly topic: sns.Topic;
  readonly table: dynamodb.Table;
  readonly recheckQueue: sqs.Queue;
  /** Dead-letter queues, by what they catch. */
  readonly deadLetterQueues: { diagnose: sqs.Queue; notify: sqs.Queue; recheck: sqs.Queue; audit?: sqs.Queue; remediate?: sqs.Queue };
  /** The scheduled configuration audit; absent with context auditSchedule "none". */
  readonly audit: NodejsFunction | undefined;
  /** The remedies of opened incidents; absent when every action's mode is off. */
  readonly remediate: NodejsFunction | undefined;
  readonly diagnoseRules: events.Rule[];
  readonly incidentRule: events.Rule;
  /** The watched clusters' names (context `clusters` may give ARNs); empty for every cluster. */
  readonly clusterNames: string[];
  /** The audited clusters' names (context `auditClusters`, else `clusters`); empty for every cluster. */
  readonly auditClusterNames: string[];
  /** The clusters whose incidents remediate receives: the watched ones and, with the audit, the audited ones; empty for every cluster. */
  readonly remediateClusterNames: string[];
  readonly config: EcsMedicConfig;

  constructor(scope: Construct, id: string, props: EcsMedicStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = (clusters: string[]) => clusters.map((c) => (c.startsWith('arn:') ? c.slice(c.lastIndexOf('/') + 1) : c));
    this.clusterNames = names(config.clusters);
    this.auditClusterNames = names(config.auditClusters);
    this.config = config;

    // Incident store: schema owned by shared/incidents/store.ts.
    this.table = new dynamodb.Table(this, 'IncidentTable', {
      partitionKey: { name: incidentTableSchema.partitionKey.name, type: attributeTypes[incidentTableSchema.partitionKey.type] },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: incidentTableSchema.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const index of incidentTableSchema.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey.name, type: attributeTypes[index.partitionKey.type] },
        projectionType: dynamodb.ProjectionType[index.projection],
      });
    }

    // Alert topic, encrypted with a key CloudWatch alarms may use (they cannot publish under the AWS-managed SNS key).
    const topicKey = new kms.Key(this, 'AlertTopicKey', {
      description: 'ecs-medic alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': this.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    this.topic = new sns.Topic(this, 'Alerts', { displayName: 'ecs-medic', masterKey: topicKey, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    for (const email of config.alertEmails) this.topic.addSubscription(new EmailSubscription(email));

    // Queues: a DLQ per function (EventBridge target DLQ, Lambda on-failure destination, explicit permanent failures).
    this.deadLetterQueues = {
      diagnose: encryptedQueue(this, 'DiagnoseDeadLetters'),
      notify: encryptedQueue(this, 'NotifyDeadLetters'),
      recheck: encryptedQueue(this, 'RecheckDeadLetters'),
    };
    this.recheckQueue = encryptedQueue(this, 'Recheck', {
      deliveryDelay: Duration.minutes(config.recheckDelayMinutes),
      // AWS's advice for a Lambda event source: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(DIAGNOSE_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueues.recheck, maxReceiveCount: 3 },
    });

    this.diagnose = botFunction(this, 'Diagnose', {
      entry: 'diagnose',
      description: 'ecs-medic: diagnoses ECS events and publishes incidents',
      timeout: DIAGNOSE_TIMEOUT,
      deadLetterQueue: this.deadLetterQueues.diagnose,
      reservedConcurrentExecutions: config.diagnoseReservedConcurrency ?? undefined,
      environment: {
        [ENV.incidentTable]: this.table.tableName,
        [ENV.eventBus]: 'default',
        [ENV.dedupWindowSeconds]: String(config.dedupWindowMinutes * 60),
        [ENV.deadLetterQueueUrl]: this.deadLetterQueues.diagnose.queueUrl,
        [ENV.recheckQueueUrl]: this.recheckQueue.queueUrl,
        [ENV.recheckDelaySeconds]: String(config.recheckDelayMinutes * 60),
      },
    });
    const slackSecretArn = config.slackSecretName
      ? this.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: config.slackSecretName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })
      : undefined;
    this.notify = botFunction(this, 'Notify', {
      entry: 'notify',
      description: 'ecs-medic: sends incident alerts to SNS and Slack',
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetterQueues.notify,
      environment: {
        [ENV.topicArn]: this.topic.topicArn,
        [ENV.deadLetterQueueUrl]: this.deadLetterQueues.notify.queueUrl,
        [ENV.incidentTable]: this.table.tableName,
        ...(slackSecretArn ? { [ENV.slackSecretArn]: slackSecretArn } : {}),
      },
    });

    // diagnose: read-only toward the account; writes only incident events, its table and its own queues.
    for (const statement of readerStatements(this, this.clusterNames)) this.diagnose.addToRolePolicy(statement);
    this.diagnose.addToRolePolicy(this.putEventsOnDefaultBus());
    this.diagnose.addToRolePolicy(
      new iam.PolicyStatement({
        actions: INCIDENT_TABLE_ACTIONS,
        resources: [this.table.tableArn, ...incidentTableSchema.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`)],
      }),
    );
    this.diagnose.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueues.diagnose.queueArn, this.recheckQueue.queueArn] }),
    );
    this.diagnose.addEventSource(new SqsEventSource(this.recheckQueue, { batchSize: 10, reportBatchItemFailures: true }));

    // notify: the only principal that publishes to the topic and reads the Slack secret.
    this.notify.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    // Its per-channel delivery records (shared/notify/once.ts), and only those: keys `notify#…`.
    this.notify.addToRolePolicy(
      new iam.PolicyStatement({
        actions: NOTIFY_TABLE_ACTIONS,
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ALERT_KEY_PREFIX}#*`] } },
      }),
    );
    // Publishing to an encrypted topic needs the key (SNS encrypts on the publisher's behalf).
    this.notify.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [topicKey.keyArn] }));
    if (slackSecretArn) {
      // Named secrets get a random 6-character suffix.
      this.notify.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [`${slackSecretArn}-??????`] }));
    }

    // Rules on the default bus.
    this.diagnoseRules = Object.entries(diagnosePatterns({ clusters: config.clusters })).map(
      ([ruleId, pattern]) =>
        new events.Rule(this, ruleId, {
          description: `ecs-medic: ${ruleId} → diagnose`,
          eventPattern: cdkEventPattern(pattern),
          targets: [new LambdaFunction(this.diagnose, { deadLetterQueue: this.deadLetterQueues.diagnose, ...TARGET_RETRY })],
        }),
    );
    this.incidentRule = new events.Rule(this, 'IncidentEvents', {
      description: 'ecs-medic: incident events → notify',
      eventPattern: cdkEventPattern(incidentPattern),
      targets: [new LambdaFunction(this.notify, { deadLetterQueue: this.deadLetterQueues.notify, ...TARGET_RETRY })],
    });

    this.audit = config.auditSchedule ? this.addAudit(config.auditSchedule) : undefined;
    const everyCluster = this.clusterNames.length === 0 || (this.audit !== undefined && this.auditClusterNames.length === 0);
    this.remediateClusterNames = everyCluster ? [] : [...new Set([...this.clusterNames, ...(this.audit ? this.auditClusterNames : [])])];
    this.remediate = this.addRemediation(config.remediation);

    this.addAlarms();
    this.addDashboard();

    new CfnOutput(this, 'AlertTopicArn', { value: this.topic.topicArn, description: 'Subscribe more endpoints (AWS Chatbot, SMS…) here' });
    new CfnOutput(this, 'IncidentTableName', { value: this.table.tableName });
  }

  /**
   * The audit Lambda on its schedule: read-only toward the account (only the audit's reads), writes
   * incident events and its incidents. Its incidents stay open for two schedule periods plus an hour,
   * so a finding seen every run alerts once.
   */
  private addAudit(schedule: string): NodejsFunction {
    const deadLetters = encryptedQueue(this, 'AuditDeadLetters');
    this.deadLetterQueues.audit = deadLetters;
    const audit = botFunction(this, 'Audit', {
      entry: 'audit',
      description: 'ecs-medic: audits ECS configuration on a schedule and files findings as incidents',
      timeout: Duration.seconds(AUDIT_TIMEOUT_SECONDS),
      deadLetterQueue: deadLetters,
      environment: {
        [ENV.incidentTable]: this.table.tableName,
        [ENV.eventBus]: 'default',
        [ENV.auditWindowSeconds]: String(2 * schedulePeriodSeconds(schedule) + 3600),
        ...(this.auditClusterNames.length > 0 ? { [ENV.auditClusters]: this.auditClusterNames.join(',') } : {}),
      },
    });
    for (const statement of readerStatements(this, this.auditClusterNames, AUDIT_OPERATIONS)) audit.addToRolePolicy(statement);
    audit.addToRolePolicy(this.putEventsOnDefaultBus());
    audit.addToRolePolicy(
      new iam.PolicyStatement({
        actions: INCIDENT_TABLE_ACTIONS,
        resources: [this.table.tableArn, ...incidentTableSchema.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`)],
      }),
    );
    new events.Rule(this, 'AuditSchedule', {
      description: `ecs-medic: configuration audit, ${schedule}`,
      schedule: events.Schedule.expression(schedule),
      targets: [new LambdaFunction(audit, { deadLetterQueue: deadLetters, ...TARGET_RETRY })],
    });
    return audit;
  }

  /**
   * The remediate Lambda, on opened incidents of the rules whose action is not off. Its role holds the only
   * write permissions toward the account in the stack, and only for the actions whose mode is on
   * (infra/writer-policy.ts): UpdateService on services tagged for it, log groups under the allowed prefixes.
   */
  private addRemediation(remediation: RemediationConfig): NodejsFunction | undefined {
    const active = REMEDY_ACTIONS.filter((action) => remediation.modes[action] !== 'off');
    if (active.length === 0) return undefined;
    const deadLetters = encryptedQueue(this, 'RemediateDeadLetters');
    this.deadLetterQueues.remediate = deadLetters;
    const remediate = botFunction(this, 'Remediate', {
      entry: 'remediate',
      description: 'ecs-medic: repairs opened incidents within the configured guardrails (grace period, log group)',
      timeout: Duration.seconds(60),
      deadLetterQueue: deadLetters,
      environment: {
        [ENV.incidentTable]: this.table.tableName,
        [ENV.eventBus]: 'default',
        [ENV.deadLetterQueueUrl]: deadLetters.queueUrl,
        [ENV.remediation]: JSON.stringify(remediation),
      },
    });
    for (const statement of readerStatements(this, this.remediateClusterNames, remediationReads(active))) remediate.addToRolePolicy(statement);
    for (const statement of writerStatements(this, this.remediateClusterNames, remediation)) remediate.addToRolePolicy(statement);
    remediate.addToRolePolicy(this.putEventsOnDefaultBus());
    // Its ledger items only (cool-downs and budgets): keys `remedy#…`.
    remediate.addToRolePolicy(
      new iam.PolicyStatement({
        actions: LEDGER_TABLE_ACTIONS,
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${LEDGER_KEY_PREFIX}#*`] } },
      }),
    );
    remediate.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetters.queueArn] }));
    new events.Rule(this, 'RemedyIncidents', {
      description: 'ecs-medic: opened incidents with a remedy → remediate',
      eventPattern: cdkEventPattern(remedyIncidentPattern(active.map((action) => remedies[action].rule))),
      targets: [new LambdaFunction(remediate, { deadLetterQueue: deadLetters, ...TARGET_RETRY })],
    });
    return remediate;
  }

  /** What a function that publishes ecs-medic's events may do on the bus: PutEvents on the default bus, nothing else. */
  private putEventsOnDefaultBus(): iam.PolicyStatement {
    return new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })] });
  }

  private addAlarms(): void {
    const action = new SnsAction(this.topic);
    const alarm = (id: string, metric: cloudwatch.Metric, description: string) =>
      metric
        .createAlarm(this, id, {
          alarmDescription: description,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        })
        .addAlarmAction(action);
    const period = Duration.minutes(5);
    const { diagnose, notify, recheck } = this.deadLetterQueues;
    const deadLetters = (id: string, queue: sqs.Queue, what: string) =>
      alarm(id, queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }), `ecs-medic: ${what}`);
    deadLetters('DiagnoseDeadLettersAlarm', diagnose, 'ECS events the diagnose Lambda could not process (malformed, or failed after retries)');
    deadLetters('NotifyDeadLettersAlarm', notify, 'incident events the notify Lambda could not deliver');
    deadLetters('RecheckDeadLettersAlarm', recheck, 'PENDING re-checks that failed three times');
    alarm('DiagnoseErrorsAlarm', this.diagnose.metricErrors({ period }), 'ecs-medic: the diagnose Lambda failed');
    alarm('NotifyErrorsAlarm', this.notify.metricErrors({ period }), 'ecs-medic: the notify Lambda failed');
    if (this.audit && this.deadLetterQueues.audit) {
      deadLetters('AuditDeadLettersAlarm', this.deadLetterQueues.audit, 'scheduled audits that failed after retries');
      alarm('AuditErrorsAlarm', this.audit.metricErrors({ period: Duration.hours(1) }), 'ecs-medic: the audit Lambda failed');
    }
    if (this.remediate && this.deadLetterQueues.remediate) {
      deadLetters('RemediateDeadLettersAlarm', this.deadLetterQueues.remediate, 'opened incidents the remediate Lambda could not process');
      alarm('RemediateErrorsAlarm', this.remediate.metricErrors({ period }), 'ecs-medic: the remediate Lambda failed');
    }
  }

  /**
   * Incidents by rule, from the diagnose Lambda's Powertools metrics (dimension `rule` only): a SEARCH on
   * {namespace,rule} finds every rule's series, including rules added later.
   */
  private addDashboard(): void {
    const period = Duration.hours(1);
    const byRule = (metricName: string) =>
      new cloudwatch.GraphWidget({
        title: `${metricName} by rule`,
        width: 8,
        stacked: true,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},rule} MetricName="${metricName}"', 'Sum', ${period.toSeconds()})`,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudWatch dynamic label (one series per rule), not a JS template.
            label: "${PROP('Dim.rule')}",
            period,
          }),
        ],
      });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${this.stackName}-incidents` });
    dashboard.addWidgets(...Object.values(INCIDENT_METRICS).map(byRule));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda invocations and errors',
        width: 12,
        left: [this.diagnose.metricInvocations(), this.notify.metricInvocations()],
        right: [this.diagnose.metricErrors(), this.notify.metricErrors()],
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues',
        width: 12,
        left: Object.values(this.deadLetterQueues).map((queue) => queue.metricApproximateNumberOfMessagesVisible()),
      }),
    );
  }
}
