import { isObject, optional, required, type Schema, validate } from './schema';
import type { EcsDetailType, EcsEvent } from './types';

export type ParseResult =
  | { status: 'valid'; event: EcsEvent }
  /** Well-formed, from aws.ecs, but a detail-type this version does not diagnose (AWS adds new ones). */
  | { status: 'unsupported'; detailType: string; id: string }
  | { status: 'invalid'; field: string; problem: string; message: string };

const nameValue: Schema = { name: required('string'), value: optional('string') };

const envelope: Schema = {
  id: required('string'),
  'detail-type': required('string'),
  source: required('string'),
  account: required('string'),
  time: optional('string'),
  region: optional('string'),
  resources: optional('array', { items: 'string' }),
  detail: required('object'),
};

const serviceResources: Schema = {
  resources: required('array', { items: 'string' }),
};

const detailSchemas: Record<EcsDetailType, Schema> = {
  'ECS Task State Change': {
    taskArn: required('string'),
    clusterArn: required('string'),
    lastStatus: required('string'),
    desiredStatus: optional('string'),
    taskDefinitionArn: optional('string'),
    group: optional('string'),
    startedBy: optional('string'),
    launchType: optional('string'),
    capacityProviderName: optional('string'),
    platformVersion: optional('string'),
    containerInstanceArn: optional('string'),
    cpu: optional('string'),
    memory: optional('string'),
    stopCode: optional('string'),
    stoppedReason: optional('string'),
    createdAt: optional('string'),
    startedAt: optional('string'),
    stoppedAt: optional('string'),
    enableExecuteCommand: optional('boolean'),
    version: optional('number'),
    attachments: optional('array', {
      fields: { type: optional('string'), details: optional('array', { fields: nameValue }) },
    }),
    containers: optional('array', {
      fields: {
        name: required('string'),
        lastStatus: optional('string'),
        image: optional('string'),
        exitCode: optional('number'),
        reason: optional('string'),
      },
    }),
  },
  'ECS Service Action': {
    eventType: required('string'),
    eventName: required('string'),
    clusterArn: required('string'),
    reason: optional('string'),
    capacityProviderArns: optional('array', { items: 'string' }),
    containerInstanceArns: optional('array', { items: 'string' }),
  },
  'ECS Deployment State Change': {
    eventType: required('string'),
    eventName: required('string'),
    deploymentId: optional('string'),
    reason: optional('string'),
  },
  'ECS Container Instance State Change': {
    clusterArn: required('string'),
    containerInstanceArn: required('string'),
    ec2InstanceId: optional('string'),
    agentConnected: optional('boolean'),
    status: optional('string'),
    attributes: optional('array', { fields: nameValue }),
    versionInfo: optional('object', {
      fields: { agentVersion: optional('string'), dockerVersion: optional('string') },
    }),
    version: optional('number'),
  },
  'AWS API Call via CloudTrail': {
    eventSource: required('string'),
    eventName: required('string'),
    awsRegion: optional('string'),
    requestParameters: optional('object', { nullable: true }),
    responseElements: optional('object', { nullable: true }),
    errorCode: optional('string'),
    errorMessage: optional('string'),
  },
};

/** Service-scoped events name their service only in `resources[0]`. */
const needsServiceArn = new Set<string>(['ECS Service Action', 'ECS Deployment State Change']);

function invalid(field: string, problem: string): ParseResult {
  return { status: 'invalid', field, problem, message: `invalid event: ${field} ${problem}` };
}

/** Validates one EventBridge event. Never throws: a bad event is a value. */
export function parseEvent(raw: unknown): ParseResult {
  if (!isObject(raw)) return invalid('(event)', `should be object, is ${raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw}`);
  const envelopeProblem = validate(raw, envelope, '');
  if (envelopeProblem) return invalid(envelopeProblem.field, envelopeProblem.problem);
  if (raw.source !== 'aws.ecs') return invalid('source', `should be "aws.ecs", is "${String(raw.source)}"`);

  const detailType = raw['detail-type'] as string;
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's.
  if (!Object.hasOwn(detailSchemas, detailType)) return { status: 'unsupported', detailType, id: raw.id as string };
  const schema = detailSchemas[detailType as EcsDetailType];

  if (needsServiceArn.has(detailType)) {
    const problem = validate(raw, serviceResources, '');
    if (problem) return invalid(problem.field, problem.problem);
    if ((raw.resources as string[]).length === 0) return invalid('resources[0]', 'is missing (the service ARN)');
  }
  const detailProblem = validate(raw.detail as Record<string, unknown>, schema, 'detail');
  if (detailProblem) return invalid(detailProblem.field, detailProblem.problem);

  return { status: 'valid', event: raw as unknown as EcsEvent };
}
