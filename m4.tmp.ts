import { bundle, importMs, lambdaEnv, median, writeEntry } from './bench/lambda-bundle';
const h = await bundle('functions/diagnose/handler.ts', 'diagnose');
const f = await bundle(writeEntry('floor-x', `import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { EventBridgeClient } from '@aws-sdk/client-eventbridge'; import { SQSClient } from '@aws-sdk/client-sqs'; export const a=[new DynamoDBClient({}), new EventBridgeClient({}), new SQSClient({})];`), 'floor-x');
const env = lambdaEnv(); const a: number[] = [], b: number[] = [];
for (let i = 0; i < 21; i++) { a.push(importMs(h.file, env)); b.push(importMs(f.file, env)); }
console.log(median(a), median(b), median(a) / median(b));
