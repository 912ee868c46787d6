import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Finding, type Severity, severityOrder } from '../../shared/findings';
import { renderFinding } from '../../shared/render/text';
import { staticChecks } from '../../shared/rules/checks';
import { configurationOf, kindOf, type LoadedDocument } from '../../shared/static/documents';
import { runStaticChecks, type StaticUnchecked } from '../../shared/static/run';
import { lineOf, type Locate, sarifLog } from '../../shared/static/sarif';
import { isTemplate } from '../../shared/static/sources/cloudformation';
import { type Command, UsageError } from '../usage';

const formats = ['text', 'json', 'sarif'] as const;
type Format = (typeof formats)[number];
const severities: readonly Severity[] = ['critical', 'warning', 'info'];


const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's table of static checks, generated from them (a test keeps the README equal to it). */
export function checkTable(): string {
  return [
    '| rule | causes | what it checks |',
    '|---|---|---|',
    ...staticChecks.map((c) => `| \`${c.rule}\` | ${c.causes.length > 0 ? c.causes.map((x) => `\`${x}\``).join(', ') : '—'} | ${cell(c.summary)} |`),
  ].join('\n');
}

/**
 * A file's document and how its pointers become lines: YAML for .yaml/.yml (CloudFormation's YAML), JSON
 * otherwise; a file that is not JSON may still be a CloudFormation template in YAML under another name.
 */
async function parse(file: string, text: string): Promise<{ document: unknown; locate: Locate }> {
  const asYaml = async () => {
    // Its own chunk: commands that read no YAML do not load the parser.
    const { parseCloudFormationYaml, YamlSyntaxError } = await import('../../shared/static/sources/cloudformation-yaml');
    try {
      const { document, regionOf } = parseCloudFormationYaml(text);
      return { document, locate: regionOf };
    } catch (error) {
      if (error instanceof YamlSyntaxError) throw new UsageError(`${file} is not valid YAML: ${error.message}`);
      throw error;
    }
  };
  if (/\.ya?ml$/i.test(file)) return asYaml();
  try {
    return { document: JSON.parse(text), locate: (pointer) => lineOf(text, pointer) };
  } catch (error) {
    let yaml: { document: unknown; locate: Locate } | undefined;
    try {
      yaml = await asYaml();
    } catch (yamlError) {
      // Not YAML either: the JSON error is the one to report.
      if (!(yamlError instanceof UsageError)) throw yamlError;
    }
    if (yaml && isTemplate(yaml.document)) return yaml;
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads each file and names what it is; anything unreadable or unrecognised is a usage error (exit 2). */
async function load(files: readonly string[]): Promise<{ documents: LoadedDocument[]; locators: Map<string, Locate> }> {
  const documents: LoadedDocument[] = [];
  const locators = new Map<string, Locate>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    const { document, locate } = await parse(file, text);
    if (!kindOf(document)) {
      throw new UsageError(`${file} is not a task definition, service, CloudFormation template or Terraform plan (terraform show -json plan.out)`);
    }
    documents.push({ file, document });
    locators.set(file, locate);
  }
  return { documents, locators };
}

function printText(findings: readonly Finding[], unchecked: readonly StaticUnchecked[], files: number, out: (line: string) => void): void {
  if (findings.length > 0) out(findings.map(renderFinding).join('\n\n'));
  if (unchecked.length > 0) {
    out(`${findings.length > 0 ? '\n' : ''}not checked (needs the account: run ecs-medic audit):`);
    for (const u of unchecked) out(`  - ${[u.resource.file, u.resource.logicalId ?? u.resource.taskFamily ?? u.resource.service].filter(Boolean).join(' ')}: ${u.check}: ${u.reason}`);
  }
  const counts = severities.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  out(`${findings.length > 0 || unchecked.length > 0 ? '\n' : ''}${files} file(s): ${counts}`);
}

export const lint: Command = {
  name: 'lint',
  summary: 'Check task definitions, services, CloudFormation/CDK templates and Terraform plans before deploying',
  help: `Usage: ecs-medic lint [--format text|json|sarif] [--severity LEVEL] FILE...

Checks configuration offline, before it fails: the Fargate size matrix,
task vs execution role, deployment percentages and circuit breaker, grace
period vs health checks, ECS Exec readiness, platform versions, log groups.
Nothing is read from AWS.

FILE is any of:
  - a task definition: the register-task-definition input (--cli-input-json)
    or the describe-task-definition output
  - a service: the create-service input or output, or describe-services output
  - a CloudFormation template in JSON or YAML (short forms such as !Ref, !Sub,
    !GetAtt included), or a CDK-synthesized one (cdk.out/*.template.json)
  - a Terraform plan: terraform show -json plan.out > plan.json
Services are checked with their task definition when it is in the same
template or plan, or in another FILE (matched by family and revision).

Options:
  --format F      text (default), json ({"findings": [...], "unchecked": [...]}),
                  or sarif (SARIF 2.1.0, for code-scanning uploads)
  --severity L    lowest severity that fails the run: critical, warning (default) or info;
                  findings below it are still printed
  -h, --help      show this help

Exit status: 0 when no finding is at or above --severity, 1 when any is,
2 on usage errors or an unreadable or unrecognised FILE.`,

  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string' }, severity: { type: 'string' } } });
    const format = (values.format ?? 'text') as Format;
    if (!formats.includes(format)) throw new UsageError(`--format must be one of ${formats.join(', ')}`);
    const threshold = (values.severity ?? 'warning') as Severity;
    if (!severities.includes(threshold)) throw new UsageError(`--severity must be one of ${severities.join(', ')}`);
    if (positionals.length === 0) throw new UsageError('name at least one FILE to lint');
    const { documents, locators } = await load(positionals);
    const { findings, unchecked } = runStaticChecks(configurationOf(documents));
    if (format === 'json') io.out(JSON.stringify({ findings, unchecked }, null, 2));
    else if (format === 'sarif') io.out(JSON.stringify(sarifLog(findings, staticChecks, locators), null, 2));
    else printText(findings, unchecked, documents.length, io.out);
    return findings.some((f) => severityOrder[f.severity] <= severityOrder[threshold]) ? 1 : 0;
  },
};
