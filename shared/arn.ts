/** ARN helpers. ECS has short (`task/<id>`) and long (`task/<cluster>/<id>`) ARN formats. */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string | undefined): Arn | undefined {
  if (!arn?.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** The last path segment of an ARN's resource: `cluster/prod` → `prod`, `task/prod/abc` → `abc`. */
export function arnName(arn: string | undefined): string | undefined {
  // On the hot path of every event: slicing beats parsing the whole ARN.
  if (!arn?.startsWith('arn:')) return undefined;
  let resourceStart = 3; // the colon after "arn"
  for (let field = 0; field < 4 && resourceStart >= 0; field++) resourceStart = arn.indexOf(':', resourceStart + 1);
  if (resourceStart < 0) return undefined;
  return arn.slice(Math.max(arn.lastIndexOf('/'), resourceStart) + 1) || undefined;
}

/** `…:service/<cluster>/<service>` (long) or `…:service/<service>` (short). */
export function serviceFromArn(arn: string | undefined): { cluster?: string; service?: string } {
  const parsed = parseArn(arn);
  if (!parsed?.resource.startsWith('service/')) return {};
  const segments = parsed.resource.split('/');
  return segments.length >= 3
    ? { cluster: segments[1] as string, service: segments[2] as string }
    : { service: segments[1] as string };
}

/** `…:task-definition/<family>:<revision>` → `<family>`. */
export function familyFromTaskDefinitionArn(arn: string | undefined): string | undefined {
  const start = arn?.startsWith('arn:') ? arn.indexOf(':task-definition/') : -1;
  if (arn === undefined || start < 0) return undefined;
  const family = arn.slice(start + ':task-definition/'.length);
  const revision = family.indexOf(':');
  return revision < 0 ? family : family.slice(0, revision);
}
