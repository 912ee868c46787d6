import { defineRule, lazyDetect } from '../rule';

/** Every text detect.ts claims contains one of these. */
const mentionsTaskSize = /Invalid 'cpu' setting|No Fargate configuration exists|'memory' setting for container|container 'cpu' values|Fargate requires that/i;

/**
 * Seed footgun 4. Fargate runs only fixed CPU/memory pairs and at most
 * 16 vCPU / 120 GB; ECS rejects anything else when the task definition is
 * registered (ClientException), so the deployment never starts.
 */
export default defineRule({
  meta: {
    id: 'fargate-task-size',
    title: 'The task asks Fargate for a CPU/memory size it does not offer',
    seed: 4,
    severity: 'critical',
    signals: ['text', 'api-call'],
    triggers:
      "RegisterTaskDefinition ClientException \"Invalid 'cpu' setting for task\" / \"No Fargate configuration exists for given values\", \"The 'memory' setting for container … is greater than for the task\", \"Fargate requires that 'cpu' be defined at the task level\"; and RegisterTaskDefinition/RunTask calls (CloudTrail) whose Fargate cpu/memory pair is outside the Fargate matrix",
    checks: ['the requested cpu/memory against the Fargate size matrix (from the CloudTrail request), naming the nearest valid pair'],
    needs: [],
    causes: ['invalid-combination', 'above-fargate-max', 'container-exceeds-task', 'missing-task-size'],
    autoFix: null,
  },

  applies: (signal) =>
    // An API call is judged from its request parameters too: a size Fargate does not run, in a call that went through.
    signal.kind === 'api-call' || mentionsTaskSize.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
});
