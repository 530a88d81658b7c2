import type { LiveWorker } from '../../types.js';
import { byCodeUnits, emptyQueue, errorLine, parseRqTimestamp, type BackendRead, type QueueRead, type WorkerRead } from '../../live/model.js';
import { asNumber, asString, asStrings, type Command, type RedisReader, type Reply } from '../../live/redis.js';
import { RQ_KEYS, rqQueueName, rqWorkerName } from './live-keys.js';
import { lazyBuiltin } from '../../lazy-builtin.js';

/** Only zlib-compressed job data (RQ's default for large payloads) needs it. */
const zlib = lazyBuiltin<typeof import('node:zlib')>('node:zlib');

/** RQ's DEFAULT_WORKER_TTL (420 s) plus the 60 s it adds to every key expiry. */
export const RQ_DEFAULT_KEY_TTL_MS = (420 + 60) * 1000;
/**
 * Every RQ heartbeat sets the key expiry to "next heartbeat + 60 s", so a healthy worker's key never has less than
 * about a minute left. Less than this means the worker missed its own announced heartbeat: dead or hung.
 */
export const RQ_OVERDUE_REMAINING_MS = 30_000;

interface QueueReplies {
  length: Reply;
  head: Reply;
  started: Reply;
  failed: Reply;
  newestFailed: Reply;
  deferred: Reply;
  scheduled: Reply;
  finished: Reply;
}

const QUEUE_COMMANDS = 8;

/** Commands that read one queue's list and registries. Registry scores are expiry times: count the unexpired. */
function queueCommands(name: string, nowSeconds: number): Command[] {
  const after = `(${nowSeconds}`;
  return [
    ['llen', RQ_KEYS.queue(name)],
    ['lindex', RQ_KEYS.queue(name), 0],
    ['zcount', RQ_KEYS.registry('wip', name), after, '+inf'],
    ['zcount', RQ_KEYS.registry('failed', name), after, '+inf'],
    ['zrevrange', RQ_KEYS.registry('failed', name), 0, 0],
    ['zcard', RQ_KEYS.registry('deferred', name)],
    ['zcard', RQ_KEYS.registry('scheduled', name)],
    ['zcount', RQ_KEYS.registry('finished', name), after, '+inf'],
  ];
}

function toQueueReplies(replies: Reply[], offset: number): QueueReplies {
  const [length, head, started, failed, newestFailed, deferred, scheduled, finished] = replies.slice(offset, offset + QUEUE_COMMANDS);
  return { length: length!, head: head!, started: started!, failed: failed!, newestFailed: newestFailed!, deferred: deferred!, scheduled: scheduled!, finished: finished! };
}

/** Jobs whose hashes must be read next: the oldest waiting one and the newest failed one of each queue. */
interface JobLookups {
  oldest: Map<string, string>;
  newestFailed: Map<string, string>;
}

function toQueueRead(name: string, replies: QueueReplies, lookups: JobLookups): QueueRead {
  const queue = emptyQueue(name, 'rq');
  queue.waiting = asNumber(replies.length);
  queue.active = asNumber(replies.started);
  queue.failed = asNumber(replies.failed);
  const deferred = asNumber(replies.deferred);
  const scheduled = asNumber(replies.scheduled);
  const finished = asNumber(replies.finished);
  if (deferred) queue.delayed = deferred;
  if (scheduled) queue.scheduled = scheduled;
  if (finished) queue.finished = finished;
  const head = asString(replies.head);
  if (head) lookups.oldest.set(name, head);
  const [failedId] = asStrings(replies.newestFailed);
  if (failedId && queue.failed > 0) lookups.newestFailed.set(name, failedId);
  return { queue };
}

const JOB_COMMANDS = 3;

function jobCommands(lookups: JobLookups): { commands: Command[]; order: [kind: 'oldest' | 'failed', queue: string][] } {
  const commands: Command[] = [];
  const order: [kind: 'oldest' | 'failed', queue: string][] = [];
  for (const [queue, id] of lookups.oldest) {
    commands.push(['hget', RQ_KEYS.job(id), 'enqueued_at']);
    order.push(['oldest', queue]);
  }
  for (const [queue, id] of lookups.newestFailed) {
    // RQ ≥ 1.12 keeps the exception in the results stream; older servers (no streams) in the job hash, zlib'd.
    commands.push(
      ['hgetBuffer', RQ_KEYS.job(id), 'exc_info'],
      ['xrevrange', RQ_KEYS.results(id), '+', '-', 'COUNT', 1],
      ['hget', RQ_KEYS.job(id), 'ended_at'],
    );
    order.push(['failed', queue]);
  }
  return { commands, order };
}

/**
 * An exception text is inflated to at most this: a zlib bomb (1 MB inflating to 1 GiB) stays a bounded read. Over
 * it the exception is not shown (its last line, the one the report quotes, is past the cap).
 */
export const MAX_EXC_INFO_BYTES = 1024 * 1024;

function inflateCapped(value: Buffer): string | undefined {
  try {
    return zlib().inflateSync(value, { maxOutputLength: MAX_EXC_INFO_BYTES }).toString('utf8');
  } catch {
    return undefined;
  }
}

function decodeExcInfo(value: unknown): string | undefined {
  if (!Buffer.isBuffer(value) || value.length === 0) return undefined;
  const inflated = inflateCapped(value);
  if (inflated !== undefined) return inflated;
  // Very old RQ stored the text itself; anything else (compressed bytes that did not inflate) is never printed.
  const text = value.subarray(0, MAX_EXC_INFO_BYTES).toString('utf8');
  return value.length <= MAX_EXC_INFO_BYTES && !text.includes('\ufffd') && Buffer.from(text).equals(value) ? text : undefined;
}

function decodeResultStream(value: unknown): string | undefined {
  // XREVRANGE → [[id, [field, value, …]]]; a failure has type 2 and a base64'd zlib'd exc_string.
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const fields = (value[0] as [string, string[]])[1] ?? [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] !== 'exc_string') continue;
    return inflateCapped(Buffer.from(fields[index + 1]!, 'base64'));
  }
  return undefined;
}

function applyJobReplies(queues: Map<string, QueueRead>, order: [kind: 'oldest' | 'failed', queue: string][], replies: Reply[], now: number): void {
  let index = 0;
  for (const [kind, name] of order) {
    const read = queues.get(name)!;
    if (kind === 'oldest') {
      const enqueuedAt = parseRqTimestamp(asString(replies[index]));
      if (enqueuedAt !== undefined) read.queue.oldestWaitingAgeMs = Math.max(0, now - enqueuedAt);
      index += 1;
    } else {
      const text = decodeResultStream(replies[index + 1]?.value) ?? decodeExcInfo(replies[index]?.value);
      const line = errorLine(text);
      if (line) read.newestFailure = line;
      index += JOB_COMMANDS;
    }
  }
}

/** The worker hash fields the report uses (worker.py refresh() reads the same names). */
const WORKER_FIELDS = ['queues', 'state', 'current_job', 'last_heartbeat', 'birth', 'hostname', 'pid', 'death'] as const;

/** HMGET's answer as a record of the fields present; undefined for an expired worker key (no field at all). */
function workerHash(reply: Reply | undefined): Record<string, string> | undefined {
  const values = Array.isArray(reply?.value) ? (reply.value as unknown[]) : [];
  let hash: Record<string, string> | undefined;
  for (let index = 0; index < WORKER_FIELDS.length; index++) {
    const value = values[index];
    if (typeof value === 'string') (hash ??= {})[WORKER_FIELDS[index]!] = value;
  }
  return hash;
}

/** PTTL in ms; -1 no expiry, -2 no key (also for an error reply). */
const pttl = (reply: Reply | undefined): number => (typeof reply?.value === 'number' ? reply.value : -2);

/** Alive or stale, from the hash, its remaining TTL and the heartbeat age (see worker.py register_birth/heartbeat). */
function workerRead(key: string, hash: Record<string, string> | undefined, remainingMs: number, now: number): WorkerRead {
  const name = rqWorkerName(key);
  if (hash === undefined) {
    return { worker: { name, backend: 'rq', queues: [], alive: false, state: 'expired' }, staleReason: 'expired' };
  }
  const birth = parseRqTimestamp(hash.birth);
  const heartbeat = parseRqTimestamp(hash.last_heartbeat) ?? birth;
  // Plain assignments rather than conditional spreads: this runs once per worker in a cold process.
  const worker: LiveWorker = { name, backend: 'rq', queues: [], alive: true, state: hash.state || '?' };
  for (const queue of (hash.queues ?? '').split(',')) {
    const trimmed = queue.trim();
    if (trimmed) worker.queues.push(trimmed);
  }
  if (hash.hostname) worker.hostname = hash.hostname;
  const pid = Number(hash.pid);
  if (hash.pid && Number.isFinite(pid)) worker.pid = pid;
  if (heartbeat !== undefined) {
    worker.lastHeartbeat = new Date(heartbeat).toISOString();
    worker.heartbeatAgeMs = Math.max(0, now - heartbeat);
  }
  if (hash.current_job) worker.currentJob = hash.current_job;
  if (birth !== undefined) worker.birth = new Date(birth).toISOString();
  let staleReason: string | undefined;
  if (hash.death) staleReason = 'dead';
  else if (remainingMs >= 0 && remainingMs < RQ_OVERDUE_REMAINING_MS) staleReason = 'heartbeat-overdue';
  else if (remainingMs < 0 && (worker.heartbeatAgeMs ?? Infinity) > RQ_DEFAULT_KEY_TTL_MS) staleReason = 'heartbeat-old';
  if (staleReason) worker.alive = false;
  return { worker, remainingTtlMs: remainingMs, ...(staleReason ? { staleReason } : {}) };
}

/** Worker keys listed in per-queue sets (`rq:workers:<queue>`) but not in `rq:workers`, with the sets that list them. */
function extraRegistrations(
  names: readonly string[],
  replies: Reply[],
  offset: number,
  stride: number,
  known: Set<string>,
  into: Map<string, string[]>,
  membership: Map<string, string[]>,
): void {
  names.forEach((name, index) => {
    for (const key of asStrings(replies[offset + index * stride])) {
      membership.set(key, [...(membership.get(key) ?? []), name]);
      if (known.has(key)) continue;
      into.set(key, [...(into.get(key) ?? []), name]);
    }
  });
}

/** A worker key only a per-queue set lists: stale when its hash is gone, with the queues whose sets list it. */
function perQueueWorker(key: string, queues: string[], hash: Reply | undefined, ttl: Reply | undefined, now: number): WorkerRead {
  const read = workerRead(key, workerHash(hash), pttl(ttl), now);
  if (read.worker.queues.length === 0) read.worker.queues = [...queues].sort();
  read.listedIn = queues.map((queue) => RQ_KEYS.workersOf(queue)).sort();
  return read;
}

/**
 * Reads RQ's registrations without writing (no cleanup, unlike `rq info`/`Worker.all`/registry counts):
 * `rq:workers`, the per-queue sets `rq:workers:<queue>` (a dead worker another worker's start-up cleanup removed
 * from `rq:workers` stays there), worker hashes, queues and registries — at most four pipelined round trips
 * whatever the number of workers and queues.
 */
export async function readRq(reader: RedisReader, extraQueues: readonly string[], now: number): Promise<BackendRead> {
  const nowSeconds = Math.floor(now / 1000);
  const [workerKeysReply, queueKeysReply] = await reader.pipeline([
    ['smembers', RQ_KEYS.workers],
    ['smembers', RQ_KEYS.queues],
  ]);
  const workerKeys = asStrings(workerKeysReply).sort();
  const registeredQueues = asStrings(queueKeysReply).flatMap((key) => rqQueueName(key) ?? []);
  const known = new Set(registeredQueues);
  const found = workerKeys.length > 0 || registeredQueues.length > 0;
  const firstQueues = [...new Set([...registeredQueues, ...extraQueues])];
  const listed = new Set(workerKeys);

  const commands: Command[] = [];
  for (const key of workerKeys) commands.push(['hmget', key, ...WORKER_FIELDS], ['pttl', key]);
  for (const name of firstQueues) commands.push(...queueCommands(name, nowSeconds), ['smembers', RQ_KEYS.workersOf(name)]);
  const replies = await reader.pipeline(commands);

  const workers = workerKeys.map((key, index) =>
    workerRead(key, workerHash(replies[2 * index]), pttl(replies[2 * index + 1]), now),
  );
  const queues = new Map<string, QueueRead>();
  const lookups: JobLookups = { oldest: new Map(), newestFailed: new Map() };
  const firstOffset = 2 * workerKeys.length;
  const stride = QUEUE_COMMANDS + 1;
  firstQueues.forEach((name, index) => {
    queues.set(name, toQueueRead(name, toQueueReplies(replies, firstOffset + index * stride), lookups));
  });
  const extra = new Map<string, string[]>();
  const membership = new Map<string, string[]>();
  extraRegistrations(firstQueues, replies, firstOffset + QUEUE_COMMANDS, stride, listed, extra, membership);

  // Queues only named by workers (never enqueued to) are read together with the job lookups and the hashes of
  // workers only the per-queue sets list.
  const laterQueues = [...new Set(workers.flatMap((read) => read.worker.queues))].filter((name) => !queues.has(name));
  const extraKeys = [...extra.keys()].sort();
  const jobs = jobCommands(lookups);
  const secondCommands = [...jobs.commands];
  for (const name of laterQueues) secondCommands.push(...queueCommands(name, nowSeconds), ['smembers', RQ_KEYS.workersOf(name)]);
  for (const key of extraKeys) secondCommands.push(['hmget', key, ...WORKER_FIELDS], ['pttl', key]);
  const secondReplies = await reader.pipeline(secondCommands);
  applyJobReplies(queues, jobs.order, secondReplies, now);

  const laterLookups: JobLookups = { oldest: new Map(), newestFailed: new Map() };
  const laterOffset = jobs.commands.length;
  laterQueues.forEach((name, index) => {
    queues.set(name, toQueueRead(name, toQueueReplies(secondReplies, laterOffset + index * stride), laterLookups));
  });
  const extraOffset = laterOffset + laterQueues.length * stride;
  extraKeys.forEach((key, index) => {
    workers.push(perQueueWorker(key, extra.get(key)!, secondReplies[extraOffset + 2 * index], secondReplies[extraOffset + 2 * index + 1], now));
    listed.add(key);
  });
  const lateExtra = new Map<string, string[]>();
  extraRegistrations(laterQueues, secondReplies, laterOffset + QUEUE_COMMANDS, stride, listed, lateExtra, membership);
  const lateExtraKeys = [...lateExtra.keys()].sort();
  const thirdCommands: Command[] = [];
  const laterJobs = jobCommands(laterLookups);
  thirdCommands.push(...laterJobs.commands);
  for (const key of lateExtraKeys) thirdCommands.push(['hmget', key, ...WORKER_FIELDS], ['pttl', key]);
  if (thirdCommands.length > 0) {
    const thirdReplies = await reader.pipeline(thirdCommands);
    applyJobReplies(queues, laterJobs.order, thirdReplies, now);
    const offset = laterJobs.commands.length;
    lateExtraKeys.forEach((key, index) => {
      workers.push(perQueueWorker(key, lateExtra.get(key)!, thirdReplies[offset + 2 * index], thirdReplies[offset + 2 * index + 1], now));
    });
  }
  for (const [name, read] of queues) if (known.has(name)) read.known = true;
  // An expired hash no longer says which queues the worker listened to; the per-queue sets still do.
  for (const read of workers) {
    if (read.worker.queues.length === 0) read.worker.queues = [...(membership.get(RQ_KEYS.worker(read.worker.name)) ?? [])].sort();
  }

  return {
    found: found || laterQueues.length > 0 || extraKeys.length > 0,
    workers: workers.sort((a, b) => byCodeUnits(a.worker.name, b.worker.name)),
    queues: [...queues.values()],
  };
}
