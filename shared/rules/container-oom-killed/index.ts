import { defineRule, lazyDetect, lazyInvestigate } from '../rule';

/** Every text detect.ts claims names the OOM kill. */
const mentionsOom = /OOM|OutOfMemory/i;

/**
 * A container was killed by the kernel's OOM killer. ECS reports it as the
 * container reason (exit code 137, sometimes 0: aws/amazon-ecs-agent#1187,
 * #2467), or, when even the container's init process cannot fit, as a
 * CannotStartContainerError (#3021).
 */
export default defineRule({
  meta: {
    id: 'container-oom-killed',
    title: 'A container was killed for using more memory than its limit',
    seed: null,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped'],
    triggers:
      '"OutOfMemoryError: Container killed due to memory usage" in a container reason (exit code 137, sometimes 0), or "container init was OOM-killed (memory limit too low?)" in a CannotStartContainerError; the EC2 agent\'s log line "process within container … died due to OOM"',
    checks: [
      "the container's hard limit and reservation and the task's memory and CPU (ecs:DescribeTaskDefinition)",
      'which limit was hit, and a +50% limit rounded to a valid Fargate size',
    ],
    needs: ['ecs:DescribeTaskDefinition'],
    causes: ['container-limit', 'task-limit'],
    autoFix: null,
  },

  applies: (signal) => mentionsOom.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
  investigate: lazyInvestigate(() => import('./investigate')),
});
