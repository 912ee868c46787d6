/**
 * The static checks as a CDK Aspect, for CDK users' own apps (like cdk-nag):
 *
 *   Aspects.of(app).add(new EcsMedicChecks());
 *
 * At synth time it reads each stack's resources as CloudFormation (the same
 * template `cdk synth` writes), runs every static check, and annotates the
 * ECS task definitions and services: critical → error (synth fails in
 * `cdk synth --strict` and `cdk deploy`), warning → warning, info → info.
 */
import { Annotations, CfnParameter, CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { type Severity, severityOrder } from '../shared/findings';
import { configurationOf } from '../shared/static/documents';
import { runStaticChecks } from '../shared/static/run';

export interface EcsMedicChecksProps {
  /** The lowest severity to annotate; default `info` (everything). */
  readonly severity?: Severity;
}

/** `_toCloudFormation` is how a CfnResource renders itself; cdk-nag reads resources the same way. */
interface RendersCloudFormation {
  _toCloudFormation(): { Resources?: Record<string, unknown> };
}

export class EcsMedicChecks implements IAspect {
  private readonly severity: Severity;

  constructor(props: EcsMedicChecksProps = {}) {
    this.severity = props.severity ?? 'info';
  }

  visit(node: IConstruct): void {
    if (!Stack.isStack(node)) return;
    const stack = node;
    const own = node.node.findAll().filter((c) => Stack.of(c) === stack);
    const byLogicalId = new Map<string, CfnResource>();
    const resources: Record<string, unknown> = {};
    const parameters: Record<string, unknown> = {};
    for (const construct of own) {
      if (CfnResource.isCfnResource(construct)) {
        const rendered = stack.resolve((construct as unknown as RendersCloudFormation)._toCloudFormation()) as { Resources?: Record<string, unknown> };
        Object.assign(resources, rendered.Resources ?? {});
        byLogicalId.set(stack.resolve(construct.logicalId) as string, construct);
      } else if (construct instanceof CfnParameter) {
        parameters[stack.resolve(construct.logicalId) as string] = { Type: construct.type, Default: construct.default };
      }
    }
    const file = stack.templateFile;
    const { findings } = runStaticChecks(configurationOf([{ file, document: { Parameters: parameters, Resources: resources } }]));
    for (const finding of findings) {
      if (severityOrder[finding.severity] > severityOrder[this.severity]) continue;
      const target = (finding.resource.logicalId && byLogicalId.get(finding.resource.logicalId)) || stack;
      const message = `[ecs-medic:${finding.rule}${finding.cause ? `/${finding.cause}` : ''}] ${finding.title} (at ${finding.resource.pointer}). ${finding.explanation} Fix: ${finding.fix}`;
      const annotations = Annotations.of(target);
      if (finding.severity === 'critical') annotations.addError(message);
      else if (finding.severity === 'warning') annotations.addWarningV2(`ecs-medic:${finding.rule}`, message);
      else annotations.addInfo(message);
    }
  }
}
