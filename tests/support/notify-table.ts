/**
 * The notify handler reads its table at cold start: tests start dynalite and
 * point the environment at it before importing the handler module.
 */
import type { Context } from 'aws-lambda';
import { ENV } from '../../shared/bot/config';
import { dynamoEnv, type LocalDynamo, startDynalite } from './dynalite';

export async function notifyTable(): Promise<LocalDynamo> {
  const local = await startDynalite('notify-records');
  Object.assign(process.env, dynamoEnv(local), { [ENV.incidentTable]: local.tableName });
  return local;
}

export function notifyContext(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'ecs-medic-notify',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-west-2:111111111111:function:ecs-medic-notify',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/ecs-medic-notify',
    logStreamName: '2025/05/06/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
