/**
 * The network path out of a task's subnet, for rules whose failure is "the
 * task could not reach an AWS service": where the subnet's default route goes
 * (NAT gateway, internet gateway, nothing) and which VPC endpoints the VPC has.
 */
import type { RouteTable, VpcEndpoint } from '@aws-sdk/client-ec2';
import type { Evidence } from '../findings';
import type { InvestigationContext } from '../rules/rule';

export type Egress = { kind: 'nat' | 'internet-gateway' | 'other' | 'none'; target?: string };

/** Where the subnet's default route goes. A blackholed route (deleted NAT gateway) counts as none. */
export function egressOf(table: RouteTable): Egress {
  const route = table.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.State !== 'blackhole');
  if (!route) return { kind: 'none' };
  if (route.NatGatewayId) return { kind: 'nat', target: route.NatGatewayId };
  if (route.GatewayId?.startsWith('igw-')) return { kind: 'internet-gateway', target: route.GatewayId };
  const target = route.TransitGatewayId ?? route.NetworkInterfaceId ?? route.InstanceId ?? route.VpcPeeringConnectionId;
  return target ? { kind: 'other', target } : { kind: 'other' };
}

export function describeEgress(egress: Egress): string {
  switch (egress.kind) {
    case 'nat':
      return `0.0.0.0/0 → ${egress.target} (NAT gateway)`;
    case 'internet-gateway':
      return `0.0.0.0/0 → ${egress.target} (internet gateway: the task needs a public IP)`;
    case 'other':
      return `0.0.0.0/0 → ${egress.target ?? 'another target'}`;
    case 'none':
      return 'no 0.0.0.0/0 route';
  }
}

export const available = (endpoint: VpcEndpoint) => (endpoint.State ?? '').toLowerCase() === 'available';

async function routeTableOf(subnet: string, vpc: string, context: InvestigationContext): Promise<RouteTable | undefined> {
  const own = await context.read(
    'ec2:DescribeRouteTables',
    { Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] },
    `the route table of subnet ${subnet}`,
  );
  if (!own) return undefined;
  if (own.RouteTables?.[0]) return own.RouteTables[0];
  // A subnet without an explicit association uses the VPC's main route table.
  const main = await context.read(
    'ec2:DescribeRouteTables',
    { Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: 'association.main', Values: ['true'] }] },
    `the main route table of ${vpc}`,
  );
  return main?.RouteTables?.[0];
}

export interface SubnetRoute {
  vpc: string;
  /** Undefined when the route table could not be read (the read is then in `unchecked`). */
  table: RouteTable | undefined;
  egress: Egress | undefined;
  /** The subnet's VPC and, when read, its default route. */
  evidence: Evidence[];
}

/** The subnet's VPC and default route (ec2:DescribeSubnets, ec2:DescribeRouteTables); undefined when the VPC is unknown. */
export async function subnetRoute(subnet: string, context: InvestigationContext): Promise<SubnetRoute | undefined> {
  const subnets = await context.read('ec2:DescribeSubnets', { SubnetIds: [subnet] }, `the VPC of subnet ${subnet}`);
  const vpc = subnets?.Subnets?.[0]?.VpcId;
  if (!vpc) return undefined;
  const evidence: Evidence[] = [{ source: 'ec2:DescribeSubnets', observed: `${subnet} is in ${vpc}` }];
  const table = await routeTableOf(subnet, vpc, context);
  const egress = table && egressOf(table);
  if (table && egress) {
    evidence.push({ source: 'ec2:DescribeRouteTables', observed: `${table.RouteTableId ?? 'route table'}: ${describeEgress(egress)}` });
  }
  return { vpc, table, egress, evidence };
}

/** Every endpoint of a VPC, in one read that every rule asks the same way (the per-diagnosis cache answers repeats). */
export async function vpcEndpoints(vpc: string, context: InvestigationContext): Promise<VpcEndpoint[] | undefined> {
  const found = await context.read('ec2:DescribeVpcEndpoints', { Filters: [{ Name: 'vpc-id', Values: [vpc] }] }, `the VPC endpoints of ${vpc}`);
  return found && (found.VpcEndpoints ?? []);
}
