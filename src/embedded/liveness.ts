import { BullKeys, DEFAULT_BULL_PREFIX } from '../frameworks/bullmq/live-keys.js';
import { bullWorkerClients } from '../live/client-list.js';
import { byCodeUnits } from '../order.js';

/** A BullMQ worker as Redis sees it: one connected client per (worker, queue). */
export interface BullWorkerView {
  /** The worker's name (`opts.name`), or `(unnamed)` for workers started without one. */
  name: string;
  queues: string[];
  /** `idle` while every connection waits for a job (blocked), `busy` otherwise; `unknown` when inferred. */
  state: 'idle' | 'busy' | 'unknown';
}

/**
 * The live BullMQ workers in a `CLIENT LIST` reply, one entry per worker name with all its queues — the
 * cross-process liveness BullMQ's own `queue.getWorkers()` uses, read once for all queues (the same parser
 * as the live stage: src/live/client-list.ts).
 */
export function parseBullWorkers(clientList: string, prefix = DEFAULT_BULL_PREFIX): BullWorkerView[] {
  const byName = new Map<string, { queues: Set<string>; waiting: boolean[] }>();
  for (const { queue, worker, waiting } of bullWorkerClients(clientList, new BullKeys(prefix))) {
    const workerName = worker ?? '(unnamed)';
    const entry = byName.get(workerName) ?? { queues: new Set<string>(), waiting: [] };
    entry.queues.add(queue);
    entry.waiting.push(waiting);
    byName.set(workerName, entry);
  }
  return [...byName.entries()]
    .map(([name, entry]) => ({
      name,
      queues: [...entry.queues].sort(),
      state: entry.waiting.every(Boolean) ? ('idle' as const) : ('busy' as const),
    }))
    .sort((a, b) => byCodeUnits(a.name, b.name));
}
