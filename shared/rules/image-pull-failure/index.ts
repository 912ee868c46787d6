import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every text detect.ts claims names a pull, a registry, a manifest or a layer. */
const mentionsPullWords = /pull|registry auth|toomanyrequests|descriptor|manifest|GetImageBlob|register layer|requested access|Error: image/i;

/**
 * Image pulls that fail for reasons other than ECR permissions. IAM denials
 * (403 from ECR, "not authorized to perform: ecr:…", secrets and KMS) belong
 * to task-execution-role-confusion and secrets-pull-failure.
 */
export default defineRule({
  meta: {
    id: 'image-pull-failure',
    title: 'The container image could not be pulled',
    seed: null,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      'CannotPullContainerError and the agent\'s other pull errors (CannotPullECRContainerError, CannotPullContainerAuthError): image not found (also the agent\'s "Check whether the image exists", ECR\'s "repository does not exist"), connection timeout (also "Check your network configuration"), Docker Hub rate limit, no platform match, no space left, a registry outside ECR answering 401 or 403 (repositoryCredentials); and the ECR connection failure reported as "unable to pull secrets or registry auth: … connection issue between the task and Amazon ECR"',
    checks: [
      "the task subnet's route to the internet (NAT gateway, internet gateway or none)",
      'which of the ecr.api, ecr.dkr and S3 VPC endpoints exist in the VPC',
    ],
    needs: ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcEndpoints'],
    causes: ['not-found', 'network', 'rate-limit', 'wrong-platform', 'disk-full', 'registry-auth'],
    autoFix: null,
  },

  applies: (signal) => mentionsPullWords.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
