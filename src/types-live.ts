/** The live section of the JSON report (docs/CONTRACT.md §3): what the live stage read. Re-exported by types.ts. */

/**
 * A queue framework the live stage reads: the ids of the frameworks with a live part in the registry
 * (src/frameworks/index.ts checks at compile time that the two agree; the report types import nothing).
 */
export type Backend = 'rq' | 'bullmq' | 'celery' | 'sidekiq';

export interface LiveWorker {
  name: string;
  backend: Backend;
  hostname?: string;
  pid?: number;
  state?: string;
  queues: string[];
  /** ISO timestamp of the last heartbeat, when known. */
  lastHeartbeat?: string;
  heartbeatAgeMs?: number;
  /** false for stale registrations; they never count as consumers. */
  alive: boolean;
  /**
   * Celery without the `--celery-inspect` broadcast: the broker says the worker registered (its mailbox binding) but
   * not whether it still runs, nor which queues it consumes; `alive` is then false and it is not a stale worker.
   */
  liveness?: 'unconfirmed';
  currentJob?: string;
  birth?: string;
  /** The Redis it is registered in (redacted), when the run read several. */
  redis?: string;
  /** BullMQ: the key prefix it works under, when it is not the default `bull` or several prefixes are in use; Sidekiq: its redis-namespace. */
  prefix?: string;
  /** Sidekiq: the process's `tag` (`-g`, the app's directory name by default). */
  tag?: string;
  /** Sidekiq: its threads (`-c`, `:concurrency:`). */
  concurrency?: number;
  /** Sidekiq: how many of its threads run a job now. */
  busy?: number;
  /** The RabbitMQ broker it is connected to (redacted), when the run read several targets. */
  broker?: string;
  /** RabbitMQ: the AMQP connection its consumers are on (`peer:port -> broker:port`). */
  connection?: string;
}

export interface LiveQueue {
  name: string;
  backend: Backend;
  waiting: number;
  active: number;
  failed: number;
  delayed?: number;
  scheduled?: number;
  finished?: number;
  oldestWaitingAgeMs?: number;
  /** Names of alive workers that listen to this queue. */
  consumers: string[];
  /**
   * Served although `consumers` may not name anyone: BullMQ without CLIENT LIST inferred a live worker from the
   * queue's fresh `stalled-check` key; RabbitMQ counts consumers the API user may not see (`consumerCount`).
   */
  liveness?: 'stalled-check' | 'broker-count';
  /** RabbitMQ: the consumers the broker counts on the queue (any AMQP client, Celery or not). */
  consumerCount?: number;
  /** RabbitMQ: the share of time the queue could deliver to its consumers at once (0–1; low = consumers saturated). */
  consumerUtilisation?: number;
  /**
   * Celery without the `--celery-inspect` broadcast while workers are known to the broker: which of them consume this
   * queue is not known, so `consumers` is empty without meaning "none".
   */
  consumersUnknown?: true;
  /** The Redis it lives in (redacted), when the run read several. */
  redis?: string;
  /** BullMQ: the key prefix, when it is not the default `bull` or several prefixes are in use; Sidekiq: its redis-namespace. */
  prefix?: string;
  /** The RabbitMQ broker it lives on (redacted), when the run read several targets. */
  broker?: string;
}

/** One Redis the live stage read (one `--redis`). */
export interface LiveTarget {
  /** The URL as given, password redacted. */
  redis: string;
  topology: 'standalone' | 'sentinel' | 'cluster';
  /** Sentinel: `host:port` of the master read; Cluster: the masters read. */
  nodes?: string[];
  /** Sentinel: a failover the inspection followed. */
  failover?: string;
  /** Round trips to this Redis (a Cluster: to its busiest node; the masters are read at the same time). */
  roundTrips: number;
}

/** One RabbitMQ broker the live stage read (one `--broker`), through its management API. */
export interface LiveBroker {
  /** The broker URL as given, password redacted. */
  broker: string;
  /** The management API read (no credentials). */
  api: string;
  vhost: string;
  /** RabbitMQ's version, as the API says. */
  version?: string;
  /** GET requests made to the API. */
  requests: number;
  /** Queues in the vhost (task queues and Celery's own). */
  queuesTotal: number;
  /** Fewer queues were read than the vhost holds (the read cap; the emptiest were left out). */
  queuesRead?: number;
}

/** What the Celery broker said beyond queues and workers (present when Celery was read). */
export interface CeleryLiveSummary {
  /** Messages delivered to a worker and not acknowledged yet (kombu's `unacked` hash): running, prefetched or held for an ETA. */
  unacked: number;
  /** Unacknowledged messages whose queue could not be told (over the read cap, or a message that does not say). */
  unackedUnattributed?: number;
  /**
   * How the queues' consumers are known: `broadcast` (the workers answered `--celery-inspect`), `no-worker` (no worker
   * mailbox binding and, with CLIENT LIST, no connection waiting in BRPOP: nothing consumes), `unknown` (workers are
   * registered but which queues they consume needs the broadcast).
   */
  consumers: 'broadcast' | 'no-worker' | 'unknown';
  /** The `--celery-inspect` broadcast: how many workers answered within its timeout, or why it could not be sent. */
  broadcast?: { replies: number; timeoutMs: number; error?: string };
  /**
   * The read-only proof read its lists and CLIENT LIST a second time, after a pause: the first time a worker's BRPOP
   * connection was not blocked (busy, or between two of its BRPOPs). One round trip more.
   */
  proofRepeated?: true;
}

/** Sidekiq's jobs outside the queues (present when Sidekiq was read): its `retry`, `schedule` and `dead` sorted sets. */
export interface SidekiqLiveSummary {
  /** Failed jobs waiting for their next attempt. */
  retry: number;
  /** Jobs pushed for later (`perform_in`/`perform_at`, `set(wait:)`). */
  scheduled: number;
  /** Jobs whose retries are exhausted (or `retry: false` jobs' deaths when kept). */
  dead: number;
  /** The newest dead job's error (else a retrying one's): `ErrorClass: message (queue `q`)`. */
  newestFailure?: string;
}

export interface LiveSection {
  /** The backend read; `both` when more than one was found (`backends` lists them). */
  backend: Backend | 'both';
  /** Every backend found, when more than one. */
  backends?: Backend[];
  /** Celery only: unacknowledged messages and how consumers are known. */
  celery?: CeleryLiveSummary;
  /** Sidekiq only: its retry, scheduled and dead jobs. */
  sidekiq?: SidekiqLiveSummary;
  workers: LiveWorker[];
  queues: LiveQueue[];
  durationMs: number;
  /** Redacted URL that was inspected. */
  redis?: string;
  /** Round trips to Redis made by the inspection (several Redis: the most to any one of them). */
  roundTrips?: number;
  /** Every Redis read, with its topology. */
  targets?: LiveTarget[];
  /** Every RabbitMQ broker read (`--broker`). */
  brokers?: LiveBroker[];
}
