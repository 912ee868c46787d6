import type { Cluster, ContainerInstance, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Subnet } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { type Located, nothingAround, type ServiceSubject, type Surroundings } from '../../shared/static/check';
import { identity } from '../../shared/static/pointer';
import { runStaticChecks } from '../../shared/static/run';
import { brief, fixture, lintDocuments, ofRule } from './support';

// biome-ignore lint/suspicious/noExplicitAny: fixtures are changed field by field, as JSON
type Json = Record<string, any>;

const services = () => fixture<Json>('describe-services.json');
const register = () => fixture<Json>('register-task-definition.json');

/** Lints one service (with the sample task definition unless given one) as the describe-services output. */
function lintService(change: (service: Json, td: Json) => void) {
  const doc = services();
  const td = register();
  change(doc.services[0], td);
  return lintDocuments({ 'services.json': doc, 'task.json': td }).findings;
}

describe('the sample service', () => {
  it('has no findings from any check', () => {
    expect(lintService(() => {}).map(brief)).toEqual([]);
  });

  it('says what lint could not check offline (free subnet addresses)', () => {
    const { unchecked } = lintDocuments({ 'services.json': services(), 'task.json': register() });
    expect(unchecked).toContainEqual(expect.objectContaining({ check: 'awsvpc-ip-exhaustion: free addresses in the service subnets', reason: expect.stringContaining('lint reads only the files') }));
  });
});

describe('minimum-healthy-percent static check', () => {
  it.each([
    [1, 0, 200, 'minimum-healthy-percent/zero-capacity@/services/0/deploymentConfiguration/minimumHealthyPercent'],
    [3, 0, 100, 'minimum-healthy-percent/zero-capacity@/services/0/deploymentConfiguration/minimumHealthyPercent'],
    [2, 100, 100, 'minimum-healthy-percent/deployment-deadlock@/services/0/deploymentConfiguration/maximumPercent'],
    [1, 50, 100, 'minimum-healthy-percent/deployment-deadlock@/services/0/deploymentConfiguration/maximumPercent'],
    [2, 75, 125, 'minimum-healthy-percent/deployment-deadlock@/services/0/deploymentConfiguration/maximumPercent'],
  ])('desired %i with %i/%i is flagged', (desired, min, max, expected) => {
    const findings = lintService((s) => {
      s.desiredCount = desired;
      s.deploymentConfiguration.minimumHealthyPercent = min;
      s.deploymentConfiguration.maximumPercent = max;
    });
    expect(ofRule(findings, 'minimum-healthy-percent').map(brief)).toEqual([expected]);
  });

  it.each([
    [4, 50, 200],
    [1, 100, 200],
    [3, 34, 200],
  ])('desired %i with %i/%i passes', (desired, min, max) => {
    const findings = lintService((s) => {
      s.desiredCount = desired;
      s.deploymentConfiguration.minimumHealthyPercent = min;
      s.deploymentConfiguration.maximumPercent = max;
    });
    expect(ofRule(findings, 'minimum-healthy-percent')).toEqual([]);
  });

  it('leaves DAEMON services alone (0/100 is their default)', () => {
    const findings = lintService((s) => {
      s.schedulingStrategy = 'DAEMON';
      s.deploymentConfiguration.minimumHealthyPercent = 0;
      s.deploymentConfiguration.maximumPercent = 100;
    });
    expect(ofRule(findings, 'minimum-healthy-percent')).toEqual([]);
  });
});

describe('deployment-circuit-breaker static check', () => {
  it('flags a service without a circuit breaker, and one without rollback', () => {
    expect(ofRule(lintService((s) => delete s.deploymentConfiguration.deploymentCircuitBreaker), 'deployment-circuit-breaker').map(brief)).toEqual([
      'deployment-circuit-breaker/no-circuit-breaker@/services/0/deploymentConfiguration/deploymentCircuitBreaker',
    ]);
    expect(ofRule(lintService((s) => (s.deploymentConfiguration.deploymentCircuitBreaker.rollback = false)), 'deployment-circuit-breaker').map((f) => f.severity)).toEqual(['info']);
  });

  it('accepts deployment alarms instead, and leaves CODE_DEPLOY services alone', () => {
    const alarms = lintService((s) => {
      delete s.deploymentConfiguration.deploymentCircuitBreaker;
      s.deploymentConfiguration.alarms = { alarmNames: ['webserver-5xx'], enable: true, rollback: true };
    });
    expect(ofRule(alarms, 'deployment-circuit-breaker')).toEqual([]);
    const blueGreen = lintService((s) => {
      delete s.deploymentConfiguration.deploymentCircuitBreaker;
      s.deploymentController = { type: 'CODE_DEPLOY' };
    });
    expect(ofRule(blueGreen, 'deployment-circuit-breaker')).toEqual([]);
  });
});

describe('health-check-grace-period static check', () => {
  it('flags no grace period behind a load balancer', () => {
    const findings = lintService((s, td) => {
      delete s.healthCheckGracePeriodSeconds;
      delete td.containerDefinitions[0].healthCheck;
    });
    expect(ofRule(findings, 'health-check-grace-period').map(brief)).toEqual(['health-check-grace-period/elb-health-check@/services/0/healthCheckGracePeriodSeconds']);
    expect(findings.find((f) => f.rule === 'health-check-grace-period')?.fix).toBe(
      'aws ecs update-service --cluster prod --service webserver --health-check-grace-period-seconds 60',
    );
  });

  it('flags a grace period shorter than the container health check startPeriod', () => {
    const findings = lintService((_s, td) => (td.containerDefinitions[0].healthCheck.startPeriod = 90));
    const [finding] = ofRule(findings, 'health-check-grace-period');
    expect(finding?.cause).toBe('container-health-check');
    expect(finding?.fix).toContain('--health-check-grace-period-seconds 90');
    expect(finding?.evidence[1]?.source).toBe('task.json#/containerDefinitions/0/healthCheck/startPeriod');
  });

  it('leaves services without a load balancer alone', () => {
    expect(ofRule(lintService((s) => {
      s.loadBalancers = [];
      s.healthCheckGracePeriodSeconds = 0;
    }), 'health-check-grace-period')).toEqual([]);
  });
});

describe('ecs-exec-not-ready static check', () => {
  it('says nothing while ECS Exec is off', () => {
    expect(ofRule(lintService((_s, td) => delete td.taskRoleArn), 'ecs-exec-not-ready')).toEqual([]);
  });

  it('flags what amazon-ecs-exec-checker flags: platform < 1.4.0, no task role, read-only root, AWS keys in the environment', () => {
    const findings = lintService((s, td) => {
      s.enableExecuteCommand = true;
      s.platformVersion = '1.3.0';
      delete td.taskRoleArn;
      td.containerDefinitions[0].readonlyRootFilesystem = true;
      td.containerDefinitions[0].environment = [{ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' }];
      delete td.containerDefinitions[0].linuxParameters;
    });
    expect(ofRule(findings, 'ecs-exec-not-ready').map(brief).sort()).toEqual([
      'ecs-exec-not-ready/init-process@/containerDefinitions/0/linuxParameters',
      'ecs-exec-not-ready/platform-version@/services/0/platformVersion',
      'ecs-exec-not-ready/read-only-root@/containerDefinitions/0/readonlyRootFilesystem',
      'ecs-exec-not-ready/static-credentials@/containerDefinitions/0/environment',
      'ecs-exec-not-ready/task-role-permissions@/taskRoleArn',
    ]);
  });

  it('with exec on and a ready task, only notes that the task role policies were not read', () => {
    const doc = services();
    doc.services[0].enableExecuteCommand = true;
    const result = lintDocuments({ 'services.json': doc, 'task.json': register() });
    expect(ofRule(result.findings, 'ecs-exec-not-ready')).toEqual([]);
    expect(result.unchecked.map((u) => u.check)).toContain("ecs-exec-not-ready: the task role's 4 ssmmessages permissions for ECS Exec");
  });
});

describe('platform-version-drift static check', () => {
  it('notes LATEST (info: reproducibility) and flags mixed versions across deployments', () => {
    const latest = ofRule(lintService((s) => (s.platformVersion = 'LATEST')), 'platform-version-drift');
    expect(latest.map((f) => `${f.cause} ${f.severity}`)).toEqual(['unpinned info']);
    expect(latest[0]?.explanation).toContain('AWS recommends');
    const mixed = lintService((s) => s.deployments.push({ ...s.deployments[0], status: 'ACTIVE', platformVersion: '1.3.0' }));
    expect(ofRule(mixed, 'platform-version-drift').map(brief)).toEqual(['platform-version-drift/mixed-versions@/services/0/deployments']);
  });
});

/** A subject as the audit builds it: SDK objects with the account around them. */
function located<T>(value: T, source: string): Located<T> {
  return { value, origin: { source, resource: {}, pointerOf: identity('') } };
}

function accountAround(subnets: Record<string, number>, logGroups: string[] = []): Surroundings {
  return {
    ...nothingAround('unused'),
    accountFacts: null,
    subnet: (id) => (id in subnets ? ({ SubnetId: id, AvailableIpAddressCount: subnets[id] } as Subnet) : undefined),
    logGroupExists: (name) => logGroups.includes(name),
  };
}

function auditService(service: Json, around: Surroundings): ServiceSubject {
  return { service: located(service as Service, 'ecs:DescribeServices'), taskDefinition: located(register() as TaskDefinition, 'ecs:DescribeTaskDefinition'), targetGroups: [], around };
}

describe('awsvpc-ip-exhaustion static check (audit facts)', () => {
  it('flags subnets with fewer free addresses than the deployment peak needs', () => {
    const service = { ...services().services[0], desiredCount: 20, runningCount: 20 };
    const tight = runStaticChecks({ taskDefinitions: [], services: [auditService(service, accountAround({ 'subnet-0a1b2c3d4e5f60001': 8, 'subnet-0a1b2c3d4e5f60002': 9 }))], clusters: [] });
    const [finding] = ofRule(tight.findings, 'awsvpc-ip-exhaustion');
    expect(finding?.cause).toBe('subnet-ips');
    expect(finding?.explanation).toContain('up to 40 tasks');
    expect(finding?.explanation).toContain('17 free');
    const roomy = runStaticChecks({ taskDefinitions: [], services: [auditService(service, accountAround({ 'subnet-0a1b2c3d4e5f60001': 10, 'subnet-0a1b2c3d4e5f60002': 10 }))], clusters: [] });
    expect(ofRule(roomy.findings, 'awsvpc-ip-exhaustion')).toEqual([]);
  });

  function instance(type: string, agent: string, trunk = false): ContainerInstance {
    return {
      ec2InstanceId: `i-${type.replace('.', '')}${agent.replace(/\./g, '')}`,
      versionInfo: { agentVersion: agent },
      attributes: [{ name: 'ecs.instance-type', value: type }, ...(trunk ? [{ name: 'ecs.awsvpc-trunk-id', value: 'eni-0abc' }] : [])],
    };
  }

  function ec2Cluster(instances: ContainerInstance[], service: Json) {
    const subject = auditService({ ...service, launchType: 'EC2' }, accountAround({}));
    subject.taskDefinition = located({ ...register(), requiresCompatibilities: ['EC2'] } as TaskDefinition, 'ecs:DescribeTaskDefinition');
    return runStaticChecks({ taskDefinitions: [], services: [], clusters: [{ cluster: located({ clusterName: 'prod' } as Cluster, 'ecs:DescribeClusters'), containerInstances: instances, services: [subject], around: subject.around }] });
  }

  it('flags a cluster whose instances have fewer awsvpc slots than its services need, and not one with trunking', () => {
    const service = { ...services().services[0], desiredCount: 4 };
    const without = ec2Cluster([instance('c5.large', '1.105.0'), instance('c5.large', '1.105.0')], service);
    expect(ofRule(without.findings, 'awsvpc-ip-exhaustion').map((f) => f.cause)).toEqual(['eni-limit']);
    const trunked = ec2Cluster([instance('c5.large', '1.105.0', true)], service);
    expect(ofRule(trunked.findings, 'awsvpc-ip-exhaustion')).toEqual([]);
  });

  it('agent-version-drift: agents below ECS Exec\'s minimum when a service uses it, and the spread of versions', () => {
    const service = { ...services().services[0], desiredCount: 1, enableExecuteCommand: true };
    const result = ec2Cluster([instance('c5.xlarge', '1.49.0', true), instance('c5.xlarge', '1.105.0', true)], service);
    expect(ofRule(result.findings, 'agent-version-drift').map((f) => `${f.cause} ${f.severity}`)).toEqual(['below-feature-minimum warning', 'fleet-drift info']);
    const same = ec2Cluster([instance('c5.xlarge', '1.105.0', true), instance('c5.xlarge', '1.105.0', true)], service);
    expect(ofRule(same.findings, 'agent-version-drift')).toEqual([]);
  });
});

describe('log-group-missing static check', () => {
  const withoutCreate = () => {
    const td = register();
    delete td.containerDefinitions[0].logConfiguration.options['awslogs-create-group'];
    return td;
  };
  const check = (td: Json, around: Surroundings) =>
    ofRule(runStaticChecks({ taskDefinitions: [{ taskDefinition: located(td as TaskDefinition, 'ecs:DescribeTaskDefinition'), around }], services: [], clusters: [] }).findings, 'log-group-missing');

  it('flags a group that does not exist without awslogs-create-group', () => {
    expect(check(withoutCreate(), accountAround({}, [])).map(brief)).toEqual(['log-group-missing/-@/containerDefinitions/0/logConfiguration/options/awslogs-group']);
  });

  it('passes an existing group, or a missing one with awslogs-create-group', () => {
    expect(check(withoutCreate(), accountAround({}, ['/ecs/webserver']))).toEqual([]);
    expect(check(register(), accountAround({}, []))).toEqual([]);
  });

  it('offline it cannot tell, and says so', () => {
    const result = lintDocuments({ 'task.json': withoutCreate() });
    expect(ofRule(result.findings, 'log-group-missing')).toEqual([]);
    expect(result.unchecked.map((u) => u.check)).toContain('log-group-missing: whether log group /ecs/webserver (container web) exists');
  });
});
