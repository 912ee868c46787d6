import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';

/** Facts about a task definition that several static checks read. */

export function runsOnFargate(taskDefinition: TaskDefinition): boolean {
  return (taskDefinition.requiresCompatibilities ?? []).includes('FARGATE');
}

export function runsOnWindows(taskDefinition: TaskDefinition): boolean {
  return /WINDOWS/i.test(taskDefinition.runtimePlatform?.operatingSystemFamily ?? '');
}

/** Each container with its index, for JSON pointers. */
export function containersOf(taskDefinition: TaskDefinition): { container: ContainerDefinition; path: string }[] {
  const containers = Array.isArray(taskDefinition.containerDefinitions) ? taskDefinition.containerDefinitions : [];
  return containers.map((container, index) => ({ container, path: `/containerDefinitions/${index}` }));
}

export function containerName(container: ContainerDefinition, path: string): string {
  return typeof container.name === 'string' ? container.name : `(unnamed, ${path})`;
}

/** A private ECR image: `<account>.dkr.ecr.<region>.amazonaws.com/…` (also unresolved CDK asset images). */
export function isEcrImage(image: unknown): boolean {
  return typeof image === 'string' && /\.dkr\.ecr\.|\.dkr-ecr\./.test(image);
}

export function familyLabel(taskDefinition: TaskDefinition): string {
  return typeof taskDefinition.family === 'string' ? taskDefinition.family : '<family>';
}
