/**
 * RQ's key layout, the same in RQ 1.x (Debian's 1.13) and 2.x — worker_registration.py (`rq:workers`,
 * `rq:workers:<queue>`), worker.py (`rq:worker:<name>`), queue.py (`rq:queues`, `rq:queue:<name>`), job.py
 * (`rq:job:<id>`), results.py (`rq:results:<id>`), registry.py (`rq:wip:<queue>` …). The only place that spells it.
 */

/** The job registries of a queue (sorted sets scored by expiry time), by their key segment. */
export type RqRegistry = 'wip' | 'failed' | 'finished' | 'deferred' | 'scheduled';

const WORKER_PREFIX = 'rq:worker:';
const QUEUE_PREFIX = 'rq:queue:';

export const RQ_KEYS = {
  /** Set of every registered worker's key. */
  workers: 'rq:workers',
  /** Set of the keys of the workers listening to `queue`. */
  workersOf: (queue: string) => `rq:workers:${queue}`,
  /** Hash of one worker (`queues`, `state`, `last_heartbeat`, `birth`, …). */
  worker: (name: string) => `${WORKER_PREFIX}${name}`,
  /** Set of every queue's key. */
  queues: 'rq:queues',
  /** List of the waiting job ids of `name`. */
  queue: (name: string) => `${QUEUE_PREFIX}${name}`,
  /** Hash of one job (`status`, `origin`, `enqueued_at`, `exc_info`, …). */
  job: (id: string) => `rq:job:${id}`,
  /** Stream of a job's results (RQ ≥ 1.12). */
  results: (id: string) => `rq:results:${id}`,
  registry: (kind: RqRegistry, queue: string) => `rq:${kind}:${queue}`,
} as const;

/** The worker's name in a `rq:worker:<name>` key (the key itself when it is not one). */
export const rqWorkerName = (key: string): string => (key.startsWith(WORKER_PREFIX) ? key.slice(WORKER_PREFIX.length) : key);

/** The queue's name in a `rq:queue:<name>` key, or undefined for any other key. */
export const rqQueueName = (key: string): string | undefined => (key.startsWith(QUEUE_PREFIX) ? key.slice(QUEUE_PREFIX.length) : undefined);
