import { at, type Report, type ServiceSubject, type StaticCheck, seen } from '../../static/check';
import { clusterLabel, onFargate, serviceLabel } from '../../static/service';

/**
 * Reproducibility, not a defect: AWS's own controls (Security Hub ECS.10)
 * recommend LATEST, and LATEST is what a Fargate service gets by default. The
 * price is that the same service can run tasks on two platform versions at
 * once when AWS moves LATEST, so this is info, and "mixed" is a warning.
 */

function checkPlatform(subject: ServiceSubject, report: Report): void {
  const { service } = subject;
  if (!onFargate(subject)) return;
  const name = serviceLabel(service.value);
  const versions = [...new Set((service.value.deployments ?? []).map((d) => d.platformVersion).filter((v): v is string => typeof v === 'string'))];
  if (versions.length > 1) {
    report.issue({
      cause: 'mixed-versions',
      severity: 'warning',
      title: `Service ${name} runs tasks on ${versions.length} Fargate platform versions at once`,
      explanation: `Its deployments run platform versions ${versions.join(', ')}: the same task definition behaves differently between tasks (networking, storage, agent features), which makes failures hard to reproduce.`,
      fix: `Finish or roll back the deployment in progress, or pin one version: aws ecs update-service --cluster ${clusterLabel(service.value)} --service ${name} --platform-version <version> --force-new-deployment`,
      at: at(service, '/deployments'),
      evidence: [seen(service, '/deployments', (service.value.deployments ?? []).map((d) => `${d.status ?? '?'} ${d.platformVersion ?? '?'}`).join('; '))],
    });
    return;
  }
  const version = service.value.platformVersion;
  if (version !== undefined && version !== 'LATEST') return;
  report.issue({
    cause: 'unpinned',
    severity: 'info',
    title: `Service ${name} runs Fargate platform LATEST`,
    explanation:
      'LATEST is what AWS recommends (Security Hub control ECS.10), and it resolves when each task starts: when AWS moves it, old and new tasks of the service run different platform versions until the next deployment. Pin a version only if reproducible builds matter more than automatic platform updates.',
    fix: `To pin: aws ecs update-service --cluster ${clusterLabel(service.value)} --service ${name} --platform-version 1.4.0`,
    at: at(service, '/platformVersion'),
    evidence: [seen(service, '/platformVersion', version === undefined ? 'platformVersion not set (LATEST)' : 'platformVersion LATEST')],
  });
}

const platformVersionCheck: StaticCheck = {
  rule: 'platform-version-drift',
  causes: ['unpinned', 'mixed-versions'],
  summary: 'Fargate services: deployments running different platform versions at once (warning), and LATEST or unset platform versions (info: reproducibility; AWS recommends LATEST)',
  service: checkPlatform,
};

export default platformVersionCheck;
