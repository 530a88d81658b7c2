/** A BullMQ worker as Redis sees it: one connected client per (worker, queue). */
export interface BullWorkerView {
  /** The worker's name (`opts.name`), or `(unnamed)` for workers started without one. */
  name: string;
  queues: string[];
  /** `idle` while every connection waits for a job (blocked), `busy` otherwise; `unknown` when inferred. */
  state: 'idle' | 'busy' | 'unknown';
}

const decodeBase64 = (text: string): string | undefined => {
  const decoded = Buffer.from(text, 'base64');
  // Only names that round-trip are queue names; anything else is some other client named `<prefix>:…`.
  return decoded.toString('base64') === text ? decoded.toString('utf8') : undefined;
};

/**
 * The live BullMQ workers in a `CLIENT LIST` reply. A BullMQ worker names its blocking connection
 * `<prefix>:<base64(queue)>` or `<prefix>:<base64(queue)>:w:<name>`; the connection exists exactly as long
 * as the worker process does (a SIGKILLed process's sockets are closed by the kernel), so this is the
 * cross-process liveness BullMQ's own `queue.getWorkers()` uses — read once for all queues.
 */
export function parseBullWorkers(clientList: string, prefix = 'bull'): BullWorkerView[] {
  const byName = new Map<string, { queues: Set<string>; blocked: boolean[] }>();
  const head = `${prefix}:`;
  for (const line of clientList.split(/\r?\n/)) {
    const fields = new Map<string, string>();
    for (const pair of line.split(' ')) {
      const index = pair.indexOf('=');
      if (index > 0) fields.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const clientName = fields.get('name');
    if (!clientName?.startsWith(head)) continue;
    const rest = clientName.slice(head.length);
    const marker = rest.indexOf(':w:');
    const encoded = marker === -1 ? rest : rest.slice(0, marker);
    if (!encoded || encoded.includes(':')) continue;
    const queue = decodeBase64(encoded);
    if (queue === undefined) continue;
    const workerName = marker === -1 ? '(unnamed)' : rest.slice(marker + 3);
    const entry = byName.get(workerName) ?? { queues: new Set<string>(), blocked: [] };
    entry.queues.add(queue);
    entry.blocked.push((fields.get('flags') ?? '').includes('b'));
    byName.set(workerName, entry);
  }
  return [...byName.entries()]
    .map(([name, entry]) => ({
      name,
      queues: [...entry.queues].sort(),
      state: entry.blocked.every(Boolean) ? ('idle' as const) : ('busy' as const),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
