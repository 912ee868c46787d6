import { defineRule, lazyInvestigate } from '../rule';
import { anyOf, firstMatch, quoted, regionNamedIn, shellArg } from '../text';

/**
 * The awslogs driver creates its log stream before the container starts; when
 * the task cannot reach CloudWatch Logs the task fails to start. Fargate 1.4+
 * says so in a ResourceInitializationError that misleadingly begins "cannot
 * find the log group"; Docker (EC2, Fargate ≤1.3) shows the raw connection
 * error. A missing group (log-group-missing) or a denied CreateLogStream
 * (task-execution-role-confusion) is not this rule's.
 */
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

export default defineRule({
  meta: {
    id: 'cloudwatch-logs-unreachable',
    title: 'The task cannot reach CloudWatch Logs, so awslogs fails and the task does not start',
    seed: null,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      '"There is a connection issue between the task and Amazon CloudWatch" (ResourceInitializationError: failed to validate logger args), or "failed to create Cloudwatch log stream: RequestError: send request failed"',
    checks: [
      "the task subnet's VPC (ec2:DescribeSubnets)",
      "the subnet's default route: NAT gateway, internet gateway or none (ec2:DescribeRouteTables)",
      'a com.amazonaws.<region>.logs interface endpoint and its private DNS (ec2:DescribeVpcEndpoints)',
    ],
    needs: ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcEndpoints'],
    causes: ['network', 'no-route', 'no-public-ip', 'endpoint-private-dns-off'],
    autoFix: null,
  },

  detect(signal) {
    if (!firstMatch(signal.text, unreachable)) return null;
    return {
      cause: 'network',
      specificity: 'root-cause',
      explanation: generalExplanation.replace('<region>', signal.resource.region ?? '<region>'),
      fix: generalFix(signal.resource.region ?? regionNamedIn(signal.text)),
      evidence: [quoted(signal.source, signal.text)],
    };
  },

  investigate: lazyInvestigate(() => import('./investigate')),
});
