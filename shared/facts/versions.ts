/** Dotted version numbers as ECS prints them: agent "1.50.2", Fargate platform "1.4.0". */

/** The numeric parts of "1.50.2" (a leading "v" and any "-suffix" ignored), or null when it is not a version. */
export function parseVersion(value: string | undefined): number[] | null {
  const match = /^v?(\d+(?:\.\d+)*)/i.exec(value?.trim() ?? '');
  return match ? (match[1] as string).split('.').map(Number) : null;
}

/** Negative when a < b, 0 when equal, positive when a > b; missing parts count as 0 ("1.4" = "1.4.0"). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** True when `version` parses and is strictly older than `minimum`. */
export function isOlder(version: string | undefined, minimum: string): boolean {
  const parsed = parseVersion(version);
  const floor = parseVersion(minimum);
  return parsed !== null && floor !== null && compareVersions(parsed, floor) < 0;
}
