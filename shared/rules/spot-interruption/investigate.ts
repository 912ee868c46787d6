import type { CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import type { SignalOf, TaskStoppedSignal } from '../../events/signals';
import type { Evidence } from '../../findings';
import type { Detection, InvestigationContext, Refinement } from '../rule';
import { mixedStrategyCommand, serviceExplanation, sigtermAdvice } from './detect';

function strategyText(strategy: readonly CapacityProviderStrategyItem[]): string {
  return strategy.map((p) => `${p.capacityProvider} (base ${p.base ?? 0}, weight ${p.weight ?? 0})`).join(', ');
}

/** Whether the service keeps any on-demand capacity to fall back on when Spot runs dry. */
async function serviceRefinement(signal: TaskStoppedSignal, service: string, context: InvestigationContext): Promise<Refinement> {
  const evidence: Evidence[] = [];
  const described = await context.read(
    'ecs:DescribeServices',
    { cluster: signal.resource.cluster ?? signal.task.clusterArn, services: [service] },
    `the capacity provider strategy of service ${service}`,
  );
  const found = described?.services?.[0];
  if (!found) return { evidence };
  const strategy = found.capacityProviderStrategy ?? [];
  evidence.push({
    source: 'ecs:DescribeServices',
    observed: `capacityProviderStrategy: ${strategy.length > 0 ? strategyText(strategy) : 'none'}; running ${found.runningCount ?? '?'} of desired ${found.desiredCount ?? '?'}`,
  });
  const spotOnly = strategy.length > 0 && strategy.every((p) => p.capacityProvider === 'FARGATE_SPOT');
  if (!spotOnly) return { evidence };
  return {
    evidence,
    cause: 'spot-only',
    severity: 'warning',
    explanation: `${serviceExplanation} Service ${service} runs on FARGATE_SPOT only, so when Spot capacity is short in the Availability Zones it cannot start replacements and runs below its desired count until capacity returns.`,
    fix: `Keep an on-demand base and put the rest on Spot:\n${mixedStrategyCommand(signal.resource.cluster, service)}\n${sigtermAdvice}`,
  };
}

/** Containers that will be SIGKILLed before the two-minute warning ends. */
async function stopTimeoutEvidence(signal: TaskStoppedSignal, context: InvestigationContext): Promise<Evidence[]> {
  const taskDefinition = signal.task.taskDefinitionArn;
  if (!taskDefinition) return [];
  const described = await context.read('ecs:DescribeTaskDefinition', { taskDefinition }, 'the containers\' stopTimeout');
  const containers = described?.taskDefinition?.containerDefinitions ?? [];
  const short = containers.filter((c) => (c.stopTimeout ?? 30) < 120);
  if (short.length === 0) return [];
  return [
    {
      source: 'ecs:DescribeTaskDefinition',
      observed: `stopTimeout below the 120 s Spot warning: ${short.map((c) => `${c.name} ${c.stopTimeout ?? 'not set (30 s)'}`).join(', ')}`,
    },
  ];
}

export default async function investigate(_detection: Detection, signal: SignalOf<'text' | 'task-stopped'>, context: InvestigationContext): Promise<Refinement | undefined> {
  if (signal.kind !== 'task-stopped') return undefined;
  const timeouts = await stopTimeoutEvidence(signal, context);
  const service = signal.resource.service;
  if (!service) return { evidence: timeouts };
  const refinement = await serviceRefinement(signal, service, context);
  return { ...refinement, evidence: [...(refinement.evidence ?? []), ...timeouts] };
}
