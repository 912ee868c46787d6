import type { Finding } from '../../findings';

/**
 * What the rule's finding says in words that its remedy reads back: the
 * recommendation, whether the loop was ongoing, and the other causes. Both
 * sides use these, so the words cannot drift apart.
 */

export const otherElbCauses =
  'The same message also comes from: an app that is genuinely unhealthy (crashes, errors or hangs on the health-check path), a target group that checks the wrong path or port, a task security group that does not let the load balancer in on the container port, or a container too small (CPU/memory) to answer within the timeout.';
export const otherContainerCauses =
  'The same message also comes from: a health-check command that cannot succeed (curl or wget missing from the image, localhost vs 127.0.0.1, the wrong port), an app that is genuinely unhealthy, or a container too small (CPU/memory) to answer within the timeout.';

/** Opens the explanation's sentence on the service's state when the loop still turns. */
export const LOOP_ONGOING = 'The loop is ongoing:';

/** The evidence item that carries the recommendation. */
export function recommendationEvidence(seconds: number, basis: string): { source: string; observed: string } {
  return { source: 'ecs-medic', observed: `recommended grace period ${seconds} s; basis: ${basis}` };
}

const recommended = /^recommended grace period (\d+) s;/;

/** The grace period the finding recommends, in seconds; undefined when it recommends none (not measured, or not the cause). */
export function recommendedSeconds(finding: Finding): number | undefined {
  for (const e of finding.evidence) {
    const match = e.source === 'ecs-medic' ? recommended.exec(e.observed) : null;
    if (match) return Number(match[1]);
  }
  return undefined;
}

export function loopOngoing(finding: Finding): boolean {
  return finding.explanation.includes(LOOP_ONGOING);
}

export function otherCausesOf(finding: Finding): string {
  return finding.cause === 'container-health-check' ? otherContainerCauses : otherElbCauses;
}
