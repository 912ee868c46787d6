import type { SignalOf } from '../../events/signals';
import type { InvestigationContext, Refinement } from '../rule';
import { checkPullPath } from './network';
import type { PullDetection } from './detect';

export default async function investigate(detection: PullDetection, signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>, context: InvestigationContext): Promise<Refinement | undefined> {
  if (detection.cause !== 'network') return undefined;
  return checkPullPath(detection.registry, signal, context);
}
