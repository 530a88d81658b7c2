import type { CeleryLiveSummary } from '../../types.js';
import { parseClientList } from '../../live/client-list.js';
import { brpopNotBlocked, provenUnconsumed } from './live-proof.js';
import { bindingExchange, CELERY_KEYS, exchangeKind, mailboxNamespace, mailboxNode, parseBinding, type KombuBinding } from './live-keys.js';
import { byCodeUnits, emptyQueue, type BackendRead, type QueueRead, type WorkerRead } from '../../live/model.js';
import { asNumber, asString, asStrings, type Command, type RedisReader, type Reply } from '../../live/redis.js';

/** Unacknowledged messages read to tell their queue (HSCAN pages of UNACKED_PAGE); the rest are counted only. */
export const MAX_UNACKED_READ = 2000;
const UNACKED_PAGE = 1000;
/**
 * How long the proof waits before reading again when a `brpop` connection was not blocked: kombu's idle worker is
 * back in BRPOP within microseconds of the last one timing out, a few ms on a loaded machine; a busy one is not.
 */
export const PROOF_REPEAT_PAUSE_MS = 200;
/** A message over this size is not parsed (its queue and ETA stay unknown); task messages are a few KiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface CeleryReadOptions {
  /** `--celery-inspect`: send the `active_queues` broadcast (writes to Redis) and wait this long for answers. */
  inspectTimeoutMs?: number;
}

export interface CeleryRead extends BackendRead {
  celery?: CeleryLiveSummary;
}

/**
 * What the registered workers that did not answer the broadcast are. A busy worker (a solo pool running a task,
 * every prefork child taken) cannot answer, but its mailbox subscription stays in CLIENT LIST; a killed one's is gone.
 * Connections are not named, so they are counted: subscribed connections beyond the answering workers' are the
 * silent workers' (`busy, unconfirmed`); none left over → the silent workers are gone (stale); fewer than them →
 * some are gone, which ones is unknown; CLIENT LIST refused → unknown. Only `gone` is a stale-worker finding.
 */
function silentWorkersState(silent: number, answered: number, subscribed: number | undefined): 'gone' | 'busy, unconfirmed' | 'no answer, unconfirmed' {
  if (subscribed === undefined) return 'no answer, unconfirmed';
  const spare = subscribed - answered;
  if (spare <= 0) return 'gone';
  return spare >= silent ? 'busy, unconfirmed' : 'no answer, unconfirmed';
}

/** A Celery node name is `<name>@<host>` (`-n w1@%h`): the host part, when there is one. */
function nodeHost(node: string): { hostname?: string } {
  const at = node.lastIndexOf('@');
  return at > 0 && at < node.length - 1 ? { hostname: node.slice(at + 1) } : {};
}

/** A task message's `eta` (ISO 8601) in ms, when it has one. */
function messageEta(message: unknown): number | undefined {
  const eta = (message as { headers?: { eta?: unknown } } | undefined)?.headers?.eta;
  if (typeof eta !== 'string') return undefined;
  const parsed = Date.parse(eta);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Where the queues of a message published to `exchange` with `routingKey` are: the default exchange routes by name. */
function routeOf(exchange: string, routingKey: string, bindings: Map<string, KombuBinding[]>): string[] {
  if (exchange === '') return [routingKey];
  return (bindings.get(exchange) ?? []).filter((binding) => binding.routingKey === routingKey).map((binding) => binding.queue);
}

interface UnackedCounts {
  active: Map<string, number>;
  scheduled: Map<string, number>;
  unattributed: number;
}

/** HSCAN pages of `unacked`, at most MAX_UNACKED_READ entries. */
async function readUnacked(reader: RedisReader, first: Reply | undefined): Promise<string[]> {
  const values: string[] = [];
  let reply = first;
  for (;;) {
    const value = reply?.value;
    if (!Array.isArray(value) || value.length !== 2) break;
    const fields = asStrings({ value: value[1] });
    for (let index = 1; index < fields.length; index += 2) values.push(fields[index]!);
    const cursor = String(value[0]);
    if (cursor === '0' || values.length >= MAX_UNACKED_READ) break;
    [reply] = await reader.pipeline([['hscan', CELERY_KEYS.unacked, cursor, 'COUNT', UNACKED_PAGE]]);
  }
  return values;
}

/** kombu keeps `[message, exchange, routing_key]` per unacked delivery: count them per queue, ETA-held ones apart. */
function countUnacked(entries: string[], total: number, bindings: Map<string, KombuBinding[]>, now: number): UnackedCounts {
  const counts: UnackedCounts = { active: new Map(), scheduled: new Map(), unattributed: Math.max(0, total - entries.length) };
  for (const entry of entries) {
    let queue: string | undefined;
    let eta: number | undefined;
    if (entry.length <= MAX_MESSAGE_BYTES) {
      try {
        const parsed = JSON.parse(entry) as unknown;
        if (Array.isArray(parsed) && typeof parsed[1] === 'string' && typeof parsed[2] === 'string') {
          [queue] = routeOf(parsed[1], parsed[2], bindings);
          eta = messageEta(parsed[0]);
        }
      } catch {
        // Not kombu's shape: counted as unattributed below.
      }
    }
    if (queue === undefined) {
      counts.unattributed += 1;
      continue;
    }
    const into = eta !== undefined && eta > now ? counts.scheduled : counts.active;
    into.set(queue, (into.get(queue) ?? 0) + 1);
  }
  return counts;
}

/**
 * Reads a Celery broker on Redis without writing: the binding sets `_kombu.binding.*` (`bindingKeys`, found by the
 * live stage's SCAN loop: task queues, and the `celery.pidbox` mailbox bindings that name the running workers), the
 * `unacked` hash, each queue's list and its priority lists, and the oldest message of each. At most three pipelined round trips (plus
 * HSCAN pages of `unacked` up to MAX_UNACKED_READ). With `inspectTimeoutMs`, the `active_queues` broadcast
 * (celery-inspect.ts, which writes) says which queues each worker consumes.
 */
export async function readCelery(
  reader: RedisReader,
  bindingKeys: readonly string[],
  extraQueues: readonly string[],
  now: number,
  options: CeleryReadOptions = {},
): Promise<CeleryRead> {
  const exchanges = bindingKeys.flatMap((key) => {
    const exchange = bindingExchange(key);
    return exchange !== undefined && (exchangeKind(exchange) === 'tasks' || exchangeKind(exchange) === 'mailbox') ? [exchange] : [];
  });
  if (exchanges.length === 0 && extraQueues.length === 0) return { found: false, workers: [], queues: [] };

  const first: Command[] = [
    ...exchanges.map((exchange): Command => ['smembers', CELERY_KEYS.binding(exchange)]),
    ['hlen', CELERY_KEYS.unacked],
    ['hscan', CELERY_KEYS.unacked, '0', 'COUNT', UNACKED_PAGE],
    ['client', 'list'],
  ];
  const replies = await reader.pipeline(first);
  const bindings = new Map<string, KombuBinding[]>();
  const queueNames = new Set<string>();
  const nodes = new Map<string, string>();
  exchanges.forEach((exchange, index) => {
    const members = asStrings(replies[index]).flatMap((member) => parseBinding(member) ?? []);
    bindings.set(exchange, members);
    for (const binding of members) {
      if (exchangeKind(exchange) === 'mailbox') {
        const node = mailboxNode(binding.queue, exchange);
        if (node) nodes.set(node, mailboxNamespace(exchange));
      } else queueNames.add(binding.queue);
    }
  });
  const known = new Set(queueNames);
  const unackedTotal = asNumber(replies[exchanges.length]);
  const clientList = replies[exchanges.length + 2]!;
  // kombu's consumers wait in BRPOP (RQ uses BLPOP, BullMQ BZPOPMIN/BLMOVE): such a connection is a Celery worker's.
  // CLIENT LIST is server-wide: only connections on this database wait for this broker's queues.
  const db = reader.target.db;
  const clients = clientList.error ? undefined : parseClientList(asString(clientList) ?? '').filter((client) => client.db === db);
  const brpopClients = clients?.filter((client) => client.cmd === 'brpop').length;
  // A running worker stays SUBSCRIBEd to its mailbox's fanout channel (flag P) even while a task keeps it from
  // answering; a killed worker's connections are gone (the kernel closes them).
  const subscribedClients = clients?.filter((client) => client.flags.includes('P')).length;
  const unackedEntries = await readUnacked(reader, replies[exchanges.length + 1]);
  const unacked = countUnacked(unackedEntries, unackedTotal, bindings, now);

  // Which queues each worker consumes: only the broadcast says (when asked for).
  let broadcast: CeleryLiveSummary['broadcast'];
  let answered: Map<string, string[]> | undefined;
  if (options.inspectTimeoutMs !== undefined) {
    const namespaces = [...new Set(nodes.values())];
    const { broadcastActiveQueues } = await import('./live-inspect.js');
    const result = await broadcastActiveQueues(reader, namespaces.length ? namespaces : ['celery'], new Set(nodes.keys()), options.inspectTimeoutMs);
    broadcast = { replies: result.replies.size, timeoutMs: options.inspectTimeoutMs, ...(result.error ? { error: result.error } : {}) };
    if (!result.error) answered = result.replies;
  }

  const workers: WorkerRead[] = [];
  let silentUnconfirmed = 0;
  if (answered) {
    for (const [name, queues] of answered) {
      workers.push({ worker: { name, backend: 'celery', ...nodeHost(name), queues: [...new Set(queues)].sort(byCodeUnits), alive: true, state: 'answered' } });
      for (const queue of queues) queueNames.add(queue);
    }
    const silent = [...nodes.keys()].filter((name) => !answered!.has(name));
    const state = silentWorkersState(silent.length, answered.size, subscribedClients);
    for (const name of silent) {
      if (state === 'gone') {
        workers.push({ worker: { name, backend: 'celery', ...nodeHost(name), queues: [], alive: false, state: 'no answer' }, staleReason: 'no-reply' });
      } else {
        workers.push({ worker: { name, backend: 'celery', ...nodeHost(name), queues: [], alive: false, liveness: 'unconfirmed', state } });
        silentUnconfirmed += 1;
      }
    }
  } else {
    for (const name of nodes.keys()) {
      workers.push({ worker: { name, backend: 'celery', ...nodeHost(name), queues: [], alive: false, liveness: 'unconfirmed', state: 'registered' } });
    }
  }
  const consumers: CeleryLiveSummary['consumers'] = answered ? 'broadcast' : nodes.size === 0 && brpopClients === 0 ? 'no-worker' : 'unknown';

  for (const queue of extraQueues) queueNames.add(queue);
  for (const map of [unacked.active, unacked.scheduled]) for (const queue of map.keys()) queueNames.add(queue);
  const names = [...queueNames].sort(byCodeUnits);
  // Without the broadcast, the blocked-BRPOP proof (celery-proof.ts) may say who consumes nothing: it needs how long
  // each queue's list sat untouched, read (OBJECT IDLETIME touches nothing) before LLEN touches it.
  const proving = consumers === 'unknown' && nodes.size > 0;
  const idleCommands: Command[] = proving ? names.map((name): Command => ['object', 'idletime', name]) : [];
  const depthCommands: Command[] = names.flatMap((name) => CELERY_KEYS.lists(name).map((list): Command => ['llen', list]));
  const idleAndDepths = await reader.pipeline([...idleCommands, ...depthCommands]);
  const depths = idleAndDepths.slice(idleCommands.length);
  const idleSeconds = new Map<string, number>();
  names.forEach((name, index) => {
    const value = idleAndDepths[index]?.value;
    if (proving && typeof value === 'number') idleSeconds.set(name, value);
  });
  const perQueue = CELERY_KEYS.lists('').length;

  // The oldest message of each non-empty list is its tail (LPUSH in, BRPOP from the right).
  const tails: Command[] = [];
  const tailOf: string[] = [];
  const queues: QueueRead[] = names.map((name, index) => {
    const queue = emptyQueue(name, 'celery');
    const lists = CELERY_KEYS.lists(name);
    lists.forEach((list, offset) => {
      const length = asNumber(depths[index * perQueue + offset]);
      queue.waiting += length;
      if (length > 0) {
        tails.push(['lindex', list, -1]);
        tailOf.push(name);
      }
    });
    queue.active = unacked.active.get(name) ?? 0;
    const scheduled = unacked.scheduled.get(name);
    if (scheduled) queue.scheduled = scheduled;
    // A silent worker that may be alive may consume any queue: no queue the answers leave without a consumer is claimed unconsumed.
    if (consumers === 'unknown' || silentUnconfirmed > 0) queue.consumersUnknown = true;
    return { queue, ...(known.has(name) ? { known: true } : {}) };
  });
  const byName = new Map(queues.map((read) => [read.queue.name, read]));
  // With the proof: the tails, CLIENT LIST, the tails again, in one round trip (nothing runs between them).
  const proofCommands: Command[] = proving && tails.length ? [['client', 'list'], ...tails] : [];
  const tailAndProof = await reader.pipeline([...tails, ...proofCommands]);
  const tailReplies = tailAndProof.slice(0, tails.length);
  let proofRepeated = false;
  if (proofCommands.length) {
    const prove = (replies: readonly Reply[]) => {
      const clientListReply = replies[tails.length]!;
      const clientList = clientListReply.error ? undefined : (asString(clientListReply) ?? '');
      const proven = provenUnconsumed({
        registered: nodes.size,
        db,
        clientList,
        tails: tailOf.map((queue, index) => ({ queue, before: asString(replies[index]), after: asString(replies[tails.length + 1 + index]) })),
        idleSeconds,
      });
      return { proven, notBlocked: clientList !== undefined && brpopNotBlocked(clientList, db) };
    };
    const first = prove(tailAndProof);
    let proven = first.proven;
    // A `brpop` connection not blocked: a busy worker, or an idle one between two BRPOPs. Once more after a pause
    // (one more round trip, only then): a busy worker is still not blocked and the answer stays unknown.
    if (proven.size === 0 && first.notBlocked) {
      await new Promise((resolve) => setTimeout(resolve, PROOF_REPEAT_PAUSE_MS));
      proven = prove(await reader.pipeline([...tails, ...proofCommands])).proven;
      proofRepeated = true;
    }
    for (const [name, proof] of proven) {
      const read = byName.get(name)!;
      delete read.queue.consumersUnknown;
      read.proof = proof;
    }
  }
  tailReplies.forEach((reply, index) => {
    // A task message carries no enqueue time; an ETA in the past says since when it has been due. Otherwise unknown.
    const text = asString(reply);
    if (!text || text.length > MAX_MESSAGE_BYTES) return;
    let eta: number | undefined;
    try {
      eta = messageEta(JSON.parse(text));
    } catch {
      return;
    }
    if (eta === undefined || eta > now) return;
    const read = byName.get(tailOf[index]!)!;
    read.queue.oldestWaitingAgeMs = Math.max(read.queue.oldestWaitingAgeMs ?? 0, now - eta);
  });

  const celery: CeleryLiveSummary = {
    unacked: unackedTotal,
    ...(unacked.unattributed ? { unackedUnattributed: unacked.unattributed } : {}),
    consumers,
    ...(broadcast ? { broadcast } : {}),
    ...(proofRepeated ? { proofRepeated: true } : {}),
  };
  return {
    found: exchanges.length > 0 || unackedTotal > 0,
    workers: workers.sort((a, b) => byCodeUnits(a.worker.name, b.worker.name)),
    queues,
    celery,
  };
}
