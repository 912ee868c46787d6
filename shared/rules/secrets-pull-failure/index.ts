import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every secrets fetch detect.ts claims (shared/facts/secrets.ts) names a secret or Systems Manager. */
const mentionsSecrets = /secret|Systems Manager/i;

/**
 * Seed footgun 11. Before a container starts, the ECS agent fetches every
 * `secrets[].valueFrom` with the task EXECUTION role; which texts mean that is
 * in shared/facts/secrets.ts (isSecretsFetch). The seed calls the message "maddeningly
 * vague": the part after the prefix usually names the cause, so it is split here.
 */
export default defineRule({
  meta: {
    id: 'secrets-pull-failure',
    title: 'A task could not fetch its secrets at start',
    seed: 11,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      '"unable to retrieve secret(s) from asm|ssm" (ResourceInitializationError, Fargate 1.4+), "Fetching secret data from AWS Secrets Manager | SSM Parameter Store" (EC2 agent) or "The task can\'t retrieve the secret with ARN …", split by AccessDenied, KMS, timeout, not found or bad JSON key',
    checks: [
      "every secrets[].valueFrom of every container and the task's execution role (ecs:DescribeTaskDefinition)",
      'secrets whose ARN is in another Region than the task',
      'whether each secret exists and which KMS key encrypts it (secretsmanager:DescribeSecret per secret, one ssm:DescribeParameters for all parameters; kms:DescribeKey for an alias)',
      "whether the execution role's identity policies allow reading each exact ARN and kms:Decrypt on each customer managed key (one iam:SimulatePrincipalPolicy)",
      'whether each customer managed key policy lets the role decrypt: named directly, through the account root (then IAM decides), denied, or only under conditions (kms:GetKeyPolicy)',
      "for a network failure: the task subnet's default route (NAT gateway, internet gateway or none) and the VPC's secretsmanager/ssm interface endpoints and their private DNS",
    ],
    needs: [
      'ecs:DescribeTaskDefinition',
      'secretsmanager:DescribeSecret',
      'ssm:DescribeParameters',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'iam:SimulatePrincipalPolicy',
      'ec2:DescribeSubnets',
      'ec2:DescribeRouteTables',
      'ec2:DescribeVpcEndpoints',
    ],
    causes: ['permission', 'kms', 'network', 'not-found', 'invalid-json'],
    autoFix: null,
  },

  applies: (signal) => mentionsSecrets.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
