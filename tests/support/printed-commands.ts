/**
 * Every `aws` command a rule prints, judged the way a user pasting it would meet it.
 *
 * tests/setup.ts records every fix any rule returns in any test (from `detect` and from
 * `investigate`, with what the signal and the account reads named); after each test file
 * these checks run on what it recorded. A fix fails when:
 *
 * 1. **Format.** A command shares its line with prose. A command line starts with `aws` and holds
 *    only the command (a trailing `# comment` and `\` continuations are allowed); any other line
 *    that names an `aws <service> <operation>` is prose around a command, which breaks when pasted.
 * 2. **Placeholders the event or the account named.** A `<placeholder>` for a value the signal
 *    (its text, event and resource) or a read of the account gave: see `knownPlaceholders`.
 *    Other placeholders may stay; they are replaced by a dummy of their kind (`dummies`) before
 *    the command is run.
 * 3. **The real AWS CLI rejects it.** Each command runs through AWS CLI v1's own driver against a
 *    dead endpoint (tests/support/aws_cli_check.py): only "Could not connect to the endpoint URL"
 *    passes, i.e. the command parsed and passed parameter validation.
 * 4. **It can overwrite or delete.** The deny-list in `harmOf`:
 *    - operations that remove by their name: `delete-*`, `remove-*`, `deregister-*`, `detach-*`,
 *      `disassociate-*`, `revoke-*`, `terminate-*`, `stop-*`, `cancel-*`, `reset-*`, `purge-*`,
 *      `untag-*`, `disable-*`, `replace-*`;
 *    - operations that replace a whole document or list: `put-*-policy` / `set-*-policy` (bucket,
 *      key, repository, resource policies…), `update-assume-role-policy`, `create-policy-version`,
 *      `put-secret-value`, `update-secret`, `put-parameter`, `start-instance-refresh` (replaces the
 *      instances);
 *    - `put-cluster-capacity-providers` (it replaces the cluster's providers and default strategy),
 *      except when the rule read the cluster and the command keeps every provider and default
 *      strategy entry it has;
 *    - except `iam put-role-policy` / `put-user-policy` / `put-group-policy` under a name ecs-medic
 *      owns: `ownedPolicyName(purpose, document)`, derived from the document itself, so the name
 *      is new unless the very same document is already there;
 *    - `update-service` flags that replace a whole structure: `--load-balancers`,
 *      `--service-registries`, `--placement-constraints`, `--placement-strategy`, and a
 *      `--network-configuration` that does not name subnets, securityGroups and assignPublicIp
 *      (whatever it leaves out is reset);
 *    - `modify-vpc-endpoint` flags that remove or replace: `--remove-*`, `--policy-document`,
 *      `--reset-policy`.
 * 5. **Known to fail at the API.** `update-service --capacity-provider-strategy` without
 *    `--force-new-deployment` (ECS rejects a strategy change that does not start a new deployment).
 */
import { request as httpRequest } from 'node:http';
import { ownedPolicyName } from '../../shared/facts/iam';
import type { ResourceRef } from '../../shared/findings';

export interface PrintedFix {
  rule: string;
  fix: string;
  /** What the signal named: its text, event and resource, as JSON. */
  named: string;
  resource: ResourceRef;
  /** What the account reads returned, as JSON (empty when nothing was read). */
  read: string;
}

export interface CliResult {
  ok: boolean;
  argv: string[];
  message: string;
}

/** Runs `run` through the AWS CLI; `argv` is `split` (the line as printed) in the shell's words. */
export type CliCheck = (lines: { run: string; split: string }[]) => Promise<CliResult[]>;

const REGION = /\b(?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov|-iso[a-z]?)?-[a-z]+-\d\b/;
const ACCOUNT = /arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:/;

/** A placeholder is known when the signal or a read gave its value; the test fails when it is left. */
const knownPlaceholders: { names: RegExp; known(fix: PrintedFix): boolean }[] = [
  { names: /^(?:awslogs-)?region$/, known: (f) => Boolean(f.resource.region) || REGION.test(f.named) },
  { names: /^account(?:-id)?$/, known: (f) => Boolean(f.resource.account) || ACCOUNT.test(f.named) },
  { names: /^cluster$/, known: (f) => Boolean(f.resource.cluster) },
  { names: /^service$/, known: (f) => Boolean(f.resource.service) },
  { names: /^(?:task|task-id|task-arn)$/, known: (f) => Boolean(f.resource.task) },
  { names: /^(?:family|task-family)$/, known: (f) => Boolean(f.resource.taskFamily) },
  { names: /^container$/, known: (f) => Boolean(f.resource.container) },
  { names: /^(?:awslogs-group|log-group)$/, known: (f) => f.read.includes('"awslogs-group"') },
  { names: /^(?:task-sg|security-group)$/, known: (f) => /"securityGroups":\["sg-/.test(f.read) },
  { names: /^secret-arn$/, known: (f) => /"ARN":"arn:aws[a-z-]*:secretsmanager:/.test(f.read) },
];

/**
 * A dummy the CLI's own validation accepts where a real value would go: AWS ids and ARNs have
 * minimum lengths, numbers must parse. Only what the CLI checks matters; the endpoint is dead.
 */
const dummies: [RegExp, string][] = [
  [/\barn\b/, 'arn:aws:iam::123456789012:role/placeholder-0123456789abcdef'],
  [/subnet/, 'subnet-0123456789abcdef0'],
  [/\bsg\b|security-group/, 'sg-0123456789abcdef0'],
  [/vpc/, 'vpc-0123456789abcdef0'],
  [/route-table/, 'rtb-0123456789abcdef0'],
  [/nat-gateway/, 'nat-0123456789abcdef0'],
  [/\d|^n$|seconds|count|size|vcpus|value/, '1'],
];

/** A line that names an aws command without being one. */
const COMMAND_IN_PROSE = /(?:^|[^\w./-])aws [a-z0-9-]+ [a-z][a-z0-9-]*\b/;

/** The fix's command lines (continuations joined) and its format problems. */
export function commandLinesOf(fix: string): { commands: string[]; problems: string[] } {
  const commands: string[] = [];
  const problems: string[] = [];
  const lines = fix.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (/^aws\s/.test(line)) commands.push(line);
    else if (COMMAND_IN_PROSE.test(line)) problems.push(`a command inside prose (put it on its own line): ${line}`);
  }
  return { commands, problems };
}

function placeholdersOf(line: string): string[] {
  return [...line.matchAll(/<([^<>\n]+)>/g)].map((m) => m[1] ?? '');
}

function withDummies(line: string): string {
  return line.replace(/<([^<>\n]+)>/g, (_all, name: string) => dummies.find(([names]) => names.test(name))?.[1] ?? 'placeholder');
}

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  if (at >= 0) return argv[at + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

const REMOVING = /^(?:delete|remove|deregister|detach|disassociate|revoke|terminate|stop|cancel|reset|purge|untag|disable|replace)-/;
const REPLACING = new Set([
  'update-assume-role-policy',
  'create-policy-version',
  'put-secret-value',
  'update-secret',
  'put-parameter',
  'start-instance-refresh',
]);
const IAM_INLINE = new Set(['put-role-policy', 'put-user-policy', 'put-group-policy']);

/** The words after `flag` up to the next option. */
function values(argv: readonly string[], flag: string): string[] {
  const at = argv.indexOf(flag);
  if (at < 0) return [];
  const end = argv.findIndex((a, i) => i > at && a.startsWith('--'));
  return argv.slice(at + 1, end < 0 ? undefined : end);
}

interface ClusterRead {
  clusterName?: string;
  clusterArn?: string;
  capacityProviders?: string[];
  defaultCapacityProviderStrategy?: { capacityProvider?: string }[];
}

/** What put-cluster-capacity-providers would drop of the cluster the rule read; why it cannot tell, or null. */
function droppedProviders(argv: readonly string[], read: string): string | null {
  const name = option(argv, '--cluster');
  const outputs = JSON.parse(read) as { clusters?: ClusterRead[] }[];
  const cluster = outputs.flatMap((o) => o.clusters ?? []).find((c) => c.clusterName === name || c.clusterArn === name);
  if (!cluster) return 'put-cluster-capacity-providers replaces the cluster\'s providers, and the cluster was not read';
  const kept = values(argv, '--capacity-providers');
  const strategy = values(argv, '--default-capacity-provider-strategy').join(' ');
  const lost = [
    ...(cluster.capacityProviders ?? []).filter((p) => !kept.includes(p)),
    ...(cluster.defaultCapacityProviderStrategy ?? []).filter((s) => !strategy.includes(`capacityProvider=${s.capacityProvider},`)).map((s) => `${s.capacityProvider} (default strategy)`),
  ];
  return lost.length > 0 ? `put-cluster-capacity-providers drops ${lost.join(', ')}` : null;
}

/** Why pasting the command could overwrite or delete something, or fail at the API; null when it cannot. */
export function harmOf(argv: readonly string[], read = '[]'): string | null {
  const [, service, operation = ''] = argv;
  if (REMOVING.test(operation)) return `${operation} removes what it names`;
  if (service === 'ecs' && operation === 'put-cluster-capacity-providers') return droppedProviders(argv, read);
  if (service === 'iam' && IAM_INLINE.has(operation)) {
    const name = option(argv, '--policy-name') ?? '';
    const document = option(argv, '--policy-document') ?? '';
    const purpose = /^ecs-medic-(.+)-[0-9a-f]{12}$/.exec(name)?.[1];
    if (!purpose || ownedPolicyName(purpose, document) !== name) {
      return `${operation} --policy-name ${name} may replace an inline policy of that name: use ownedPolicyName(purpose, document)`;
    }
    return null;
  }
  if (/^(?:put|set)-.*policy$/.test(operation) || REPLACING.has(operation)) return `${operation} replaces the whole document or list`;
  if (service === 'ecs' && operation === 'update-service') {
    for (const flag of ['--load-balancers', '--service-registries', '--placement-constraints', '--placement-strategy']) {
      if (argv.includes(flag)) return `update-service ${flag} replaces the service's whole list`;
    }
    const network = option(argv, '--network-configuration');
    if (network !== undefined && !['subnets', 'securityGroups', 'assignPublicIp'].every((key) => network.includes(key))) {
      return 'update-service --network-configuration resets whatever it leaves out: name subnets, securityGroups and assignPublicIp';
    }
    if (argv.includes('--capacity-provider-strategy') && !argv.includes('--force-new-deployment')) {
      return 'ECS rejects a --capacity-provider-strategy change without --force-new-deployment';
    }
  }
  if (service === 'ec2' && operation === 'modify-vpc-endpoint') {
    const flag = argv.find((a) => a.startsWith('--remove-') || a === '--policy-document' || a === '--reset-policy');
    if (flag) return `modify-vpc-endpoint ${flag} removes or replaces`;
  }
  return null;
}

/** Every problem of the recorded fixes, one line each; empty when every command is safe and runs. */
export async function problemsOf(fixes: readonly PrintedFix[], cli: CliCheck): Promise<{ problems: string[]; commands: number }> {
  const problems = new Set<string>();
  const runs = new Map<string, { rule: string; line: string; read: string }>();
  for (const fix of fixes) {
    const { commands, problems: format } = commandLinesOf(fix.fix);
    for (const p of format) problems.add(`${fix.rule}: ${p}`);
    for (const line of commands) {
      for (const name of placeholdersOf(line)) {
        if (knownPlaceholders.some((k) => k.names.test(name) && k.known(fix))) {
          problems.add(`${fix.rule}: <${name}> is left a placeholder though the event or the account named it: ${line}`);
        }
      }
      const runnable = withDummies(line);
      if (!runs.has(runnable)) runs.set(runnable, { rule: fix.rule, line, read: fix.read });
    }
  }
  const lines = [...runs.keys()];
  const results = lines.length > 0 ? await cli(lines.map((run) => ({ run, split: runs.get(run)?.line ?? run }))) : [];
  results.forEach((result, i) => {
    const run = runs.get(lines[i] ?? '');
    if (!run) return;
    if (!result.ok) problems.add(`${run.rule}: the AWS CLI rejects it (${result.message}): ${run.line}`);
    else {
      const harm = harmOf(result.argv, run.read);
      if (harm) problems.add(`${run.rule}: ${harm}: ${run.line}`);
    }
  });
  return { problems: [...problems], commands: lines.length };
}

/** The checker started by tests/support/aws-cli-server.ts, over loopback (node:http: tests may stub fetch). */
export function cliAt(url: string): CliCheck {
  return (lines) =>
    new Promise((resolve, reject) => {
      const request = httpRequest(url, { method: 'POST' }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`the AWS CLI checker answered ${response.statusCode}`));
          else resolve(JSON.parse(body) as CliResult[]);
        });
      });
      request.on('error', reject);
      request.end(JSON.stringify(lines));
    });
}
