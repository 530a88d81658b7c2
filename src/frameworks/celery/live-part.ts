import type { FrameworkLive } from '../framework.js';
import { KOMBU_DISCOVERY } from './live-keys.js';

/** Celery's live part: kombu's redis transport, found by its `_kombu.binding.*` keys (read by live.ts). */
export const celeryLive: FrameworkLive = {
  // kombu's redis transport: one BRPOP waits on the lists of all a worker's queues (many slots).
  clusterRefusal:
    "Celery's Redis transport does not support Redis Cluster (a worker's BRPOP spans the lists of all its queues): give --redis the Redis the Celery broker URL names, or another --backend.",
  discovery: KOMBU_DISCOVERY,
  read: async (reader, wanted, now, options) =>
    (await import('./live.js')).readCelery(reader, options.discovered, wanted, now, {
      ...(options.celeryInspectTimeoutMs !== undefined ? { inspectTimeoutMs: options.celeryInspectTimeoutMs } : {}),
    }),
};
