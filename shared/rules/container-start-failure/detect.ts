import type { Signal, SignalOf } from '../../events/signals';
import { architectureFix, taskArchitecture, taskOf } from '../../facts/task';
import type { Detection } from '../rule';
import { anyOf, firstMatch, matchesAny, type Patterns, quoted, shellArg } from '../text';

/** The agent's container-runtime error names (agent/dockerclient/dockerapi/errors.go) and the runtimes' own wording: detect.ts claims no other text. */
const startFailure =
  /CannotStartContainerError|CannotCreateContainerError|CannotInspectContainerError|DockerStateError|Cannot start container|ContainerRuntimeTimeoutError|DockerTimeoutError|OCI runtime (create|start) failed|starting container process caused|exec user process caused|executable file not found|exec format error/i;

type StartCause = 'entrypoint-not-found' | 'exec-format' | 'permission-denied' | 'disk-full' | 'timeout';

const otherRules = anyOf([
  /logging driver|logger args|log stream|awslogs/i,
  /OOM-killed|OutOfMemory|memory limit too low/i,
  /\bEFS\b|efs-utils|mount\.nfs/i,
  /CannotPullContainerError/i,
]);

/** Checked in order: a disk or timeout failure can mention the entrypoint too. */
const causePatterns: readonly { cause: StartCause; patterns: Patterns }[] = [
  { cause: 'disk-full', patterns: anyOf([/devmapper: Thin Pool has \d+ free data blocks/i, /no space left on device/i]) },
  {
    cause: 'timeout',
    patterns: anyOf([
      /(ContainerRuntimeTimeoutError|DockerTimeoutError):?\s*Could not transition to (created|started|running)/i,
      // errors.go:51 formats every transition timeout as "…; timed out after waiting <duration>".
      /(ContainerRuntimeTimeoutError|DockerTimeoutError)\b(?!.*\bto stopped\b).*timed out after waiting \d/i,
    ]),
  },
  { cause: 'exec-format', patterns: anyOf([/exec format error/i]) },
  {
    cause: 'permission-denied',
    patterns: anyOf([/exec:?\s*\\?"?[^"\s]+\\?"?:\s*permission denied/i, /exec user process caused:?\s*\\?"?permission denied/i]),
  },
  {
    cause: 'entrypoint-not-found',
    // runc's wordings, matched without their ends so a reason cut short still counts.
    patterns: anyOf([/executable file not found/i, /exec:? \\?"[^"\\]+\\?": stat \S+?(\.\.\.|:)? ?no such file/i]),
  },
];

/** The program the runtime tried to run: `exec: "node index.js": executable file not found`. */
function programIn(text: string): string | undefined {
  return /exec:?\s*\\?"([^"\\]+)\\?":/i.exec(text)?.[1] ?? /exec (\/\S+): (?:exec format error|permission denied)/i.exec(text)?.[1];
}

function describe(cause: StartCause | null, text: string, signal: Signal): Pick<Detection, 'explanation' | 'fix'> {
  const program = programIn(text);
  const container = signal.resource.container ?? '<container>';
  const image = 'container' in signal ? signal.container.image : undefined;
  switch (cause) {
    case 'entrypoint-not-found': {
      // The classic slip: a whole command line in one array element, so the runtime looks for a file named "node index.js".
      const words = program?.trim().split(/\s+/) ?? [];
      if (words.length > 1) {
        return {
          explanation: `The container's command is one string, "${program}", so the runtime looked for a program with that whole name, spaces included. In a task definition, entryPoint and command are arrays with one element per word.`,
          fix: `In container ${container}, set "command": ${JSON.stringify(words)} (and the same for entryPoint), then register a new task definition revision and update the service.`,
        };
      }
      return {
        explanation: `The runtime could not find the program ${program ? `"${program}" ` : ''}that the container's entryPoint or command names: it is not in the image, not on the image's PATH, or the task definition (or a RunTask override) passes the wrong value as the command.`,
        fix: [
          `aws ecs describe-task-definition --task-definition ${shellArg(signal.resource.taskFamily, 'family')} --query 'taskDefinition.containerDefinitions[].[name,entryPoint,command]'`,
          `Compare it with the image (docker run --rm --entrypoint sh ${shellArg(image, 'image')} -c 'command -v ${program ?? '<program>'}'); use an absolute path or fix entryPoint/command, then register a new revision.`,
        ].join('\n'),
      };
    }
    case 'exec-format': {
      const cpu = taskArchitecture(taskOf(signal));
      return {
        explanation: `The container's program${program ? ` ${program}` : ''} is built for a different CPU architecture than the one the task runs on${cpu ? ` (${cpu})` : ''}: typically an image built on an arm64 laptop running on x86_64 Fargate, or the reverse. It can also be a script without a "#!" line.`,
        fix: architectureFix(image),
      };
    }
    case 'permission-denied':
      return {
        explanation: `The container's entrypoint${program ? ` ${program}` : ''} is not executable in the image (the file lost its execute bit, often when copied from a Windows checkout or a umask-restricted build), or the image's user cannot read it.`,
        fix: `In the Dockerfile: COPY --chmod=755 ${program ?? '<entrypoint>'} ${program ?? '<entrypoint>'} (or RUN chmod +x ${program ?? '<entrypoint>'}), rebuild and push, then deploy the new image.`,
      };
    case 'disk-full':
      return {
        explanation:
          'The container instance ran out of storage for container layers (the devicemapper thin pool or the Docker volume is full), so Docker could not create the container. Old images, stopped containers and json-file logs fill it up.',
        fix: [
          'On the container instance: docker system prune -af (removes stopped containers and unused images).',
          'Lower ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION (default 3h) and keep image cleanup on in /etc/ecs/ecs.config, or launch instances with a larger Docker data volume.',
        ].join('\n'),
      };
    case 'timeout': {
      const waited = /timed out after waiting (\w+)/i.exec(text)?.[1];
      return {
        explanation: `The container did not reach its next state within the runtime's timeout${waited ? ` (${waited})` : ''}. On Fargate this usually means the task could not reach something it needs at start (ECR and S3 for the image, CloudWatch Logs for awslogs, Secrets Manager or SSM): check its NAT gateway or VPC endpoints. On EC2 it means the Docker daemon or the disk was too slow or overloaded.`,
        fix: [
          'Fargate: give the task subnet a NAT gateway route or VPC endpoints for ecr.api, ecr.dkr, s3 (gateway), logs and, if used, secretsmanager/ssm.',
          'EC2: raise ECS_CONTAINER_START_TIMEOUT / ECS_CONTAINER_CREATE_TIMEOUT in /etc/ecs/ecs.config and check the instance for disk I/O or CPU saturation.',
        ].join('\n'),
      };
    }
    case null:
      return {
        explanation:
          'The runtime could not create or start the container. The reason after the prefix names the problem: a missing or non-executable entrypoint, an image for another CPU, a full disk, a user or working directory that does not exist in the image, or a volume that could not be mounted.',
        fix: `aws ecs describe-tasks --cluster ${shellArg(signal.resource.cluster, 'cluster')} --tasks ${shellArg(signal.resource.task, 'task-id')} --query 'tasks[0].containers[].[name,reason]'`,
      };
  }
}

function classify(text: string): StartCause | null | undefined {
  if (!startFailure.test(text) || matchesAny(text, otherRules)) return undefined;
  for (const { cause, patterns } of causePatterns) if (firstMatch(text, patterns)) return cause;
  // A stop timeout ("Could not transition to stopped") is not a start failure.
  return /CannotStartContainerError|CannotCreateContainerError|CannotInspectContainerError/i.test(text) ? null : undefined;
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>): Detection | null {
  const cause = classify(signal.text);
  if (cause === undefined) return null;
  return {
    cause,
    // A CannotStartContainerError whose reason is none of the known ones is this family's catch-all.
    specificity: cause === null ? 'fallback' : 'root-cause',
    ...describe(cause, signal.text, signal),
    evidence: [quoted(signal.source, signal.text)],
  };
}

