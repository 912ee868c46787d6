import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every text detect.ts claims names CloudWatch. */
const mentionsCloudWatch = /CloudWatch/i;

/**
 * The awslogs driver creates its log stream before the container starts; when
 * the task cannot reach CloudWatch Logs the task fails to start. Fargate 1.4+
 * says so in a ResourceInitializationError that misleadingly begins "cannot
 * find the log group"; Docker (EC2, Fargate ≤1.3) shows the raw connection
 * error. A missing group (log-group-missing) or a denied CreateLogStream
 * (task-execution-role-confusion) is not this rule's.
 */
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

  applies: (signal) => mentionsCloudWatch.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
