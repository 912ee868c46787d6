import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Located } from '../check';
import { identity } from '../pointer';

/**
 * ECS's own JSON, as the AWS CLI takes and prints it: the
 * register-task-definition input, the describe-task-definition output, the
 * create-service input and output, and the describe-services output.
 */

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export interface EcsDocuments {
  taskDefinitions: Located<TaskDefinition>[];
  services: Located<Service>[];
}

function taskDefinitionAt(value: Json, file: string, pointer: string): Located<TaskDefinition> {
  const td = value as TaskDefinition;
  return {
    value: td,
    origin: {
      source: file,
      resource: { file, ...(typeof td.family === 'string' ? { taskFamily: td.family } : {}) },
      pointerOf: identity(pointer),
    },
  };
}

function serviceAt(value: Json, file: string, pointer: string): Located<Service> {
  // The create-service input names the cluster in `cluster`; the API's Service in `clusterArn`.
  const service = (typeof value.cluster === 'string' && value.clusterArn === undefined ? { ...value, clusterArn: value.cluster } : value) as Service;
  return {
    value: service,
    origin: {
      source: file,
      resource: {
        file,
        ...(typeof service.serviceName === 'string' ? { service: service.serviceName } : {}),
        ...(typeof service.clusterArn === 'string' ? { cluster: service.clusterArn.split('/').pop() as string } : {}),
      },
      pointerOf: identity(pointer),
    },
  };
}

const looksLikeTaskDefinition = (v: Json) => Array.isArray(v.containerDefinitions);
const looksLikeService = (v: Json) => typeof v.serviceName === 'string' || (v.taskDefinition !== undefined && typeof v.taskDefinition === 'string');

/** The task definitions and services in an ECS JSON document, or undefined when it is not one. */
export function readEcsJson(document: unknown, file: string, pointer = ''): EcsDocuments | undefined {
  const found: EcsDocuments = { taskDefinitions: [], services: [] };
  if (Array.isArray(document)) {
    document.forEach((item, i) => {
      const inner = readEcsJson(item, file, `${pointer}/${i}`);
      if (inner) {
        found.taskDefinitions.push(...inner.taskDefinitions);
        found.services.push(...inner.services);
      }
    });
    return found.taskDefinitions.length + found.services.length > 0 ? found : undefined;
  }
  const value = record(document);
  if (!value) return undefined;
  const wrappedTask = record(value.taskDefinition);
  if (wrappedTask && looksLikeTaskDefinition(wrappedTask)) found.taskDefinitions.push(taskDefinitionAt(wrappedTask, file, `${pointer}/taskDefinition`));
  else if (looksLikeTaskDefinition(value)) found.taskDefinitions.push(taskDefinitionAt(value, file, pointer));
  if (Array.isArray(value.services)) {
    value.services.forEach((s, i) => {
      const service = record(s);
      if (service) found.services.push(serviceAt(service, file, `${pointer}/services/${i}`));
    });
  }
  const wrappedService = record(value.service);
  if (wrappedService) found.services.push(serviceAt(wrappedService, file, `${pointer}/service`));
  else if (!looksLikeTaskDefinition(value) && looksLikeService(value)) found.services.push(serviceAt(value, file, pointer));
  return found.taskDefinitions.length + found.services.length > 0 ? found : undefined;
}
