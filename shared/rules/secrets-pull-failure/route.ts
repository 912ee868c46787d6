/**
 * For a network failure: whether the task's subnet can reach Secrets Manager or
 * SSM at all, through a route out (NAT gateway; an internet gateway only with a
 * public IP) or an interface VPC endpoint with private DNS.
 */
import type { Signal } from '../../events/signals';
import type { Evidence } from '../../findings';
import { runsOnFargate, taskOf, taskSubnet } from '../../facts/task';
import { publicIpCommands } from '../../facts/service-placement';
import type { InvestigationContext } from '../rule';
import { available, describeEgress, subnetRoute, vpcEndpoints } from '../../facts/vpc-path';
import type { SecretStore } from '../../facts/secrets';

const endpointService: Record<SecretStore, string> = { asm: 'secretsmanager', ssm: 'ssm' };

export interface StorePath {
  vpc?: string;
  subnet?: string;
  evidence: Evidence[];
  notes: string[];
  /** Replaces the generic fix when the account shows which piece is missing. */
  fix?: string;
}

export async function checkStorePath(
  stores: readonly SecretStore[],
  region: string | undefined,
  signal: Signal,
  context: InvestigationContext,
): Promise<StorePath> {
  const check = "the task subnet's route to Secrets Manager/SSM";
  const path: StorePath = { evidence: [], notes: [] };
  const task = taskOf(signal);
  const subnet = task && taskSubnet(task);
  if (!task || !subnet || !region) {
    context.unchecked(check, 'the signal names no task subnet or Region');
    return path;
  }
  if (!runsOnFargate(task)) {
    context.unchecked(check, "on the EC2 launch type the agent fetches secrets through the container instance's network, not the task's");
    return path;
  }
  path.subnet = subnet;
  const route = await subnetRoute(subnet, context);
  if (!route) return path;
  const { vpc, egress } = route;
  path.vpc = vpc;
  path.evidence.push(...route.evidence);
  const endpoints = await vpcEndpoints(vpc, context);
  const missing: string[] = [];
  const noPrivateDns: string[] = [];
  if (endpoints) {
    for (const store of stores) {
      const name = `com.amazonaws.${region}.${endpointService[store]}`;
      const endpoint = endpoints.find((e) => e.ServiceName === name && available(e));
      path.evidence.push({
        source: 'ec2:DescribeVpcEndpoints',
        observed: endpoint
          ? `${vpc} has ${name} endpoint ${endpoint.VpcEndpointId} (private DNS ${endpoint.PrivateDnsEnabled ? 'on' : 'off'})`
          : `${vpc} has no ${name} endpoint`,
      });
      if (!endpoint) missing.push(name);
      else if (!endpoint.PrivateDnsEnabled) noPrivateDns.push(endpoint.VpcEndpointId ?? name);
    }
  }
  if (!egress || !endpoints) return path;

  if (egress.kind === 'internet-gateway' && missing.length > 0) {
    path.notes.push(
      `Subnet ${subnet} routes to an internet gateway (${egress.target}), which only works for a task with a public IP; without one (assignPublicIp=DISABLED) it cannot reach ${missing.join(', ')}.`,
    );
    path.fix = [
      ...publicIpCommands(signal.resource, subnet),
      `or keep the task private and create the ${missing.join(' and ')} interface endpoint with private DNS in ${vpc}.`,
    ].join('\n');
    return path;
  }
  if (egress.kind === 'none' && missing.length > 0) {
    path.notes.push(`Subnet ${subnet} has no route out (${describeEgress(egress)}) and ${vpc} has no ${missing.join(' or ')} endpoint: the task has no way to reach it.`);
    return path;
  }
  if (noPrivateDns.length > 0) {
    path.notes.push(
      `Private DNS is off on ${noPrivateDns.join(', ')}, so the task resolves the public service name${egress.kind === 'none' ? ', which its subnet has no route to' : ' and bypasses the endpoint'}.`,
    );
    path.fix = noPrivateDns.map((id) => `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${id} --private-dns-enabled --region ${region}`).join('\n');
    return path;
  }
  // A way out exists (a NAT route or the endpoints): what remains is filtering.
  context.unchecked("whether the task's and the endpoint's security groups allow 443", "the task's security groups are not in its state change event");
  path.notes.push(
    `Subnet ${subnet} has a way to it (${missing.length === 0 ? 'the interface endpoint' : describeEgress(egress)}), yet the request timed out: look at what filters the traffic — the task's security group must allow outbound 443 (and the endpoint's security group inbound 443 from the task), the subnet's network ACL must allow 443 out and ephemeral ports back, and the VPC needs DNS resolution enabled.`,
  );
  path.fix = `aws ec2 describe-security-groups --group-ids <task-sg> --query 'SecurityGroups[].IpPermissionsEgress' --region ${region}`;
  return path;
}
