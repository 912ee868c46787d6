import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every pattern detect.ts claims a text by contains one of these. */
const mentionsAddressesOrEnis = /InsufficientFreeAddressesInSubnet|free (?:ipv4 )?addresses|RESOURCE:ENI\b|network interface attachment points|attach network interface/i;

/**
 * Seed footgun 2. Every awsvpc task gets its own network interface: on Fargate
 * that is a private IP from the service's subnets, on EC2 also an ENI slot on
 * the instance. Either runs out before CPU or memory does.
 */
export default defineRule({
  meta: {
    id: 'awsvpc-ip-exhaustion',
    title: 'awsvpc tasks ran out of subnet IP addresses or instance network interfaces',
    seed: 2,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'service-action'],
    triggers:
      '"InsufficientFreeAddressesInSubnet" / "not enough free addresses" in a stoppedReason or error (subnet-ips); "RESOURCE:ENI", "doesn\'t have any available elastic network interface attachment points" or "Unable to attach network interface to unused device index" in a placement failure or stoppedReason (eni-limit)',
    checks: [
      "the service's subnets, desired count and maximumPercent (ecs:DescribeServices)",
      'free addresses per subnet against what a deployment at maximumPercent needs (ec2:DescribeSubnets)',
      'the container instances\' types and whether they have a trunk interface, from their ecs.awsvpc-trunk-id attribute (ecs:ListContainerInstances, ecs:DescribeContainerInstances)',
      'network interfaces per instance type, from a table or ec2:DescribeInstanceTypes',
    ],
    needs: [
      'ecs:DescribeServices',
      'ec2:DescribeSubnets',
      'ecs:ListContainerInstances',
      'ecs:DescribeContainerInstances',
      'ec2:DescribeInstanceTypes',
    ],
    causes: ['subnet-ips', 'eni-limit'],
    autoFix: null,
  },

  applies: (signal) => mentionsAddressesOrEnis.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
