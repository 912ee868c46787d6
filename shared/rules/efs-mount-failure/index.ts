import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every text detect.ts claims names EFS, NFS or the volume driver. */
const mentionsEfs = /EFS|mount\.nfs|VolumeDriver/i;

/**
 * The task's EFS volume could not be mounted. Fargate reports it as
 * "ResourceInitializationError: failed to invoke EFS utils commands to set up
 * EFS volumes: stderr: …", EC2 as a VolumeDriver.Create error.
 */
export default defineRule({
  meta: {
    id: 'efs-mount-failure',
    title: 'The task could not mount its EFS volume',
    seed: null,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      '"failed to invoke EFS utils commands to set up EFS volumes" (ResourceInitializationError) or a VolumeDriver.Create mount error: unresolvable mount target, NFS connection timeout, "access denied by server", missing root directory, or EFS on a Fargate platform version before 1.4.0',
    checks: [
      "the task definition's EFS volume (file system, root directory, access point, IAM authorization) and task role",
      "the task subnet's Availability Zone and VPC",
    ],
    needs: ['ecs:DescribeTaskDefinition', 'ec2:DescribeSubnets'],
    causes: ['network', 'access-point', 'iam', 'platform-version'],
    autoFix: null,
  },

  applies: (signal) => mentionsEfs.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
