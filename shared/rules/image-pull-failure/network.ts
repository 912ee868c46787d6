/**
 * Why a Fargate task cannot reach its registry: the route out of its subnet
 * and, for ECR, the VPC endpoints that replace that route in private subnets.
 */
import type { VpcEndpoint } from '@aws-sdk/client-ec2';
import type { Signal } from '../../events/signals';
import type { InvestigationContext, Refinement } from '../rule';
import { shellArg } from '../text';
import { available, describeEgress, subnetRoute, vpcEndpoints } from '../../facts/vpc-path';
import { runsOnFargate, taskOf, taskSubnet } from '../../facts/task';
import { publicIpCommands } from '../../facts/service-placement';
import { ecrEndpointCommands, type Registry } from './detect';

interface EcrEndpoints {
  missing: string[];
  /** Interface endpoints whose private DNS is off: the task resolves ECR's public name and never uses them. */
  noPrivateDns: string[];
  /** An S3 gateway endpoint that exists but is not on the task subnet's route table. */
  s3NotRouted?: string;
}

function ecrEndpoints(endpoints: readonly VpcEndpoint[], region: string, routeTable: string | undefined): EcrEndpoints {
  const result: EcrEndpoints = { missing: [], noPrivateDns: [] };
  for (const service of ['ecr.api', 'ecr.dkr']) {
    const name = `com.amazonaws.${region}.${service}`;
    const endpoint = endpoints.find((e) => e.ServiceName === name && available(e));
    if (!endpoint) result.missing.push(name);
    else if (endpoint.PrivateDnsEnabled === false) result.noPrivateDns.push(endpoint.VpcEndpointId ?? name);
  }
  const s3Name = `com.amazonaws.${region}.s3`;
  const s3 = endpoints.find((e) => e.ServiceName === s3Name && available(e) && e.VpcEndpointType?.toLowerCase() === 'gateway');
  if (!s3) result.missing.push(s3Name);
  else if (routeTable && !s3.RouteTableIds?.includes(routeTable)) result.s3NotRouted = s3.VpcEndpointId ?? s3Name;
  return result;
}

export async function checkPullPath(registry: Registry, signal: Signal, context: InvestigationContext): Promise<Refinement | undefined> {
  const check = "the task subnet's route to the registry";
  const task = taskOf(signal);
  if (!task) {
    context.unchecked(check, 'the signal names no task (diagnose the task state change event to check the network)');
    return undefined;
  }
  if (!runsOnFargate(task)) {
    context.unchecked(check, "on the EC2 launch type the image is pulled through the container instance's network, not the task's");
    return undefined;
  }
  const subnet = taskSubnet(task);
  if (!subnet) {
    context.unchecked(check, 'the event has no ENI attachment with a subnetId');
    return undefined;
  }
  const route = await subnetRoute(subnet, context);
  if (!route) return undefined;
  const { vpc, table, egress, evidence } = route;
  if (!table || !egress) return { evidence };

  const region = registry.region ?? signal.resource.region;
  let endpoints: EcrEndpoints | undefined;
  if (registry.ecr && region) {
    const found = await vpcEndpoints(vpc, context);
    if (found) {
      endpoints = ecrEndpoints(found, region, table.RouteTableId);
      evidence.push({
        source: 'ec2:DescribeVpcEndpoints',
        observed: endpoints.missing.length ? `missing in ${vpc}: ${endpoints.missing.join(', ')}` : `ecr.api, ecr.dkr and s3 endpoints exist in ${vpc}`,
      });
    }
  }
  context.unchecked(
    'whether the task and endpoint security groups allow outbound/inbound 443',
    'ec2:DescribeSecurityGroups is not a reader operation yet',
  );

  const rtb = table.RouteTableId;
  const reachesInternet = egress.kind === 'nat' || egress.kind === 'other';
  if (egress.kind === 'internet-gateway') {
    return {
      evidence,
      explanation: `Subnet ${subnet} routes to an internet gateway (${egress.target}), which only works for a task that has a public IP. The task was most likely started with assignPublicIp=DISABLED, so it cannot reach ${registry.ecr ? 'Amazon ECR' : 'the registry'}.`,
      fix: publicIpCommands(signal.resource, subnet).join('\n'),
    };
  }
  if (endpoints && (endpoints.missing.length || endpoints.noPrivateDns.length || endpoints.s3NotRouted) && !reachesInternet) {
    const commands = ecrEndpointCommands(region, vpc, subnet, rtb).filter((command) =>
      endpoints.missing.some((name) => command.includes(`--service-name ${name} `)),
    );
    if (endpoints.s3NotRouted) commands.push(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpoints.s3NotRouted} --add-route-table-ids ${shellArg(rtb, 'route-table-id')}`);
    for (const id of endpoints.noPrivateDns) commands.push(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${id} --private-dns-enabled`);
    const gaps = [
      endpoints.missing.length ? `no ${endpoints.missing.join(', ')} endpoint` : '',
      endpoints.s3NotRouted ? `the S3 endpoint is not on route table ${rtb}` : '',
      endpoints.noPrivateDns.length ? `private DNS is off on ${endpoints.noPrivateDns.join(', ')}` : '',
    ].filter(Boolean);
    return {
      evidence,
      explanation: `Subnet ${subnet} has no route to the internet (${describeEgress(egress)}) and VPC ${vpc} has ${gaps.join('; ')}, so the task cannot reach Amazon ECR. Fargate pulls through the task's own network interface: a private subnet needs the ecr.api and ecr.dkr interface endpoints and the S3 gateway endpoint (image layers are stored in S3), or a NAT gateway.`,
      fix: [...commands, 'or route the subnet through a NAT gateway:', `aws ec2 create-route --route-table-id ${shellArg(rtb, 'route-table-id')} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>`].join('\n'),
    };
  }
  if (!reachesInternet && !registry.ecr) {
    return {
      evidence,
      explanation: `Subnet ${subnet} has no route to the internet (${describeEgress(egress)}), so the task cannot reach a registry outside AWS; VPC endpoints do not help there.`,
      fix: `aws ec2 create-route --route-table-id ${shellArg(rtb, 'route-table-id')} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>\nor copy the image into ECR (a pull-through cache rule) and add the ECR and S3 endpoints.`,
    };
  }
  // A route (or every endpoint) exists: what remains is filtering, which the bot cannot read yet.
  return {
    evidence,
    explanation: `Subnet ${subnet} has a way out (${describeEgress(egress)}${endpoints && !endpoints.missing.length ? ', and the ECR and S3 endpoints exist' : ''}), yet the connection timed out. Look at what filters the traffic: the task's security group must allow outbound 443 (and the endpoints' security group inbound 443 from the task), the subnet's network ACL must allow 443 out and ephemeral ports back, and the VPC needs DNS resolution enabled.`,
  };
}
