import type { Detection } from '../rule';
import type { Signal, SignalOf } from '../../events/signals';
import { anyOf, firstMatch, quoted, shellArg } from '../text';
import { serviceArgs, serviceNamedIn } from '../../facts/service-placement';

const subnetFull = anyOf([
  /InsufficientFreeAddressesInSubnet/i,
  /(?:not|n't) (?:have )?enough free addresses/i,
  /insufficient free (?:ipv4 )?addresses/i,
  /aren'?t sufficient free ipv4 addresses/i,
]);
const eniSlotsFull = anyOf([
  /RESOURCE:ENI\b/i,
  /(?:doesn't|does not) have any available elastic network interface attachment points/i,
  /Unable to attach network interface to unused device index/i,
]);

export const subnetIdPattern = /subnet-[0-9a-f]{8,17}/i;
const containerInstancePattern = /container-instance[\s/]+([0-9a-f-]{32,36})/i;

export const trunkingCommands = [
  'aws ecs put-account-setting --name awsvpcTrunking --value enabled --principal-arn <container-instance-role-arn>',
  'or for every principal in the account:',
  'aws ecs put-account-setting-default --name awsvpcTrunking --value enabled',
  // An instance refresh terminates the running instances: ecs-medic names it, the user starts it when the tasks can move.
  'then replace the container instances (drain them, or an instance refresh of their Auto Scaling group): only instances launched after the opt-in get a trunk interface.',
].join('\n');

export function subnetFix(signal: Signal, subnets: readonly string[]): string {
  const ids = subnets.length ? subnets.join(' ') : shellArg(subnetIdPattern.exec(signal.text)?.[0], 'subnet-ids');
  return [
    'See how many addresses each subnet has left:',
    `aws ec2 describe-subnets --subnet-ids ${ids} --query 'Subnets[].[SubnetId,AvailabilityZone,CidrBlock,AvailableIpAddressCount]'`,
    'Then give the tasks larger subnets (a /20 has 4,091 usable addresses) in more Availability Zones:',
    `aws ecs update-service ${serviceArgs(signal.resource)} --network-configuration 'awsvpcConfiguration={subnets=[<subnet-a>,<subnet-b>],securityGroups=[<security-group>],assignPublicIp=<assign-public-ip>}'`,
  ].join('\n');
}

export const eniFix = [
  'Turn on ENI trunking so each instance takes many more awsvpc tasks (a c5.large goes from 2 to 10):',
  trunkingCommands,
  'Or run these tasks in bridge network mode, or on instance types with more network interfaces.',
].join('\n');

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'service-action'>): Detection | null {
  const evidence = [quoted(signal.source, signal.text)];
  if (firstMatch(signal.text, subnetFull)) {
    return {
      cause: 'subnet-ips',
      specificity: 'root-cause',
      explanation:
        'Every awsvpc task (every Fargate task) gets its own network interface with a private IP from one of its subnets. The subnet had no free address left, so the task stopped before any container ran. Load balancers, NAT gateways, VPC endpoints and other ENIs share those addresses, and a deployment at maximumPercent briefly needs an address for every old and new task.',
      fix: subnetFix(signal, []),
      evidence,
    };
  }
  if (firstMatch(signal.text, eniSlotsFull)) {
    const instance = containerInstancePattern.exec(signal.text)?.[1];
    const service = signal.resource.service ? undefined : serviceNamedIn(signal.text);
    const resource = { ...(instance ? { containerInstance: instance } : {}), ...(service ? { service } : {}) };
    return {
      cause: 'eni-limit',
      specificity: 'root-cause',
      explanation:
        'On EC2, each awsvpc task takes a whole elastic network interface on its instance, and an instance has only a few (a c5.large has 3, one of them its own, so it hosts 2 awsvpc tasks). The cluster ran out of interface slots before it ran out of CPU or memory. ENI trunking (awsvpcTrunking) raises the limit on supported instance types launched after it is turned on.',
      fix: eniFix,
      evidence,
      ...(instance || service ? { resource } : {}),
    };
  }
  return null;
}

