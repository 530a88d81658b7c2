import { BullKeys, DEFAULT_BULL_PREFIX, splitMetaKey } from './live-keys.js';
import { bullWorkerClients } from '../../live/client-list.js';
import { byCodeUnits, emptyQueue, errorLine, type BackendRead, type QueueRead, type WorkerRead } from '../../live/model.js';
import { asNumber, asString, asStrings, type Command, type RedisReader, type Reply } from '../../live/redis.js';

const QUEUE_COMMANDS = 11;

/**
 * Whether a `…:meta` key's fields are a BullMQ queue's: its queue and worker write `opts.maxLenEvents` (and `version`
 * `bullmq:<semver>`), pausing writes `paused`. An application's own `session:7:meta` hash has none of them; a key that
 * is not a hash answers HMGET with an error.
 */
const META_FIELDS = ['opts.maxLenEvents', 'version', 'paused'] as const;
function isQueueMeta(reply: Reply | undefined): boolean {
  const [maxLenEvents, version, paused] = Array.isArray(reply?.value) ? (reply.value as unknown[]) : [];
  return maxLenEvents != null || paused != null || (typeof version === 'string' && version.startsWith('bullmq:'));
}

/**
 * The queues of every BullMQ prefix in use, by prefix: the `<prefix>:<queue>:meta` keys among `metaKeys` (found on
 * every node: a Cluster's `{bull}`-tagged queues live on one master each), kept when their fields are a BullMQ
 * queue's (one HMGET pipeline).
 */
async function discoverPrefixes(reader: RedisReader, metaKeys: readonly string[]): Promise<Map<string, string[]>> {
  const keys = metaKeys.filter((key) => splitMetaKey(key));
  const fields = await reader.pipeline(keys.map((key): Command => ['hmget', key, ...META_FIELDS]));
  const byPrefix = new Map<string, string[]>();
  keys.forEach((key, index) => {
    if (!isQueueMeta(fields[index])) return;
    const { prefix, queue } = splitMetaKey(key)!;
    const queues = byPrefix.get(prefix);
    if (queues) queues.push(queue);
    else byPrefix.set(prefix, [queue]);
  });
  return byPrefix;
}

/** Which BullMQ prefixes to read. */
export interface BullPrefixes {
  /** `--prefix` (or the config's `live.prefix`): this prefix only, as given. */
  only?: string;
  /** Prefixes the project's code names (`prefix:` of its Queue/Worker options): read even before a queue has a key. */
  named?: readonly string[];
}

/**
 * Reads the BullMQ queues and workers of every prefix in use (or of `--prefix` only), from the `…:meta` keys the live
 * stage's SCAN loop found (`metaKeys`). With several prefixes each
 * queue and worker carries its prefix (`prefix`), so a worker of one prefix never counts as the consumer of a
 * same-named queue of another. Round trips grow with the number of prefixes, never with queues or workers.
 */
export async function readBullmq(
  reader: RedisReader,
  prefixes: BullPrefixes,
  metaKeys: readonly string[],
  extraQueues: readonly string[],
  now: number,
): Promise<BackendRead> {
  if (prefixes.only !== undefined) {
    const keys = new BullKeys(prefixes.only);
    const queues = [...new Set(metaKeys.flatMap((key) => keys.queueOfMetaKey(key) ?? []))].sort();
    return readBullmqPrefix(reader, prefixes.only, queues, extraQueues, now);
  }
  const discovered = await discoverPrefixes(reader, metaKeys);
  const named = prefixes.named ?? [];
  const all = [...new Set([...discovered.keys(), ...named])].sort(byCodeUnits);
  if (all.length === 0) all.push(DEFAULT_BULL_PREFIX);
  // Expected queues get their rows under one prefix: the one the code names, else the only one in use, else `bull`.
  const home = named[0] ?? (all.length === 1 ? all[0]! : DEFAULT_BULL_PREFIX);
  // A prefix the code names is read even without a queue key: its workers (CLIENT LIST) wait before the first job.
  const reads = await Promise.all(
    all.map((prefix) => readBullmqPrefix(reader, prefix, discovered.get(prefix) ?? [], prefix === home ? extraQueues : [], now, named.includes(prefix))),
  );
  const tagged = all.length > 1 || all[0] !== DEFAULT_BULL_PREFIX;
  if (tagged) {
    reads.forEach((read, index) => {
      for (const { worker } of read.workers) worker.prefix = all[index]!;
      for (const { queue } of read.queues) queue.prefix = all[index]!;
    });
  }
  return {
    found: reads.some((read) => read.found),
    workers: reads.flatMap((read) => read.workers),
    queues: reads.flatMap((read) => read.queues),
    ...(reads.some((read) => read.clientListDenied) ? { clientListDenied: true } : {}),
  };
}

function queueCommands(keys: BullKeys, name: string): Command[] {
  const key = (type: Parameters<BullKeys['key']>[1]) => keys.key(name, type);
  return [
    ['llen', key('wait')],
    ['llen', key('paused')],
    ['zcard', key('prioritized')],
    ['llen', key('active')],
    ['zcard', key('delayed')],
    ['zcard', key('failed')],
    ['zcard', key('completed')],
    // LPUSH adds to the head and workers take from the tail: the oldest waiting job is the last element.
    ['lindex', key('wait'), -1],
    ['zrevrange', key('failed'), 0, 0],
    ['pttl', key('stalled-check')],
    ['lindex', key('paused'), -1],
  ];
}

/** The live BullMQ workers in a `CLIENT LIST` reply (see client-list.ts); an unnamed worker is shown per connection. */
export function workersFromClientList(text: string, prefix: string, now: number): WorkerRead[] {
  const workers: WorkerRead[] = [];
  for (const { client, queue, worker, waiting } of bullWorkerClients(text, new BullKeys(prefix))) {
    const host = client.addr.replace(/:\d+$/, '');
    workers.push({
      worker: {
        name: worker ? worker : `${queue}#${client.id}`,
        backend: 'bullmq',
        hostname: host,
        queues: [queue],
        state: waiting ? 'idle' : 'busy',
        alive: true,
        heartbeatAgeMs: client.idle * 1000,
        lastHeartbeat: new Date(now - client.idle * 1000).toISOString(),
        birth: new Date(now - client.age * 1000).toISOString(),
      },
    });
  }
  return mergeNamedWorkers(workers).sort((a, b) => byCodeUnits(a.worker.name, b.worker.name));
}

/**
 * One named worker process often runs a BullMQ Worker per queue under the same name (the embedded pair does,
 * like `rq worker high low`): show it once, with all its queues, busy if any of its connections is.
 */
function mergeNamedWorkers(reads: WorkerRead[]): WorkerRead[] {
  const merged = new Map<string, WorkerRead>();
  for (const read of reads) {
    const key = `${read.worker.name}\0${read.worker.hostname ?? ''}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, read);
      continue;
    }
    const worker = seen.worker;
    worker.queues = [...new Set([...worker.queues, ...read.worker.queues])].sort(byCodeUnits);
    if (read.worker.state === 'busy') worker.state = 'busy';
    if ((read.worker.heartbeatAgeMs ?? Infinity) < (worker.heartbeatAgeMs ?? Infinity)) {
      worker.heartbeatAgeMs = read.worker.heartbeatAgeMs;
      worker.lastHeartbeat = read.worker.lastHeartbeat;
    }
  }
  return [...merged.values()];
}

function toQueueRead(name: string, replies: Reply[], offset: number, jobs: Map<string, { oldest?: string; failed?: string }>): QueueRead {
  const [wait, paused, prioritized, active, delayed, failed, completed, oldestWait, newestFailed, stalledCheck, oldestPaused] = replies.slice(
    offset,
    offset + QUEUE_COMMANDS,
  );
  const queue = emptyQueue(name, 'bullmq');
  queue.waiting = asNumber(wait) + asNumber(paused) + asNumber(prioritized);
  queue.active = asNumber(active);
  queue.failed = asNumber(failed);
  if (asNumber(delayed)) queue.delayed = asNumber(delayed);
  if (asNumber(completed)) queue.finished = asNumber(completed);
  const oldest = asString(oldestWait) ?? asString(oldestPaused);
  const [failedId] = asStrings(newestFailed);
  jobs.set(name, { ...(oldest ? { oldest } : {}), ...(failedId ? { failed: failedId } : {}) });
  const remaining = stalledCheck?.value;
  return { queue, ...(typeof remaining === 'number' && remaining > 0 ? { stalledCheckAlive: true } : {}) };
}

/**
 * Reads BullMQ queues and workers without writing (unlike `getJobCounts`): two pipelined round trips whatever the number of queues and workers. CLIENT LIST may be refused by ACL: then liveness comes from the
 * `stalled-check` key each worker's stalled-jobs checker refreshes every `stalledInterval`.
 */
async function readBullmqPrefix(
  reader: RedisReader,
  prefix: string,
  discovered: string[],
  extraQueues: readonly string[],
  now: number,
  workersAnyway = false,
): Promise<BackendRead> {
  const keys = new BullKeys(prefix);
  const names = [...new Set([...discovered, ...extraQueues])];
  if (names.length === 0 && !workersAnyway) return { found: false, workers: [], queues: [] };

  const commands: Command[] = [['client', 'list']];
  for (const name of names) commands.push(...queueCommands(keys, name));
  const replies = await reader.pipeline(commands);
  const clientList = replies[0]!;
  const clientListDenied = Boolean(clientList.error);
  const workers = clientListDenied ? [] : workersFromClientList(asString(clientList) ?? '', prefix, now);

  const jobs = new Map<string, { oldest?: string; failed?: string }>();
  const queues = names.map((name, index) => toQueueRead(name, replies, 1 + index * QUEUE_COMMANDS, jobs));
  const metaKeys = new Set(discovered);
  for (const read of queues) if (metaKeys.has(read.queue.name)) read.known = true;

  // Second round trip: the oldest waiting job's timestamp and the newest failure's reason, for every queue at once.
  const jobCommands: Command[] = [];
  const lookups: [read: QueueRead, kind: 'oldest' | 'failed'][] = [];
  for (const read of queues) {
    const ids = jobs.get(read.queue.name) ?? {};
    if (ids.oldest) {
      jobCommands.push(['hget', keys.job(read.queue.name, ids.oldest), 'timestamp']);
      lookups.push([read, 'oldest']);
    }
    if (ids.failed) {
      jobCommands.push(['hget', keys.job(read.queue.name, ids.failed), 'failedReason']);
      lookups.push([read, 'failed']);
    }
  }
  const jobReplies = await reader.pipeline(jobCommands);
  lookups.forEach(([read, kind], index) => {
    const text = asString(jobReplies[index]);
    if (kind === 'oldest') {
      const enqueuedAt = Number(text);
      if (Number.isFinite(enqueuedAt) && enqueuedAt > 0) read.queue.oldestWaitingAgeMs = Math.max(0, now - enqueuedAt);
    } else {
      const failure = errorLine(text);
      if (failure) read.newestFailure = failure;
    }
  });
  // A worker's queue without a meta key has never had a job added: an empty row keeps the worker visible.
  for (const name of new Set(workers.flatMap((read) => read.worker.queues))) {
    if (!names.includes(name)) queues.push({ queue: emptyQueue(name, 'bullmq') });
  }

  return { found: discovered.length > 0 || workers.length > 0, workers, queues, ...(clientListDenied ? { clientListDenied } : {}) };
}
