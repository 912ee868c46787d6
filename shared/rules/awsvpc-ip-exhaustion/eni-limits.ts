/**
 * How many awsvpc tasks an EC2 container instance can host.
 *
 * Sources, as copied in /work/shared/reference/aws-limits-and-cold-start.md §6:
 * - ENIs per instance type: aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go
 *   (generated from EC2 DescribeInstanceTypes); canonical page
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AvailableIpPerENI.html
 * - Tasks with awsvpcTrunking by size, and the families that support it:
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html
 * Types not listed here are looked up with ec2:DescribeInstanceTypes.
 */

/** Network interfaces per instance type (the primary ENI included). */
export const enisByInstanceType: Readonly<Record<string, number>> = {
  'c5.large': 3,
  'c5.xlarge': 4,
  'c5.2xlarge': 4,
  'c5.4xlarge': 8,
  'm5.large': 3,
  'c6i.large': 3,
  'c7g.large': 3,
  't3.medium': 3,
};

const trunkingFamilies = new Set(['c5', 'c6i', 'c6a', 'c6g', 'c7g', 'm5', 'm6i', 'm6a', 'm6g', 'm7g', 'r5', 'r6i']);
const tasksWithTrunkingBySize: Readonly<Record<string, number>> = { large: 10, xlarge: 20, '2xlarge': 40, '4xlarge': 60 };

/** Without trunking every awsvpc task takes one ENI, and the primary ENI is the instance's own. */
export function tasksWithoutTrunking(enis: number): number {
  return Math.max(enis - 1, 0);
}

/** awsvpc tasks per instance with trunking on, where the documentation gives a number. */
export function tasksWithTrunking(instanceType: string): number | undefined {
  const [family = '', size = ''] = instanceType.split('.');
  return trunkingFamilies.has(family) ? tasksWithTrunkingBySize[size] : undefined;
}
