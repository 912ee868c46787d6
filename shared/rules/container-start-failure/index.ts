import { defineRule, lazyDetect } from '../rule';

/** Every text detect.ts claims names a runtime error, an OCI runtime or an exec failure. */
const mentionsStart =
  /Cannot(?:Start|Create|Inspect)Container|DockerStateError|Cannot start container|Timeout|OCI runtime|container process|exec user process|executable file not found|exec format error/i;

/**
 * The image was pulled but the runtime could not create or start the
 * container. Logging-driver, OOM and EFS failures arrive under the same
 * prefixes and belong to their own rules.
 */
export default defineRule({
  meta: {
    id: 'container-start-failure',
    title: 'The container could not be created or started',
    seed: null,
    severity: 'critical',
    signals: ['text', 'task-stopped', 'container-stopped', 'service-action'],
    triggers:
      'CannotStartContainerError / CannotCreateContainerError / CannotInspectContainerError / OCI runtime errors (executable file not found, exec format error, permission denied, devmapper thin pool full) and ContainerRuntimeTimeoutError / DockerTimeoutError start timeouts; not logging, OOM or EFS failures',
    checks: [],
    needs: [],
    causes: ['entrypoint-not-found', 'exec-format', 'permission-denied', 'disk-full', 'timeout'],
    autoFix: null,
  },

  applies: (signal) => mentionsStart.test(signal.text),
  detect: lazyDetect(() => import('./detect')),
});
