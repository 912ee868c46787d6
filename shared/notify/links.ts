import type { Finding } from '../findings';

export interface ConsoleLink {
  label: string;
  url: string;
}

/** A Region as AWS names them; anything else (it comes from an event) builds no URL, so it cannot pick the host. */
const regionName = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function consoleOrigin(region: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

/**
 * The log group a finding's fix reads (`aws logs get-log-events|filter-log-events --log-group-name <group>`, written by
 * essential-container-exited): the finding shape has no log-group field, and
 * only that command names a group that exists. Placeholders (`<awslogs-group>`) are not groups.
 */
function logGroupOf(fix: string): string | undefined {
  const match = /aws logs (?:get-log-events|filter-log-events) --log-group-name (?:'([^']+)'|([A-Za-z0-9_./#-]+))/.exec(fix);
  return match?.[1] ?? match?.[2];
}

/** The CloudWatch console escapes a log group name twice, with `$` for `%` (`/ecs/web` → `$252Fecs$252Fweb`). */
function logGroupFragment(group: string): string {
  return encodeURIComponent(encodeURIComponent(group)).replace(/%/g, '$');
}

/**
 * Console pages for what the finding names: the ECS service (or cluster),
 * the task, the task definition family, the CloudWatch log group. The
 * finding's Region comes first; the Lambda's own Region is the fallback.
 */
export function consoleLinks(finding: Finding, fallbackRegion: string | undefined): ConsoleLink[] {
  const { cluster, service, task, taskFamily } = finding.resource;
  const region = finding.resource.region ?? fallbackRegion;
  if (!region || !regionName.test(region)) return [];
  const origin = consoleOrigin(region);
  const query = `?region=${region}`;
  const ecs = `${origin}/ecs/v2`;
  const links: ConsoleLink[] = [];
  const clusterPath = cluster ? `${ecs}/clusters/${encodeURIComponent(cluster)}` : undefined;
  if (clusterPath && service) {
    links.push({ label: 'ECS service', url: `${clusterPath}/services/${encodeURIComponent(service)}/health${query}` });
  } else if (clusterPath) {
    links.push({ label: 'ECS cluster', url: `${clusterPath}/services${query}` });
  }
  if (clusterPath && task) links.push({ label: 'ECS task', url: `${clusterPath}/tasks/${encodeURIComponent(task)}/configuration${query}` });
  if (!service && taskFamily) links.push({ label: 'Task definition', url: `${ecs}/task-definitions/${encodeURIComponent(taskFamily)}${query}` });
  const group = logGroupOf(finding.fix);
  if (group) {
    links.push({ label: 'CloudWatch log group', url: `${origin}/cloudwatch/home${query}#logsV2:log-groups/log-group/${logGroupFragment(group)}` });
  }
  return links;
}
