/**
 * Service auto scaling (Application Auto Scaling) of one ECS service: its
 * range and what it did last. Seed footgun 8 is service auto scaling asking
 * for tasks the cluster has no room for, so this is the first thing to show.
 */
import type { ScalableTarget, ScalingActivity } from '@aws-sdk/client-application-auto-scaling';
import type { Service } from '@aws-sdk/client-ecs';
import type { Evidence } from '../../findings';
import { millis } from '../../facts/service';
import type { InvestigationContext } from '../rule';
import { quoted } from '../text';

const DIMENSION = 'ecs:service:DesiredCount';
/** Enough to show the scale-out that caused the pileup; the newest comes first. */
const ACTIVITIES = 5;

export interface ServiceScaling {
  evidence: Evidence[];
  /** One or two sentences for the explanation; '' when nothing is known. */
  summary: string;
}

function targetText(resourceId: string, target: ScalableTarget): string {
  const suspended = Object.entries(target.SuspendedState ?? {})
    .filter(([, on]) => on)
    .map(([name]) => name);
  return `${resourceId}: min ${target.MinCapacity ?? '?'}, max ${target.MaxCapacity ?? '?'}${suspended.length ? `; suspended: ${suspended.join(', ')}` : ''}`;
}

function activityText(activity: ScalingActivity): string {
  const at = millis(activity.StartTime);
  const when = at === undefined ? '' : `${new Date(at).toISOString()} `;
  const notScaled = activity.NotScaledReasons?.map((r) => r.Code).join(', ');
  return `${when}${activity.Description ?? '?'} (${activity.StatusCode ?? '?'}${notScaled ? `: ${notScaled}` : ''}); cause: ${activity.Cause ?? '?'}`;
}

const setsDesired = /Setting desired count to (\d+)/i;

export async function readServiceScaling(
  context: InvestigationContext,
  cluster: string,
  service: Service,
): Promise<ServiceScaling> {
  const resourceId = `service/${cluster}/${service.serviceName}`;
  const targets = await context.read(
    'application-autoscaling:DescribeScalableTargets',
    { ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: DIMENSION },
    "the service's auto scaling range",
  );
  if (!targets) return { evidence: [], summary: '' };
  const target = targets.ScalableTargets?.[0];
  if (!target) {
    return {
      evidence: [{ source: 'application-autoscaling:DescribeScalableTargets', observed: `${resourceId}: no scalable target` }],
      summary: 'The service has no auto scaling target: its desired count was set by hand or by a deployment tool.',
    };
  }
  const evidence: Evidence[] = [{ source: 'application-autoscaling:DescribeScalableTargets', observed: targetText(resourceId, target) }];
  const desired = service.desiredCount;
  const atMax = desired !== undefined && target.MaxCapacity !== undefined && desired >= target.MaxCapacity;
  const range = `Service auto scaling may run ${target.MinCapacity ?? '?'}–${target.MaxCapacity ?? '?'} tasks${atMax ? ` and has reached its maximum (${target.MaxCapacity})` : ''}.`;

  const answer = await context.read(
    'application-autoscaling:DescribeScalingActivities',
    { ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: DIMENSION, MaxResults: ACTIVITIES, IncludeNotScaledActivities: true },
    "the service's recent scaling activity",
  );
  const activities = answer?.ScalingActivities ?? [];
  if (answer && activities.length === 0) {
    evidence.push({ source: 'application-autoscaling:DescribeScalingActivities', observed: `${resourceId}: no recent scaling activity` });
  }
  for (const activity of activities) evidence.push(quoted('application-autoscaling:DescribeScalingActivities', activityText(activity)));

  const scaleOut = activities.find((a) => a.StatusCode === 'Successful' && setsDesired.test(a.Description ?? ''));
  const count = Number(setsDesired.exec(scaleOut?.Description ?? '')?.[1]);
  const raised =
    scaleOut && count > (service.runningCount ?? 0)
      ? ` Its last change set the desired count to ${count}, above the ${service.runningCount ?? 0} running (${scaleOut.Cause ?? 'cause not given'}).`
      : '';
  return { evidence, summary: `${range}${raised}` };
}
