import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type Located, nothingAround, type ServiceSubject, type Surroundings, type TaskDefinitionSubject } from './check';
import type { Configuration } from './run';
import { isTemplate, readTemplate, referencedLogicalId, templateOf } from './sources/cloudformation';
import { readEcsJson } from './sources/ecs-json';
import { isTerraformPlan, readTerraformPlan } from './sources/terraform';

/**
 * Turns configuration files into what the static checks judge: ECS JSON,
 * CloudFormation / CDK templates and Terraform plans. Services are linked to
 * their task definitions within a template or plan, or across ECS JSON files
 * by family (and revision when given).
 */

export type DocumentKind = 'cloudformation' | 'terraform-plan' | 'ecs-json';

export interface LoadedDocument {
  file: string;
  document: unknown;
}

const OFFLINE = 'lint reads only the files, not the account';

export function kindOf(document: unknown): DocumentKind | undefined {
  if (isTemplate(document)) return 'cloudformation';
  if (isTerraformPlan(document)) return 'terraform-plan';
  return readEcsJson(document, '') ? 'ecs-json' : undefined;
}

/** What a template or plan defines itself: log groups it creates, roles whose policies it holds. */
function definedAround(logGroups: ReadonlySet<string>, roleGrants: (arn: string) => readonly string[] | undefined): Surroundings {
  return { ...nothingAround(OFFLINE), logGroupExists: (name) => (logGroups.has(name) ? true : undefined), roleGrants };
}

/** family or family:revision or an ARN → the matching task definition among those given. */
function taskDefinitionNamed(reference: unknown, taskDefinitions: readonly Located<TaskDefinition>[]): Located<TaskDefinition> | undefined {
  if (typeof reference !== 'string') return undefined;
  const name = reference.includes(':task-definition/') ? (reference.split(':task-definition/')[1] as string) : reference;
  const [family, revision] = name.split(':');
  return taskDefinitions.find((td) => td.value.family === family && (revision === undefined || td.value.revision === undefined || String(td.value.revision) === revision));
}

export function configurationOf(documents: readonly LoadedDocument[]): Configuration {
  const taskDefinitions: TaskDefinitionSubject[] = [];
  const services: ServiceSubject[] = [];
  const looseServices: ServiceSubject[] = [];
  const looseTaskDefinitions: Located<TaskDefinition>[] = [];
  for (const { file, document } of documents) {
    const kind = kindOf(document);
    if (kind === 'cloudformation') {
      const contents = readTemplate(templateOf(document, file));
      const around = definedAround(contents.logGroups, (arn) => {
        const id = referencedLogicalId(arn);
        return id ? contents.roleGrants.get(id) : undefined;
      });
      for (const td of contents.taskDefinitions.values()) taskDefinitions.push({ taskDefinition: td, around });
      for (const s of contents.services)
        services.push({ service: s.service, taskDefinition: s.taskDefinitionId ? contents.taskDefinitions.get(s.taskDefinitionId) : undefined, targetGroups: s.targetGroups, around });
    } else if (kind === 'terraform-plan') {
      const contents = readTerraformPlan(document, file);
      const around = definedAround(contents.logGroups, () => undefined);
      for (const td of contents.taskDefinitions.values()) taskDefinitions.push({ taskDefinition: td, around });
      for (const s of contents.services)
        services.push({ service: s.service, taskDefinition: s.taskDefinitionAddress ? contents.taskDefinitions.get(s.taskDefinitionAddress) : undefined, targetGroups: s.targetGroups as Located<TargetGroup>[], around });
    } else if (kind === 'ecs-json') {
      const contents = readEcsJson(document, file);
      looseTaskDefinitions.push(...(contents?.taskDefinitions ?? []));
      for (const service of contents?.services ?? []) looseServices.push({ service, taskDefinition: undefined, targetGroups: [], around: nothingAround(OFFLINE) });
    }
  }
  for (const td of looseTaskDefinitions) taskDefinitions.push({ taskDefinition: td, around: nothingAround(OFFLINE) });
  for (const s of looseServices) services.push({ ...s, taskDefinition: taskDefinitionNamed(s.service.value.taskDefinition, looseTaskDefinitions) });
  return { taskDefinitions, services, clusters: [] };
}
