/**
 * What a container's exit code says, in plain words. Codes above 128 are
 * 128 + the number of the signal that ended the process (137 = SIGKILL 9,
 * 139 = SIGSEGV 11, 143 = SIGTERM 15); 126 and 127 come from the shell.
 */

export type ExitCause =
  | 'application-error'
  | 'not-executable'
  | 'command-not-found'
  | 'killed'
  | 'segfault'
  | 'terminated'
  | 'signal';

export function exitCause(code: number): ExitCause {
  switch (code) {
    case 126:
      return 'not-executable';
    case 127:
      return 'command-not-found';
    case 137:
      return 'killed';
    case 139:
      return 'segfault';
    case 143:
      return 'terminated';
    default:
      return code > 128 && code < 160 ? 'signal' : 'application-error';
  }
}

/** Why a container ends with this code, for an explanation that names the container. */
export function meaning(code: number, container: string): string {
  switch (exitCause(code)) {
    case 'not-executable':
      return `Container ${container} exited with code 126: its command exists but could not be run — a file without execute permission (chmod +x), a directory, or a binary built for another CPU architecture.`;
    case 'command-not-found':
      return `Container ${container} exited with code 127: its command was not found — a typo in entryPoint/command, a binary missing from the image, or a script whose shebang interpreter is not installed.`;
    case 'killed':
      return `Container ${container} was killed with SIGKILL (exit code 137) and ECS gives no OutOfMemoryError reason, so it was most likely not a memory kill: ECS sends SIGKILL when a container ignores SIGTERM for longer than its stopTimeout (30 s by default) during a deployment, a scale-in or after another essential container exited.`;
    case 'segfault':
      return `Container ${container} crashed with a segmentation fault (exit code 139, SIGSEGV): a bug in native code, a library built for another libc or CPU architecture, or a stack overflow.`;
    case 'terminated':
      return `Container ${container} exited on SIGTERM (exit code 143): something asked it to stop — a deployment, a scale-in, a StopTask call, or ECS stopping the task because another essential container exited first.`;
    case 'signal':
      return `Container ${container} was ended by signal ${code - 128} (exit code ${code}), e.g. 134 is SIGABRT from an assertion or abort().`;
    case 'application-error':
      return code === 255
        ? `Container ${container} exited with code 255: its process returned -1 or failed before the application started (an entrypoint script error).`
        : `Container ${container} exited with code ${code}: the application stopped itself on an error — a bad configuration, a missing environment variable or secret, an unreachable dependency, or an unhandled exception.`;
  }
}

/** What to do about it, after reading the logs. */
export function advice(code: number): string {
  switch (exitCause(code)) {
    case 'not-executable':
    case 'command-not-found':
      return 'Compare entryPoint/command in the container definition with the image (docker run --rm -it --entrypoint sh <image>), and build the image for the task\'s CPU architecture.';
    case 'killed':
      return 'Make the application exit on SIGTERM (run it as PID 1 or use "initProcessEnabled": true), and give it time with "stopTimeout" in the container definition (up to 120 seconds on Fargate).';
    case 'segfault':
      return 'Check the last log lines for the crashing library, and that the image matches the task\'s CPU architecture (runtimePlatform.cpuArchitecture).';
    case 'terminated':
      return 'Look for the container that exited first (its exit code is not 143), or for the deployment, scale-in or StopTask that stopped the task.';
    case 'signal':
      return 'Check the last log lines for the abort or crash message.';
    case 'application-error':
      return 'Fix the error shown in the last log lines; reproduce it with the same image and environment (docker run) if the logs are empty.';
  }
}
