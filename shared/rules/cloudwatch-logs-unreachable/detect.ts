import type { Detection } from '../rule';
import type { SignalOf } from '../../events/signals';
import { anyOf, matchesAny, quoted, regionNamedIn, shellArg } from '../text';

/** The texts detect.ts claims, all of them. */
const unreachable = anyOf([
  /There is a connection issue between the task and Amazon CloudWatch/i,
  // The first sentence alone, when the reason is cut short.
  /The task cannot find the Amazon CloudWatch log group defined in the task definition/i,
  /Cloudwatch log stream:?\s*RequestError:?\s*send request failed/i,
]);

const generalExplanation =
  'The awslogs log driver has to create its log stream before the container starts, and the task could not reach CloudWatch Logs (logs.<region>.amazonaws.com) over its network, so the task failed to start. Despite the words "cannot find the log group", the group is not the problem: the task has no route to CloudWatch Logs — no NAT gateway and no public IP, and no CloudWatch Logs VPC endpoint — or the endpoint\'s security group blocks port 443, or DNS resolution is turned off in the VPC.';

export function endpointCommand(vpc: string | undefined, region: string | undefined, subnet: string | undefined): string {
  return `aws ec2 create-vpc-endpoint --vpc-id ${shellArg(vpc, 'vpc-id')} --vpc-endpoint-type Interface --service-name com.amazonaws.${region ?? '<region>'}.logs --subnet-ids ${shellArg(subnet, 'subnet-id')} --security-group-ids <sg-allowing-443-from-the-tasks> --private-dns-enabled`;
}

function generalFix(region: string | undefined): string {
  return [
    'Give the task a network path to CloudWatch Logs, one of:',
    '- private subnet: an interface VPC endpoint, or a route 0.0.0.0/0 to a NAT gateway;',
    endpointCommand(undefined, region, undefined),
    '- public subnet: assignPublicIp=ENABLED in the awsvpcConfiguration of the service or run-task;',
    '- and keep "DNS resolution" and "DNS hostnames" enabled on the VPC (the endpoint\'s private DNS needs both).',
  ].join('\n');
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>): Detection | null {
  if (!matchesAny(signal.text, unreachable)) return null;
  return {
    cause: 'network',
    specificity: 'root-cause',
    explanation: generalExplanation.replace('<region>', signal.resource.region ?? '<region>'),
    fix: generalFix(signal.resource.region ?? regionNamedIn(signal.text)),
    evidence: [quoted(signal.source, signal.text)],
  };
}

