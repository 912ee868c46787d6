/**
 * Finds the failure inside what people paste around it, so rules classify the
 * message ECS emitted rather than its surroundings:
 * - a line of the ECS agent's log (`2019-06-13T13:55:59Z [WARN] Managed task [arn]: …`,
 *   or the structured `level=warn time=… msg="…"`), or of the Docker daemon's
 *   (`time="…" level=error msg="…"`, quotes escaped);
 * - a row of a CLI or console table (`Status reason | …`, `STOPPED (…)`), wrapped
 *   over several lines;
 * - JSON: a RunTask/StartTask/DescribeContainerInstances `failures` array, a
 *   describe-tasks answer, or a fragment of one;
 * - an SDK exception (botocore's `An error occurred (X) when calling the Y
 *   operation: …`, the Java SDK's `com.amazonaws.services.ecs.model.X: … (Service:
 *   AmazonECS; …; Request ID: …)`) or a CloudFormation status reason
 *   (`Resource handler returned message: "…"`).
 * The surroundings are kept as facts (ARNs, request ids, timestamps): evidence
 * and, where they name it, the resource.
 *
 * Only text a user gives `explain` goes through here: events carry their
 * failure text in known fields, and their classification must stay fast.
 */
import { arnName, parseArn } from '../arn';
import type { Evidence, ResourceRef } from '../findings';

export interface Unwrapped {
  /** The failure text to classify. */
  text: string;
  /** What surrounded it, each as `{source: 'input: <what>', observed}`. */
  facts: Evidence[];
  /** What those facts name: account, region, cluster, task, container instance. */
  resource: ResourceRef;
}

/** Keys whose values, in pasted JSON, are the failure texts ECS wrote. */
const reasonKeys = /^(reason|stoppedReason|message|detail|errorMessage|statusReason|ResourceStatusReason)$/i;
const jsonPair = /"(reason|stoppedReason|message|detail|errorMessage|statusReason|ResourceStatusReason)"\s*:\s*"((?:[^"\\]|\\.)*)"/gi;

const agentLogPrefix = /^(?:\S+:)?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) \[(?:INFO|WARN|ERROR|DEBUG|CRITICAL|CRIT)\] /;
const syslogPrefix = /^[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \S+ [\w.-]+(?:\[\d+\])?: +/;
const logfmtMessage = /(?:^|\s)msg="((?:[^"\\]|\\.)*)"/;
const logfmtTime = /(?:^|\s)time="?([0-9T:.+-]+Z?)"?/;
const tablePrefix = /^\s*(?:Stopped reason|Status reason|Reason|Status|Container message|Task stopped)\s*(?:[|:\t]|\s{2,})\s*/i;
const statusPrefix = /^\s*STOPPED\s*(?:\(\s*|Reason:\s*)/;

const botocore = /An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)/s;
const javaSdk = /(?:com\.amazonaws\.services\.\w+\.model|software\.amazon\.awssdk\.services\.\w+\.model)\.(\w+): (.*?)(?: \(Service: ([^;)]+); Status Code: (\d+); Error Code: (\w+); Request ID: ([\w-]+)(?:;[^)]*)?\))?$/s;
const cloudFormation = /Resource handler returned message: "((?:[^"\\]|\\.)*)"(?: \(RequestToken: ([\w-]+), HandlerErrorCode: (\w+)\))?/s;

const ecsArn = /arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:(?:task|container-instance|cluster|service|task-definition)\/[\w\-/:.]+/g;
const requestId = /(?:Request ID|request id|RequestId|RequestID)[:=]?\s*"?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi;

function unescapeJson(value: string): string {
  try {
    return JSON.parse(`"${value}"`) as string;
  } catch {
    return value.replace(/\\"/g, '"').replace(/\\n/g, '\n');
  }
}

/** Failure texts in pasted JSON: whole documents are walked, fragments are scanned. */
function jsonTexts(text: string, facts: Evidence[]): string[] | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const found: string[] = [];
      walk(JSON.parse(trimmed), found, facts);
      if (found.length > 0) return found;
    } catch {
      // A fragment or invalid JSON: scanned below.
    }
  }
  const found = [...text.matchAll(jsonPair)].map((m) => unescapeJson(m[2] as string)).filter((v) => v.trim() !== '');
  return found.length > 0 ? found : undefined;
}

function walk(value: unknown, found: string[], facts: Evidence[]): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, found, facts);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' && reasonKeys.test(key) && item.trim() !== '') found.push(item);
    else if (typeof item === 'string' && /^arn$/i.test(key)) facts.push({ source: 'input: failure arn', observed: item });
    else walk(item, found, facts);
  }
}

/** One pasted line without its log or table prefix; the prefix's timestamp becomes a fact. */
function stripLine(line: string, facts: Evidence[]): string {
  let rest = line.replace(syslogPrefix, '');
  const agent = agentLogPrefix.exec(rest);
  if (agent) {
    facts.push({ source: 'input: log timestamp', observed: agent[1] as string });
    rest = rest.slice(agent[0].length);
  }
  const msg = logfmtMessage.exec(rest);
  if (msg) {
    const time = logfmtTime.exec(rest);
    if (time) facts.push({ source: 'input: log timestamp', observed: time[1] as string });
    // The error value may be cut short by the paste, closing quote and all.
    const err = /(?:^|\s)err(?:or)?="((?:[^"\\]|\\.)*)"?/.exec(rest);
    rest = unescapeJson(msg[1] as string) + (err ? `: ${unescapeJson(err[1] as string)}` : '');
  }
  return rest.replace(statusPrefix, '').replace(tablePrefix, '');
}

/** `ExceptionName: message` for an SDK or CloudFormation wrapper, with its facts; undefined when there is none. */
function sdkMessage(text: string, facts: Evidence[]): string | undefined {
  const cfn = cloudFormation.exec(text);
  if (cfn) {
    if (cfn[2]) facts.push({ source: 'input: CloudFormation request token', observed: cfn[2] });
    const after = text.slice((cfn.index ?? 0) + cfn[0].length).trim();
    // CloudFormation's own reason is generic; a stopped task's reason printed after it is the cause.
    return [unescapeJson(cfn[1] as string), after].filter((part) => part !== '').join('\n');
  }
  const boto = botocore.exec(text);
  if (boto) {
    facts.push({ source: 'input: API operation', observed: boto[2] as string });
    return `${boto[1]}: ${(boto[3] as string).replace(/['")\]]+\s*$/, '')}`;
  }
  const java = javaSdk.exec(text.trim());
  if (java) {
    if (java[6]) facts.push({ source: 'input: request id', observed: java[6] });
    return `${java[1]}: ${java[2]}`;
  }
  return undefined;
}

function resourceOf(facts: Evidence[]): ResourceRef {
  const found: Record<string, string | undefined> = {};
  for (const { observed } of facts) {
    const arn = parseArn(observed);
    if (arn?.service !== 'ecs') continue;
    if (/^\d{12}$/.test(arn.account)) found.account ??= arn.account;
    found.region ??= arn.region;
    const [kind, ...path] = arn.resource.split('/');
    if (kind === 'cluster' || ((kind === 'task' || kind === 'container-instance') && path.length === 2)) found.cluster ??= path[0];
    if (kind === 'task') found.task ??= arnName(observed);
    if (kind === 'container-instance') found.containerInstance ??= arnName(observed);
  }
  const resource: ResourceRef = {};
  for (const [key, value] of Object.entries(found)) if (value) resource[key as keyof ResourceRef] = value;
  return resource;
}

/** Failure texts are short (a stoppedReason is at most 1,024 characters); hostile or runaway pastes are cut before any pattern runs. */
export const UNWRAP_MAX_CHARS = 64 * 1024;

export function unwrap(pasted: string): Unwrapped {
  const facts: Evidence[] = [];
  const raw = pasted.length > UNWRAP_MAX_CHARS ? pasted.slice(0, UNWRAP_MAX_CHARS) : pasted;
  if (raw !== pasted) facts.push({ source: 'input', observed: `cut to its first ${UNWRAP_MAX_CHARS} of ${pasted.length} characters` });
  const inner = jsonTexts(raw, facts);
  const lines = (inner ?? [raw]).flatMap((text) => text.split(/\r?\n/));
  // Lines of one message wrapped by a terminal or a table are joined back with a space.
  let text = lines
    .map((line) => stripLine(line, facts).trim())
    .filter((line) => line !== '' && !/^[-=─*`#]+$/.test(line))
    .join(' ')
    .replace(/\*\*/g, '')
    .replace(/\[([^\]]*)\]\(https?:\/\/[^)]*\)/g, '$1');
  text = sdkMessage(text, facts) ?? text;
  for (const arn of new Set(raw.match(ecsArn) ?? [])) {
    if (!facts.some((f) => f.observed === arn)) facts.push({ source: 'input: ARN', observed: arn });
  }
  for (const match of raw.matchAll(requestId)) {
    if (!facts.some((f) => f.observed === match[1])) facts.push({ source: 'input: request id', observed: match[1] as string });
  }
  return { text, facts, resource: resourceOf(facts) };
}
