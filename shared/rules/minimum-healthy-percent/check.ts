import { at, type Report, type ServiceSubject, type StaticCheck, seen } from '../../static/check';
import { clusterLabel, desiredCountOf, isDaemon, percentsOf, rollsOut, serviceLabel } from '../../static/service';
import { deploymentRoom } from './detect';

/**
 * Seed footgun 6, before a deployment: percentages that let a deployment
 * stop every task, or that leave it no room to stop or start one.
 */

function updateFix(service: ServiceSubject['service'], min: number, max: number): string {
  return `aws ecs update-service --cluster ${clusterLabel(service.value)} --service ${serviceLabel(service.value)} --deployment-configuration "minimumHealthyPercent=${min},maximumPercent=${max}"`;
}

function checkPercents({ service }: ServiceSubject, report: Report): void {
  const value = service.value;
  if (isDaemon(value) || !rollsOut(value)) return;
  const desired = desiredCountOf(value);
  const { min, max } = percentsOf(value);
  if (desired === undefined || min === undefined || max === undefined || desired < 1) return;
  const name = serviceLabel(value);
  const keptRunning = Math.ceil((desired * min) / 100);
  const room = deploymentRoom(desired, min, max);
  const evidence = [seen(service, '/deploymentConfiguration', `desiredCount ${desired}, minimumHealthyPercent ${min}, maximumPercent ${max}`)];
  if (!room.canStop && !room.canStart) {
    report.issue({
      cause: 'deployment-deadlock',
      severity: 'critical',
      title: `Deployments of service ${name} cannot make progress`,
      explanation: `With ${desired} desired task${desired === 1 ? '' : 's'}, minimumHealthyPercent ${min} keeps all ${keptRunning} running and maximumPercent ${max} allows no extra task, so ECS can neither stop an old task nor start a new one: every deployment hangs ("unable to stop or start tasks during a deployment").`,
      fix: updateFix(service, min, Math.max(200, max)),
      at: at(service, '/deploymentConfiguration/maximumPercent'),
      evidence,
    });
    return;
  }
  if (keptRunning === 0) {
    report.issue({
      cause: 'zero-capacity',
      severity: 'warning',
      title: `Every deployment of service ${name} may stop all its tasks first`,
      explanation: `minimumHealthyPercent ${min} of ${desired} desired task${desired === 1 ? '' : 's'} rounds up to ${keptRunning}: ECS may stop every running task before the new ones are healthy, so each deployment can take the service down.${desired === 1 ? ' A one-task service needs maximumPercent 200 and minimumHealthyPercent 100 to deploy without a gap.' : ''}`,
      fix: updateFix(service, 100, Math.max(200, max)),
      at: at(service, '/deploymentConfiguration/minimumHealthyPercent'),
      evidence,
    });
  }
}

const minimumHealthyPercentCheck: StaticCheck = {
  rule: 'minimum-healthy-percent',
  causes: ['zero-capacity', 'deployment-deadlock'],
  summary:
    'rolling-update services: minimumHealthyPercent that lets a deployment stop every task for the desired count (rounded up as ECS does), and minimum/maximum percentages that leave no room to stop or start a task (e.g. 100/100)',
  service: checkPercents,
};

export default minimumHealthyPercentCheck;
