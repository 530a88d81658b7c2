import type { LiveWorker, SidekiqLiveSummary } from '../../types.js';
import { byCodeUnits, emptyQueue, errorLine, type BackendRead, type QueueRead, type WorkerRead } from '../../live/model.js';
import { asNumber, asString, asStrings, type Command, type RedisReader, type Reply } from '../../live/redis.js';
import { SidekiqKeys, sidekiqNamespaces } from './live-keys.js';

/**
 * A process is alive while its hash exists: every beat (launcher.rb ❤, every 5 s in 6.x, 10 s in 7.x) rewrites it
 * with `EXPIRE <identity> 60`, and api.rb ProcessSet#cleanup prunes a `processes` member whose hash is gone ("the hash
 * named key has an expiry of 60 seconds. if it's not found, that means the process has not reported in to Redis and
 * probably died"). Redis's own clock runs that expiry, so no clock skew between the doctor and the workers matters.
 * A hash without an expiry (written by something else than a beat) is judged by its `beat` against this age.
 */
export const SIDEKIQ_BEAT_TTL_MS = 60_000;

/** The process hash fields the report uses, in api.rb ProcessSet#each's order. */
const PROCESS_FIELDS = ['info', 'busy', 'beat', 'quiet'] as const;

/** What `read` returns: the backend read plus the retry/schedule/dead sets (counted over every keyspace read). */
export interface SidekiqRead extends BackendRead {
  sidekiq?: SidekiqLiveSummary;
}

/** Which Sidekiq keyspaces to read. */
export interface SidekiqNamespaces {
  /** `--prefix`: this redis-namespace only. */
  only?: string;
}

interface Keyspace {
  keys: SidekiqKeys;
  processes: string[];
  queues: string[];
  processed: boolean;
  sets: { retry: number; schedule: number; dead: number };
  newestDead?: string;
}

const KEYSPACE_COMMANDS = 8;

function keyspaceCommands(keys: SidekiqKeys): Command[] {
  return [
    ['smembers', keys.processes],
    ['smembers', keys.queues],
    ['exists', keys.processed],
    ['zcard', keys.set('retry')],
    ['zcard', keys.set('schedule')],
    ['zcard', keys.set('dead')],
    // The dead set is scored by the time of death: the highest is the newest.
    ['zrevrange', keys.set('dead'), 0, 0],
    ['zrevrange', keys.set('retry'), 0, 0],
  ];
}

/** A key of another type (WRONGTYPE) is not Sidekiq's: its members are not read. */
const members = (reply: Reply | undefined): string[] => (reply?.error ? [] : asStrings(reply));

/** `ErrorClass: message` of a retry/dead entry (client.rb job JSON with retry.rb's `error_class`/`error_message`). */
function jobError(entry: string | undefined): string | undefined {
  const job = parseJson(entry);
  if (!job) return undefined;
  const errorClass = typeof job.error_class === 'string' ? job.error_class : undefined;
  const message = typeof job.error_message === 'string' ? job.error_message : undefined;
  const queue = typeof job.queue === 'string' ? ` (queue \`${job.queue}\`)` : '';
  const text = errorLine([errorClass, message].filter(Boolean).join(': '));
  return text ? `${text}${queue}` : undefined;
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toKeyspace(keys: SidekiqKeys, replies: Reply[], offset: number): Keyspace {
  const [processes, queues, processed, retry, schedule, dead, newestDead, newestRetry] = replies.slice(offset, offset + KEYSPACE_COMMANDS);
  const failure = jobError(asStrings(newestDead)[0]) ?? jobError(asStrings(newestRetry)[0]);
  return {
    keys,
    processes: members(processes).sort(byCodeUnits),
    queues: members(queues),
    processed: asNumber(processed) > 0,
    sets: { retry: asNumber(retry), schedule: asNumber(schedule), dead: asNumber(dead) },
    ...(failure ? { newestDead: failure } : {}),
  };
}

/** A job's `enqueued_at`: float seconds (Sidekiq ≤ 7) or integer milliseconds (Sidekiq 8). */
function enqueuedAtMs(entry: string | undefined): number | undefined {
  const value = parseJson(entry)?.enqueued_at;
  if (typeof value !== 'number') return undefined;
  return value > 1e11 ? epochMs(value / 1000) : epochMs(value);
}

const QUEUE_COMMANDS = 2;
const queueCommands = (keys: SidekiqKeys, name: string): Command[] => [
  ['llen', keys.queue(name)],
  ['lindex', keys.queue(name), -1],
];

function queueRead(name: string, replies: Reply[], offset: number, now: number, known: boolean): QueueRead {
  const queue = emptyQueue(name, 'sidekiq');
  queue.waiting = asNumber(replies[offset]);
  const enqueuedAt = enqueuedAtMs(asString(replies[offset + 1]));
  if (queue.waiting > 0 && enqueuedAt !== undefined) queue.oldestWaitingAgeMs = Math.max(0, now - enqueuedAt);
  return known ? { queue, known } : { queue };
}

const PROCESS_COMMANDS = 3;
const processCommands = (keys: SidekiqKeys, identity: string): Command[] => [
  ['hmget', keys.process(identity), ...PROCESS_FIELDS],
  ['pttl', keys.process(identity)],
  ['hvals', keys.processWork(identity)],
];

/** Seconds since the epoch (Sidekiq's `beat`, `started_at`) as ms, or undefined past what a Date holds (a hostile `1e300`). */
function epochMs(seconds: number): number | undefined {
  const ms = seconds * 1000;
  return Number.isFinite(ms) && ms > 0 && ms <= 8.64e15 ? ms : undefined;
}

/** The queues of the jobs a process is running (`<identity>:workers` values: `{"queue": …}`). */
function runningQueues(reply: Reply | undefined): string[] {
  return members(reply).flatMap((value) => {
    const queue = parseJson(value)?.queue;
    return typeof queue === 'string' ? [queue] : [];
  });
}

/** A process as read, with the queues of the jobs it runs (one entry per running job). */
interface ProcessRead extends WorkerRead {
  running: string[];
}

/** One `processes` member: alive, quiet or stale, from its hash, the hash's remaining expiry and its beat. */
function processRead(identity: string, replies: Reply[], offset: number, now: number): ProcessRead {
  const values = Array.isArray(replies[offset]?.value) ? (replies[offset]!.value as unknown[]) : [];
  const [infoText, busyText, beatText, quietText] = PROCESS_FIELDS.map((_, index) => {
    const value = values[index];
    return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
  });
  const remainingMs = typeof replies[offset + 1]?.value === 'number' ? (replies[offset + 1]!.value as number) : -2;
  const info = parseJson(infoText);
  if (!info) {
    return { worker: { name: identity, backend: 'sidekiq', queues: [], alive: false, state: 'expired' }, staleReason: 'process-expired', running: [] };
  }
  const worker: LiveWorker = { name: identity, backend: 'sidekiq', queues: [], alive: true, state: 'idle' };
  // launcher.rb to_data: `"queues" => @options[:queues].uniq` — cli.rb repeats a queue once per weight; uniq anyway.
  if (Array.isArray(info.queues)) for (const queue of new Set(info.queues.filter((entry): entry is string => typeof entry === 'string'))) worker.queues.push(queue);
  if (typeof info.hostname === 'string' && info.hostname) worker.hostname = info.hostname;
  if (typeof info.pid === 'number' && Number.isFinite(info.pid)) worker.pid = info.pid;
  if (typeof info.tag === 'string' && info.tag) worker.tag = info.tag;
  if (typeof info.concurrency === 'number' && Number.isFinite(info.concurrency)) worker.concurrency = info.concurrency;
  const startedAt = typeof info.started_at === 'number' ? epochMs(info.started_at) : undefined;
  if (startedAt !== undefined) worker.birth = new Date(startedAt).toISOString();
  const busy = Number(busyText);
  if (busyText !== undefined && Number.isFinite(busy)) {
    worker.busy = busy;
    if (busy > 0) worker.state = 'busy';
  }
  const running = runningQueues(replies[offset + 2]);
  if (running.length) worker.currentJob = [...new Set(running)].map((queue) => `a job from \`${queue}\``).join(', ');
  const beat = beatText !== undefined ? epochMs(Number(beatText)) : undefined;
  if (beat !== undefined) {
    worker.lastHeartbeat = new Date(beat).toISOString();
    worker.heartbeatAgeMs = Math.max(0, Math.round(now - beat));
  }
  let staleReason: string | undefined;
  // launcher.rb: `"quiet", @done` — true after TSTP (or stop): the process fetches no job again until restarted.
  if (quietText === 'true') {
    worker.state = 'quiet';
    staleReason = 'quiet';
  } else if (remainingMs === -1 && (worker.heartbeatAgeMs ?? Infinity) >= SIDEKIQ_BEAT_TTL_MS) staleReason = 'beat-old';
  if (staleReason) worker.alive = false;
  return { worker, remainingTtlMs: remainingMs, running, ...(staleReason ? { staleReason } : {}) };
}

/** A keyspace is Sidekiq's when a process ran there (`stat:processed`), a process hash holds `info`, or a queue holds jobs. */
const isSidekiq = (space: Keyspace, workers: WorkerRead[], queues: QueueRead[]): boolean =>
  space.processed || workers.some((read) => read.staleReason !== 'process-expired') || queues.some((read) => read.queue.waiting > 0);

/**
 * Reads Sidekiq's processes and queues without writing (ProcessSet.new, unlike this, prunes `processes`): the root
 * keyspace and every redis-namespace in use among the `discovered` keys (or `--prefix` only), in three pipelined
 * round trips whatever the number of processes and queues. Namespaced rows carry their namespace in `prefix`, so a
 * process of one namespace never consumes a same-named queue of another.
 */
export async function readSidekiq(
  reader: RedisReader,
  namespaces: SidekiqNamespaces,
  discovered: readonly string[],
  wanted: readonly string[],
  now: number,
): Promise<SidekiqRead> {
  const names = namespaces.only !== undefined ? [namespaces.only] : ['', ...sidekiqNamespaces(discovered)];
  const allKeys = names.map((namespace) => new SidekiqKeys(namespace));
  const first = await reader.pipeline(allKeys.flatMap(keyspaceCommands));
  const spaces = allKeys.map((keys, index) => toKeyspace(keys, first, index * KEYSPACE_COMMANDS));
  // Expected queues get their rows in one keyspace: `--prefix`'s, else the only namespace with processes, else the root.
  const withProcesses = spaces.filter((space) => space.processes.length > 0);
  const home = namespaces.only !== undefined ? spaces[0]! : withProcesses.length === 1 ? withProcesses[0]! : spaces[0]!;

  const rows = spaces.map((space) => [...new Set([...space.queues, ...(space === home ? wanted : [])])]);
  const second = await reader.pipeline(
    spaces.flatMap((space, index) => [
      ...space.processes.flatMap((identity) => processCommands(space.keys, identity)),
      ...rows[index]!.flatMap((name) => queueCommands(space.keys, name)),
    ]),
  );
  let offset = 0;
  const reads = spaces.map((space, index) => {
    const workers = space.processes.map((identity, k) => processRead(identity, second, offset + k * PROCESS_COMMANDS, now));
    offset += space.processes.length * PROCESS_COMMANDS;
    const known = new Set(space.queues);
    const queues = rows[index]!.map((name, k) => queueRead(name, second, offset + k * QUEUE_COMMANDS, now, known.has(name)));
    offset += rows[index]!.length * QUEUE_COMMANDS;
    return { space, workers, queues };
  });
  const active = reads.map(({ workers }) => {
    // A running job has left its list: it is counted from the processes' `<identity>:workers` hashes.
    const counts = new Map<string, number>();
    for (const { running } of workers) for (const queue of running) counts.set(queue, (counts.get(queue) ?? 0) + 1);
    return counts;
  });

  // Queues only the processes name: a client's push adds to `queues` in the same MULTI, so these are read last, and
  // only when there are any.
  const later = reads.map(({ workers, queues }) => {
    const seen = new Set(queues.map((read) => read.queue.name));
    return [...new Set(workers.flatMap((read) => read.worker.queues))].filter((name) => !seen.has(name)).sort(byCodeUnits);
  });
  const third = await reader.pipeline(reads.flatMap(({ space }, index) => later[index]!.flatMap((name) => queueCommands(space.keys, name))));
  offset = 0;
  reads.forEach((read, index) => {
    for (const name of later[index]!) {
      read.queues.push(queueRead(name, third, offset, now, false));
      offset += QUEUE_COMMANDS;
    }
    for (const { queue } of read.queues) queue.active = active[index]!.get(queue.name) ?? 0;
  });

  // A keyspace without Sidekiq's evidence (another application's `x:queues` set, RQ's `rq:queues`) gives no rows,
  // except the expected queues' in the home keyspace.
  const wantedSet = new Set(wanted);
  const counted = reads.filter((read) => isSidekiq(read.space, read.workers, read.queues));
  const kept = reads.flatMap((read) =>
    counted.includes(read) ? [read] : read.space === home && wanted.length ? [{ ...read, workers: [], queues: read.queues.filter((entry) => wantedSet.has(entry.queue.name)) }] : [],
  );
  const found = counted.length > 0;
  for (const { space, workers, queues } of kept) {
    if (!space.keys.namespace) continue;
    for (const { worker } of workers) worker.prefix = space.keys.namespace;
    for (const { queue } of queues) queue.prefix = space.keys.namespace;
  }
  const summary: SidekiqLiveSummary = {
    retry: counted.reduce((sum, read) => sum + read.space.sets.retry, 0),
    scheduled: counted.reduce((sum, read) => sum + read.space.sets.schedule, 0),
    dead: counted.reduce((sum, read) => sum + read.space.sets.dead, 0),
  };
  const newest = counted.find((read) => read.space.newestDead)?.space.newestDead;
  if (newest) summary.newestFailure = newest;
  return {
    found,
    workers: kept.flatMap((read) => read.workers.map(({ running: _running, ...worker }) => worker)).sort((a, b) => byCodeUnits(a.worker.name, b.worker.name)),
    queues: kept.flatMap((read) => read.queues),
    ...(found ? { sidekiq: summary } : {}),
  };
}
