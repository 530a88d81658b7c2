import type { BullKeys } from '../frameworks/bullmq/live-keys.js';

/** One line of `CLIENT LIST`, the fields the doctor uses. */
export interface ClientEntry {
  id: string;
  /** `host:port` of the client. */
  addr: string;
  name: string;
  /** Seconds since the connection was opened. */
  age: number;
  /** Seconds since its last command. */
  idle: number;
  /** Client flags; `b` while blocked in a blocking command. */
  flags: string;
  /** The last command it ran. */
  cmd: string;
  /** The database it has selected. */
  db: number;
}

/** `CLIENT LIST` text → entries (one per line of `key=value` fields). */
export function parseClientList(text: string): ClientEntry[] {
  const entries: ClientEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const fields = new Map<string, string>();
    for (const part of line.trim().split(' ')) {
      const index = part.indexOf('=');
      if (index > 0) fields.set(part.slice(0, index), part.slice(index + 1));
    }
    entries.push({
      id: fields.get('id') ?? '?',
      addr: fields.get('addr') ?? '',
      name: fields.get('name') ?? '',
      age: Number(fields.get('age') ?? 0),
      idle: Number(fields.get('idle') ?? 0),
      flags: fields.get('flags') ?? '',
      cmd: fields.get('cmd') ?? '',
      db: Number(fields.get('db') ?? 0),
    });
  }
  return entries;
}

/** A BullMQ worker's blocking connection, as `CLIENT LIST` shows it. */
export interface BullWorkerClient {
  client: ClientEntry;
  queue: string;
  /** `opts.name` of the worker; undefined for a worker started without one. */
  worker?: string;
  /**
   * Blocked waiting for a job (flag `b`): idle. A worker processing a job does not block on this connection,
   * although the last command it ran there (`cmd`) is still the blocking one.
   */
  waiting: boolean;
}

/**
 * The live BullMQ workers' connections in a `CLIENT LIST` reply. A connection exists exactly as long as its
 * worker process (the kernel closes a killed process's sockets): the liveness BullMQ's own `getWorkers()` uses.
 */
export function bullWorkerClients(text: string, keys: BullKeys): BullWorkerClient[] {
  const clients: BullWorkerClient[] = [];
  for (const client of parseClientList(text)) {
    const parsed = keys.parseWorkerClientName(client.name);
    if (!parsed) continue;
    clients.push({ client, queue: parsed.queue, ...(parsed.worker !== undefined ? { worker: parsed.worker } : {}), waiting: client.flags.includes('b') });
  }
  return clients;
}
