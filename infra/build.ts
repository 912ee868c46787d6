/** Composes the app: the nag checks, the stack from context, and the findings it accepts. Used by app.ts and the tests. */
import { App } from 'aws-cdk-lib';
import { configFromContext } from './config';
import { acknowledgeNagFindings, addNagChecks } from './nag';
import { EcsMedicStack } from './stack';

export interface BuildOptions {
  /** Context on top of cdk.json's (the CLI passes cdk.json and -c values itself). */
  context?: Record<string, unknown>;
  /** Where to write the cloud assembly; the CLI sets it through the environment. */
  outdir?: string;
  /** Off only to prove, in tests, that the checks fail without the acknowledgements. */
  acknowledgeFindings?: boolean;
}

export function buildApp({ context = {}, outdir, acknowledgeFindings = true }: BuildOptions = {}): { app: App; stack: EcsMedicStack } {
  const app = new App({ context, ...(outdir ? { outdir } : {}) });
  addNagChecks(app);
  const stack = new EcsMedicStack(app, 'EcsMedic', {
    description: 'ecs-medic: diagnoses Amazon ECS failures from EventBridge events and alerts with the cause and the fix',
    config: configFromContext(app.node),
  });
  if (acknowledgeFindings) acknowledgeNagFindings(stack);
  return { app, stack };
}
