/**
 * The real CDK CLI against the emulated account: `cdk bootstrap`, then
 * `cdk deploy` of the app's assembly, synthesized into a temporary directory
 * (never the repository's cdk.out) while the bootstrap runs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNT, REGION } from './moto';
import { scratchDir } from './scratch';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cdkBin = join(repoRoot, 'node_modules', '.bin', 'cdk');

/** Environment of a CLI pointed at `endpoint` only: no profile, no instance metadata, no telemetry. */
export function awsCliEnv(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): NodeJS.ProcessEnv {
  const home = scratchDir('home');
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    CDK_DISABLE_VERSION_CHECK: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CI: 'true',
  };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cdkBin, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`cdk ${args[0]} exited with ${code}:\n${output.slice(-6000)}`))));
  });
}

export interface DeployOptions {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** -c key=value pairs, as a user passes them. */
  context: Record<string, string>;
}

/** Bootstraps the account and deploys the EcsMedic stack; returns the assembly directory (bundles included). */
export async function bootstrapAndDeploy({ endpoint, credentials, context }: DeployOptions): Promise<string> {
  const env = awsCliEnv(endpoint, credentials);
  const assembly = scratchDir('cdk-out');
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  await Promise.all([
    run(['bootstrap', `aws://${ACCOUNT}/${REGION}`, '--output', scratchDir('bootstrap')], env),
    run(['synth', '--quiet', '--output', assembly, ...contextArgs], env),
  ]);
  if (!existsSync(join(assembly, 'EcsMedic.template.json'))) throw new Error(`cdk synth wrote no EcsMedic template to ${assembly}`);
  await run(['deploy', 'EcsMedic', '--app', assembly, '--require-approval', 'never', '--progress', 'events'], env);
  return assembly;
}
