/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs it with tsx).
 * The stack is environment-agnostic, so synthesis needs no credentials and a
 * deploy goes to the account and Region of the CLI's credentials.
 */
import { buildApp } from './build';

buildApp().app.synth();
