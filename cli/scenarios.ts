import { readdirSync, readFileSync } from 'node:fs';
import type { Snapshot } from '../shared/reader/snapshot';

/**
 * A built-in scenario: a realistic sequence of EventBridge events and the
 * account as AWS SDK responses at that moment. Texts are quoted from AWS
 * documentation or public reports, named in `sources`.
 */
export interface Scenario {
  id: string;
  title: string;
  story: string;
  sources: string[];
  /** What the scenario must produce first (tests hold the demo to it). */
  expect: { rule: string; cause: string | null }[];
  events: unknown[];
  snapshot: Snapshot;
}

export const scenarioDirectory = new URL('../cli/scenarios/', import.meta.url);

export function loadScenarios(directory: URL = scenarioDirectory): Scenario[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const scenario = JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as Omit<Scenario, 'id'>;
      return { id: name.replace(/\.json$/, ''), ...scenario };
    });
}
