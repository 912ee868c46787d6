import type { VpcEndpoint } from '@aws-sdk/client-ec2';
import type { ContainerStoppedSignal, TaskStoppedSignal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { taskSubnet } from '../../facts/task';
import { publicIpCommands } from '../../facts/service-placement';
import { defineRule, type InvestigationContext, type Refinement } from '../rule';
import { anyOf, firstMatch, quoted, regionNamedIn, shellArg } from '../text';
import { available, type Egress, subnetRoute, vpcEndpoints } from '../../facts/vpc-path';

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

type TaskSignal = TaskStoppedSignal | ContainerStoppedSignal;

const generalExplanation =
  'The awslogs log driver has to create its log stream before the container starts, and the task could not reach CloudWatch Logs (logs.<region>.amazonaws.com) over its network, so the task failed to start. Despite the words "cannot find the log group", the group is not the problem: the task has no route to CloudWatch Logs — no NAT gateway and no public IP, and no CloudWatch Logs VPC endpoint — or the endpoint\'s security group blocks port 443, or DNS resolution is turned off in the VPC.';

function endpointCommand(vpc: string | undefined, region: string | undefined, subnet: string | undefined): string {
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

const dnsCheck = 'whether DNS resolution and DNS hostnames are enabled in the VPC';
const dnsWhy = 'ec2:DescribeVpcAttribute is not a reader operation yet';

/** Names the missing piece of the path from the subnet's route and the VPC's logs endpoint. */
function diagnosis(
  signal: TaskSignal,
  at: { subnet: string; vpc: string; region: string | undefined },
  egress: Egress | undefined,
  endpoint: VpcEndpoint | undefined,
  context: InvestigationContext,
): Refinement {
  const { subnet, vpc, region } = at;
  const target = egress?.target;
  if (endpoint && endpoint.PrivateDnsEnabled !== true) {
    return {
      cause: 'endpoint-private-dns-off',
      explanation: `The VPC has a CloudWatch Logs endpoint (${endpoint.VpcEndpointId}), but its private DNS is off, so logs.${region ?? '<region>'}.amazonaws.com still resolves to the public address, which the task cannot reach. The awslogs driver could not create its log stream and the task failed to start.`,
      fix: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${shellArg(endpoint.VpcEndpointId, 'vpc-endpoint-id')} --private-dns-enabled`,
    };
  }
  if (endpoint) {
    context.unchecked(dnsCheck, dnsWhy);
    context.unchecked(`the security groups of endpoint ${endpoint.VpcEndpointId}`, 'ec2:DescribeSecurityGroups is not a reader operation yet');
    return {
      cause: 'network',
      explanation: `The VPC has a CloudWatch Logs endpoint (${endpoint.VpcEndpointId}) with private DNS, yet the task could not reach it: its security group (${(endpoint.Groups ?? []).map((g) => g.GroupId).join(', ') || 'none'}) must allow TCP 443 from the task, and the VPC must have DNS resolution and DNS hostnames enabled.`,
      fix: [
        'Allow HTTPS from the task to the endpoint:',
        `aws ec2 authorize-security-group-ingress --group-id ${shellArg(endpoint.Groups?.[0]?.GroupId, 'endpoint-sg')} --protocol tcp --port 443 --source-group <task-sg>`,
        'and enable DNS on the VPC:',
        `aws ec2 modify-vpc-attribute --vpc-id ${vpc} --enable-dns-support "{\\"Value\\":true}"`,
      ].join('\n'),
    };
  }
  if (egress?.kind === 'nat') {
    context.unchecked(dnsCheck, dnsWhy);
    return {
      cause: 'network',
      explanation: `Subnet ${subnet} routes to the internet through NAT gateway ${target}, so a path exists on paper; the connection is blocked further along: the task's security group egress (TCP 443), the subnet's network ACL, the NAT gateway's own subnet route, or DNS resolution turned off in the VPC.`,
      fix: `Check the task's security group allows outbound TCP 443 and the network ACL of ${subnet} allows 443 out and ephemeral ports back; or bypass the NAT with an endpoint:\n${endpointCommand(vpc, region, subnet)}`,
    };
  }
  if (egress?.kind === 'internet-gateway') {
    return {
      cause: 'no-public-ip',
      explanation: `Subnet ${subnet} is public (0.0.0.0/0 → ${target}) and the VPC has no CloudWatch Logs endpoint, so the task can only reach CloudWatch Logs with a public IP; a Fargate task launched with assignPublicIp=DISABLED in a public subnet has no way out, and its log stream cannot be created.`,
      fix: `${publicIpCommands(signal.resource, subnet).join('\n')}\nor keep it private with a CloudWatch Logs endpoint:\n${endpointCommand(vpc, region, subnet)}`,
    };
  }
  return {
    cause: 'no-route',
    explanation: `Subnet ${subnet} has no route to the internet (no 0.0.0.0/0 route to a NAT or internet gateway${target ? `; its default route goes to ${target}` : ''}) and the VPC has no CloudWatch Logs endpoint, so the awslogs driver cannot reach logs.${region ?? '<region>'}.amazonaws.com and the task fails to start.`,
    fix: `Create the CloudWatch Logs interface endpoint (or add a NAT gateway route):\n${endpointCommand(vpc, region, subnet)}`,
  };
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

  async investigate(_detection, signal, context) {
    if (signal.kind !== 'task-stopped' && signal.kind !== 'container-stopped') {
      context.unchecked('the network path from the task to CloudWatch Logs', 'the signal names no task, so no subnet');
      return undefined;
    }
    const subnet = taskSubnet(signal.task);
    if (!subnet) {
      context.unchecked('the network path from the task to CloudWatch Logs', 'the task has no awsvpc subnet in the event (bridge or host network: the instance\'s network is used)');
      return undefined;
    }
    const route = await subnetRoute(subnet, context);
    if (!route) return undefined;
    const { vpc, table, egress } = route;
    const region = signal.resource.region;
    const endpoints = await vpcEndpoints(vpc, context);
    // Without the route table or the endpoint list the path cannot be judged; the reads recorded why.
    if (!table || !endpoints) return undefined;
    const logs = endpoints.filter((e) => e.ServiceName === `com.amazonaws.${region ?? ''}.logs`);
    const endpoint = logs.find(available) ?? logs[0];
    const evidence: Evidence[] = [
      ...route.evidence,
      {
        source: 'ec2:DescribeVpcEndpoints',
        observed: endpoint
          ? `${endpoint.VpcEndpointId} (${endpoint.ServiceName}, ${endpoint.State}, private DNS ${endpoint.PrivateDnsEnabled ? 'on' : 'off'})`
          : `no com.amazonaws.${region ?? '<region>'}.logs endpoint in ${vpc}`,
      },
    ];
    return { ...diagnosis(signal, { subnet, vpc, region }, egress, endpoint, context), evidence };
  },
});
