import type { LiveQueue, LiveWorker } from '../types.js';

/** A worker as read, with why it is not alive (internal: the report carries `alive` only). */
export interface WorkerRead {
  worker: LiveWorker;
  /** Why the registration is stale: `expired`, `dead`, `heartbeat-overdue`, `heartbeat-old`; Celery `no-reply`, `no-task-consumer`. */
  staleReason?: string;
  /** RQ: what was left of the worker key's TTL when read (ms); -1 none, -2 gone. */
  remainingTtlMs?: number;
  /** RQ: the per-queue sets (`rq:workers:<queue>`) that list a worker `rq:workers` does not. */
  listedIn?: string[];
}

/** A queue as read, with the newest failure's first error line and liveness inferred without CLIENT LIST. */
export interface QueueRead {
  queue: LiveQueue;
  newestFailure?: string;
  /** BullMQ fallback: a worker ran a stalled-jobs check recently (its `stalled-check` key is alive). */
  stalledCheckAlive?: boolean;
  /** Redis itself knows the queue (RQ's `rq:queues`, a BullMQ `meta` key), not only an expectation or a worker. */
  known?: boolean;
  /** How the absence of a consumer was proven (Celery's blocked-BRPOP proof), as a sentence for the finding. */
  proof?: string;
  /** Where the broker knows it from, when not one of the Redis layouts (a RabbitMQ queue in a vhost). */
  knownAs?: string;
}

/** What one backend reader returns. */
export interface BackendRead {
  found: boolean;
  workers: WorkerRead[];
  queues: QueueRead[];
  /** BullMQ: CLIENT LIST was refused (ACL), liveness came from stalled-check keys. */
  clientListDenied?: boolean;
}

/** Parses RQ's `%Y-%m-%dT%H:%M:%S.%fZ` (and the older second-precision form) as UTC milliseconds. */
export function parseRqTimestamp(text: string | undefined): number | undefined {
  if (!text) return undefined;
  // Fast path: V8 reads ISO timestamps with microseconds; the regex below is for anything it refuses.
  if (text.endsWith('Z')) {
    const parsed = Date.parse(text);
    if (Number.isFinite(parsed)) return parsed;
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = fraction ? Math.floor(Number(fraction.padEnd(6, '0')) / 1000) : 0;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/** The first meaningful line of an error text: the last line of a Python traceback (`ValueError: …`). */
export function errorLine(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length === 0) return undefined;
  const line = lines[0]!.startsWith('Traceback') ? lines[lines.length - 1]! : lines[0]!;
  return line.length > 200 ? `${line.slice(0, 197)}…` : line;
}

export function emptyQueue(name: string, backend: LiveQueue['backend']): LiveQueue {
  return { name, backend, waiting: 0, active: 0, failed: 0, consumers: [] };
}

export { byCodeUnits } from '../order.js';
