/**
 * BullMQ's key layout and connection names, as its QueueKeys (classes/queue-keys.ts) and QueueBase.clientName
 * (classes/queue-base.ts, worker.ts) write them. The only place that spells them; the live stage and the embedded
 * pair both read through it.
 */

export const DEFAULT_BULL_PREFIX = 'bull';

/** The per-queue keys the doctor reads (lists: wait, paused, active; sorted sets: the rest; meta a hash). */
export type BullQueueKey = 'wait' | 'paused' | 'active' | 'prioritized' | 'delayed' | 'failed' | 'completed' | 'meta' | 'stalled-check';

export class BullKeys {
  constructor(readonly prefix: string = DEFAULT_BULL_PREFIX) {}

  /** `<prefix>:<queue>:<type>`. */
  key(queue: string, type: BullQueueKey): string {
    return `${this.prefix}:${queue}:${type}`;
  }

  /** A job's hash: `<prefix>:<queue>:<id>`. */
  job(queue: string, id: string): string {
    return `${this.prefix}:${queue}:${id}`;
  }

  /** The queue named by a `<prefix>:<queue>:meta` key, or undefined for any other key. */
  queueOfMetaKey(key: string): string | undefined {
    const head = `${this.prefix}:`;
    return key.startsWith(head) && key.endsWith(':meta') && key.length >= head.length + ':meta'.length
      ? key.slice(head.length, -':meta'.length)
      : undefined;
  }

  /** A worker's blocking connection name: `<prefix>:<base64(queue)>`, plus `:w:<name>` for a named worker. */
  workerClientName(queue: string, worker?: string): string {
    return `${this.prefix}:${Buffer.from(queue).toString('base64')}${worker ? `:w:${worker}` : ''}`;
  }

  /**
   * The queue and worker name in a connection name, when it is a BullMQ worker's; undefined for QueueEvents
   * (`…:qe`), other prefixes and anything else. The queue part must round-trip through base64, as BullMQ's own
   * encoding does, so `<prefix>:<anything>` from another client is not mistaken for a worker.
   */
  parseWorkerClientName(name: string): { queue: string; worker?: string } | undefined {
    const head = `${this.prefix}:`;
    if (!name.startsWith(head)) return undefined;
    const rest = name.slice(head.length);
    const marker = rest.indexOf(':w:');
    const encoded = marker === -1 ? rest : rest.slice(0, marker);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
    const decoded = Buffer.from(encoded, 'base64');
    if (decoded.toString('base64') !== encoded) return undefined;
    return { queue: decoded.toString('utf8'), ...(marker === -1 ? {} : { worker: rest.slice(marker + ':w:'.length) }) };
  }
}

/** Every BullMQ queue's `meta` hash, whatever its prefix, is the key its queues are found by. */
export const BULL_DISCOVERY = {
  markers: [':meta'],
  matches: (key: string): boolean => key.endsWith(':meta'),
} as const;

/**
 * The prefix and queue of a `<prefix>:<queue>:meta` key, whatever the prefix (`bull`, `acme`, `{bull}` hash-tagged for
 * a Cluster, `app:jobs`). BullMQ refuses a queue name holding `:` (Queue's constructor), so the queue is the part
 * between the last two colons and the prefix everything before.
 */
export function splitMetaKey(key: string): { prefix: string; queue: string } | undefined {
  if (!key.endsWith(':meta')) return undefined;
  const rest = key.slice(0, -':meta'.length);
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { prefix: rest.slice(0, colon), queue: rest.slice(colon + 1) };
}

