import { driftConfig, type DriftConfig } from '../check.js';
import { producerQueuesIn } from '../analysis/producer-environments.js';
import type { StaticSection } from '../types.js';
import type { ExpectedQueue } from './metrics.js';

/** What the exporter takes from the project: the queues to expect, and the configuration live drift compares with. */
export interface ExporterProject {
  expected: ExpectedQueue[];
  drift?: DriftConfig;
}

/**
 * The queues the code enqueues to in the environment live drift compares with (`--environment`, else
 * prod/production, else default): a queue read from a variable counts with the value that environment gives it.
 */
export function projectExpectations(section: StaticSection, requested: string | undefined): ExporterProject {
  const drift = driftConfig(section, requested);
  if (!drift) return { expected: [] };
  const queues = new Set<string>();
  for (const producer of section.producers) {
    for (const queue of producerQueuesIn(producer, drift.environment)) if (queue !== null) queues.add(queue);
  }
  return { expected: [...queues].sort().map((queue) => ({ queue, environment: drift.environment })), drift };
}
