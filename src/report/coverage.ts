import type { StaticSection } from '../types.js';

/** One environment's cell of the coverage matrix. */
export type CoverageCell =
  /** active worker services that consume the queue */
  | { kind: 'served'; services: string[] }
  /** the code enqueues to the queue and nothing consumes it here */
  | { kind: 'missing' }
  /** nothing enqueues to the queue and nothing consumes it here */
  | { kind: 'none' };

export interface CoverageRow {
  queue: string;
  /** True when some producer enqueues to the queue. */
  enqueued: boolean;
  /** One cell per environment, in `environments` order. */
  cells: CoverageCell[];
}

export interface CoverageMatrix {
  environments: string[];
  rows: CoverageRow[];
}

/**
 * Queue × environment coverage: which active services consume each queue that is enqueued to or
 * consumed somewhere. Shared by the table and markdown formats so both show the same facts.
 */
export function coverageMatrix(section: StaticSection): CoverageMatrix {
  const environments = section.environments.map((env) => env.name);
  const queues = [
    ...new Set([
      ...section.producers.flatMap((producer) => (producer.queue === null ? [] : [producer.queue])),
      ...section.consumers.filter((consumer) => consumer.active).flatMap((consumer) => consumer.queues),
    ]),
  ].sort();
  if (queues.length === 0 || environments.length === 0) return { environments, rows: [] };
  const produced = new Set(section.producers.map((producer) => producer.queue));
  const rows = queues.map((queue): CoverageRow => {
    const enqueued = produced.has(queue);
    const cells = environments.map((environment): CoverageCell => {
      const services = section.consumers
        .filter((consumer) => consumer.environment === environment && consumer.active && consumer.queues.includes(queue))
        .map((consumer) => consumer.service);
      if (services.length > 0) return { kind: 'served', services };
      return enqueued ? { kind: 'missing' } : { kind: 'none' };
    });
    return { queue, enqueued, cells };
  });
  return { environments, rows };
}
