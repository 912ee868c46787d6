/** Fargate has no instances to scale: what matters is where the service may run (subnets, Availability Zones) and how much it asks for. */
import type { Signal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { networkConfigurationArg, readService, serviceArgs, serviceEvidence } from '../../facts/service-placement';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { resourceOf } from './context';
import { readServiceScaling } from './service-scaling';

export async function investigateFargate(detection: Detection, signal: Signal, context: InvestigationContext): Promise<Refinement | undefined> {
  const resource = resourceOf(detection, signal);
  const recheck = signal.kind === 'pending-recheck';
  const service = recheck ? signal.service : await readService(context, resource, "the service's subnets and capacity providers");
  if (!service) return undefined;
  const evidence: Evidence[] = [serviceEvidence(service)];
  // Only a PROVISIONING pileup asks why the service wants that many tasks; a placement failure is about the zone.
  const scaling = recheck && resource.cluster ? await readServiceScaling(context, resource.cluster, service) : undefined;
  evidence.push(...(scaling?.evidence ?? []));
  const prefix = scaling?.summary ? `${detection.explanation} ${scaling.summary}` : detection.explanation;

  const awsvpc = service.networkConfiguration?.awsvpcConfiguration;
  const subnets = awsvpc?.subnets ?? [];
  if (subnets.length === 0) return { evidence, explanation: prefix };
  const described = await context.read('ec2:DescribeSubnets', { SubnetIds: subnets }, 'which Availability Zones the service subnets are in');
  if (!described) return { evidence, explanation: prefix };
  const found = described.Subnets ?? [];
  const zones = [...new Set(found.map((s) => s.AvailabilityZone ?? '?'))];
  const free = found.reduce((sum, s) => sum + (s.AvailableIpAddressCount ?? 0), 0);
  evidence.push({
    source: 'ec2:DescribeSubnets',
    observed: `${subnets.length} subnet(s) in ${zones.length} Availability Zone(s): ${zones.join(', ')}${recheck ? `; ${free} free address(es)` : ''}`,
  });
  const noAddresses = recheck && found.length > 0 && free === 0;
  if (zones.length > 1 && !noAddresses) return { evidence, explanation: prefix };
  if (noAddresses) {
    return {
      evidence,
      explanation: `${prefix} The service's subnets have no free address left, and every Fargate task needs one for its network interface.`,
      fix: [
        'Give the service larger subnets (a /20 has 4,091 usable addresses), keeping its security groups:',
        `aws ecs update-service ${serviceArgs(resource)} --network-configuration ${networkConfigurationArg(awsvpc, ['<new-subnet-a>', '<new-subnet-b>'])}`,
      ].join('\n'),
    };
  }
  return {
    evidence,
    explanation: `${prefix} All of this service's subnets are in ${zones[0]}, so when that zone is short of Fargate capacity no task can start anywhere.`,
    fix: [
      'Add subnets in other Availability Zones to the service:',
      `aws ecs update-service ${serviceArgs(resource)} --network-configuration ${networkConfigurationArg(awsvpc, [...subnets, '<subnet-in-another-az>'])}`,
    ].join('\n'),
  };
}
