import type { VpcEndpoint } from '@aws-sdk/client-ec2';
import type { ContainerStoppedSignal, SignalOf, TaskStoppedSignal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { taskSubnet } from '../../facts/task';
import { publicIpCommands } from '../../facts/service-placement';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { available, type Egress, subnetRoute, vpcEndpoints } from '../../facts/vpc-path';
import { endpointCommand } from './detect';

type TaskSignal = TaskStoppedSignal | ContainerStoppedSignal;

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

export default async function investigate(_detection: Detection, signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>, context: InvestigationContext): Promise<Refinement | undefined> {
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
}
