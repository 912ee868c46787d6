/**
 * Runs a deployed function's bundled code in this process, the way the Lambda
 * runtime would: the module is loaded once (a cold start) with the function's
 * deployed environment plus what the runtime adds (Region, function name, the
 * credentials of the function's role), and each invocation calls its handler
 * with a context. moto creates Lambda functions but cannot invoke them
 * without Docker, hence this.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { DeployedFunction, StaticCredentials } from './account';
import { REGION } from './moto';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const importBundle = (url: string) => import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;

/** Variables the Lambda runtime sets that the bundle may read. The deployed NODE_OPTIONS applies to a process, not to this in-process run. */
function runtimeEnvironment(fn: DeployedFunction, credentials: StaticCredentials, endpoint: string): Record<string, string> {
  // moto gap: its CloudFormation gives queue URLs on https://sqs.<region>.amazonaws.com, and the SQS client sends to
  // a queue URL's own host (useQueueUrlAsEndpoint), past AWS_ENDPOINT_URL: those URLs are pointed at the emulator
  // (same account, same queue name, the path moto serves them on). The variables' names stay as deployed.
  const awsQueueHost = `https://sqs.${REGION}.amazonaws.com/`;
  const environment = Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [name, value.startsWith(awsQueueHost) ? `${endpoint}/${value.slice(awsQueueHost.length)}` : value]),
  );
  return {
    ...environment,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
    // The one difference from a real function: its SDK calls go to the emulated account.
    AWS_ENDPOINT_URL: endpoint,
  };
}

/** Sets `variables` for the duration of `work`, then restores what was there. */
export async function withEnvironment<T>(variables: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export interface DeployedRuntime {
  function: DeployedFunction;
  invoke(event: unknown): Promise<unknown>;
}

export function deployedRuntime(
  fn: DeployedFunction,
  credentials: StaticCredentials,
  endpoint: string,
  /** What the harness wraps each invocation in (e.g. routing the function's HTTP calls to loopback). */
  around: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): DeployedRuntime {
  const [file, exportName] = fn.handler.split('.') as [string, string];
  const variables = runtimeEnvironment(fn, credentials, endpoint);
  // The module reads its environment once, at its cold start: a runtime with another environment gets a module instance of its own.
  const instance = createHash('sha256').update(JSON.stringify(fn.environment)).digest('hex').slice(0, 12);
  let handler: Promise<Handler> | undefined;
  let requests = 0;
  return {
    function: fn,
    invoke(event) {
      return withEnvironment(variables, () => around(async () => {
        handler ??= importBundle(`${pathToFileURL(join(fn.codeDirectory, `${file}.mjs`)).href}?environment=${instance}`).then((module) => {
          const exported = module[exportName];
          if (typeof exported !== 'function') throw new Error(`${fn.name}: ${fn.handler} is not a function in the bundle`);
          return exported as Handler;
        });
        const deadline = Date.now() + fn.timeoutSeconds * 1000;
        requests += 1;
        const context: Context = {
          callbackWaitsForEmptyEventLoop: true,
          functionName: fn.name,
          functionVersion: '$LATEST',
          invokedFunctionArn: fn.arn,
          memoryLimitInMB: String(fn.memorySize),
          awsRequestId: `e2e-${fn.logicalId}-${requests}`,
          logGroupName: `/aws/lambda/${fn.name}`,
          logStreamName: 'e2e',
          getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
          done: () => undefined,
          fail: () => undefined,
          succeed: () => undefined,
        };
        return (await handler)(event, context);
      }));
    },
  };
}
