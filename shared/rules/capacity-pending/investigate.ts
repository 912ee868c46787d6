import type { SignalOf } from '../../events/signals';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { investigateEc2Capacity } from './ec2-capacity';
import { investigateFargate } from './fargate';
import { investigatePlaced } from './placed';
import { onFargate, unplaced } from './pending';
import { STUCK } from './detect';

export default async function investigate(detection: Detection, signal: SignalOf<'text' | 'task-stopped' | 'service-action' | 'api-call' | 'pending-recheck'>, context: InvestigationContext): Promise<Refinement | undefined> {
  if (detection.cause === 'quota') {
    context.unchecked("the account's Fargate vCPU quota and current usage", 'service-quotas:GetServiceQuota is not a reader operation');
    return undefined;
  }
  if (detection.cause === 'fargate-capacity') return investigateFargate(detection, signal, context);
  if (signal.kind === 'pending-recheck' && detection.cause === STUCK) {
    // Where the tasks wait decides what to read: capacity for unplaced ones, the instances' agents for placed ones.
    const waiting = signal.stuckTasks.filter(unplaced);
    if (waiting.length === 0) return investigatePlaced(detection, signal, context);
    if (waiting.every(onFargate)) return investigateFargate(detection, signal, context);
  }
  return investigateEc2Capacity(detection, signal, context);
}
