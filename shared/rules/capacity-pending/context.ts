/** What every capacity investigation starts from: who is affected, and the service as ECS describes it. */
import type { Service } from '@aws-sdk/client-ecs';
import type { Signal } from '../../events/signals';
import type { ResourceRef } from '../../findings';
import { readService } from '../../facts/service-placement';
import type { Detection, InvestigationContext } from '../rule';

/** The signal's resource plus what detection named (a service in the text, the re-check's cluster). */
export function resourceOf(detection: Detection, signal: Signal): ResourceRef {
  return { ...signal.resource, ...detection.resource };
}

/** The re-check already carries DescribeServices' answer: reading it again would cost a call for nothing. */
export function serviceOf(
  signal: Signal,
  resource: ResourceRef,
  context: InvestigationContext,
  purpose: string,
): Promise<Service | undefined> {
  if (signal.kind === 'pending-recheck') return Promise.resolve(signal.service);
  return resource.service ? readService(context, resource, purpose) : Promise.resolve(undefined);
}
