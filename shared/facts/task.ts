/**
 * What the event says about its task: where the task's ENI sits, whether it
 * runs on Fargate and which CPU it runs on, read from the event only.
 */
import type { TaskDetail } from '../events/types';
import type { Signal } from '../events/signals';
import { shellArg } from '../rules/text';

/** The task of a signal that carries one (task and container signals). */
export function taskOf(signal: Signal): TaskDetail | undefined {
  return 'task' in signal ? signal.task : undefined;
}

/** The subnet of the task's awsvpc ENI, from its attachment details. */
export function taskSubnet(task: TaskDetail): string | undefined {
  for (const attachment of task.attachments ?? []) {
    if (attachment.type !== undefined && attachment.type.toLowerCase() !== 'eni') continue;
    const subnet = attachment.details?.find((d) => d.name === 'subnetId')?.value;
    if (subnet) return subnet;
  }
  return undefined;
}

/** On Fargate the task's own ENI does the pulling and mounting; on EC2 the container instance does. */
export function runsOnFargate(task: TaskDetail): boolean {
  return task.launchType === 'FARGATE' || (task.capacityProviderName?.toUpperCase().startsWith('FARGATE') ?? false);
}

/** `ecs.cpu-architecture` from the task's attributes (`x86_64` or `arm64`), when the event has it. */
export function taskArchitecture(task: TaskDetail | undefined): string | undefined {
  const attributes = task?.attributes;
  if (!Array.isArray(attributes)) return undefined;
  for (const attribute of attributes as unknown[]) {
    if (typeof attribute !== 'object' || attribute === null) continue;
    const { name, value } = attribute as { name?: unknown; value?: unknown };
    if (name === 'ecs.cpu-architecture' && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * The two ways out of an image/CPU mismatch: publish the image for the CPU
 * the task runs on, or run the task on the CPU the image was built for.
 */
export function architectureFix(image: string | undefined): string {
  return [
    `docker buildx build --platform linux/amd64,linux/arm64 -t ${shellArg(image, 'image')} --push .`,
    'or, in the task definition, run on the CPU the image was built for: "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"} (or "X86_64"), then register it and update the service.',
  ].join('\n');
}
