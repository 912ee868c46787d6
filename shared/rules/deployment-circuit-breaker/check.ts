import { at, type Report, type ServiceSubject, type StaticCheck, seen } from '../../static/check';
import { clusterLabel, isDaemon, rollsOut, serviceLabel } from '../../static/service';

/**
 * Before a bad release: without the deployment circuit breaker (or
 * deployment alarms) a deployment whose tasks never become healthy retries
 * forever instead of failing and rolling back.
 */

function checkBreaker({ service }: ServiceSubject, report: Report): void {
  const value = service.value;
  if (!rollsOut(value) || isDaemon(value)) return;
  const breaker = value.deploymentConfiguration?.deploymentCircuitBreaker;
  const alarms = value.deploymentConfiguration?.alarms;
  const name = serviceLabel(value);
  const fix = `aws ecs update-service --cluster ${clusterLabel(value)} --service ${name} --deployment-configuration "deploymentCircuitBreaker={enable=true,rollback=true}"`;
  if (breaker?.enable === true) {
    if (breaker.rollback === true || alarms?.rollback === true) return;
    report.issue({
      cause: 'no-rollback',
      severity: 'info',
      title: `Service ${name} stops failed deployments but does not roll them back`,
      explanation: 'The circuit breaker marks a failing deployment FAILED, but without rollback the service is left with whatever tasks still run instead of returning to the last working revision.',
      fix,
      at: at(service, '/deploymentConfiguration/deploymentCircuitBreaker/rollback'),
      evidence: [seen(service, '/deploymentConfiguration/deploymentCircuitBreaker', 'enable true, rollback false')],
    });
    return;
  }
  if (alarms?.enable === true) return;
  report.issue({
    cause: 'no-circuit-breaker',
    severity: 'warning',
    title: `Service ${name} has no deployment circuit breaker`,
    explanation:
      'Without the deployment circuit breaker (or deployment alarms) a deployment whose tasks fail to start or fail health checks never fails: ECS keeps replacing tasks, the release neither ships nor rolls back, and nothing but the task churn says so.',
    fix,
    at: at(service, '/deploymentConfiguration/deploymentCircuitBreaker'),
    evidence: [seen(service, '/deploymentConfiguration', breaker ? 'deploymentCircuitBreaker.enable false' : 'no deploymentCircuitBreaker, no deployment alarms')],
  });
}

const deploymentCircuitBreakerCheck: StaticCheck = {
  rule: 'deployment-circuit-breaker',
  causes: ['no-circuit-breaker', 'no-rollback'],
  summary: 'rolling-update services without the deployment circuit breaker (or deployment alarms), or with it but without rollback',
  service: checkBreaker,
};

export default deploymentCircuitBreakerCheck;
