/**
 * The one place the live stage WRITES to Redis, and only behind `--celery-inspect`: Celery's `inspect
 * active_queues` broadcast, sent the way kombu's pidbox Mailbox sends it (kombu/pidbox.py `_broadcast`), so it needs
 * no Python and no access to the user's Celery app. What it writes, in order:
 *   SADD   `_kombu.binding.reply.<ns>.pidbox` `<oid>SEP SEP<oid>.reply.<ns>.pidbox`   (the reply queue's binding)
 *   PUBLISH `/<db>.<ns>.pidbox` <the request>                                   (the broadcast itself)
 * then polls the reply list with LRANGE until every known worker answered or the timeout, and removes what it added:
 *   SREM the binding, DEL the reply lists.
 * `celery inspect` does the same (and also takes the `unacked_mutex` and restores unacked messages, which this does not).
 */
import { lazyBuiltin } from '../../lazy-builtin.js';
import { errorLine } from '../../live/model.js';
import { asStrings, type Command, type RedisReader } from '../../live/redis.js';
import { CELERY_KEYS, KOMBU_SEP } from './live-keys.js';

/** Only `--celery-inspect` needs ids. */
const crypto = lazyBuiltin<typeof import('node:crypto')>('node:crypto');

/** At most this many replies are read (a reply is one worker's queue list). */
const MAX_REPLIES = 10_000;
/** A reply over this size is not parsed (a queue list is a few KiB). */
const MAX_REPLY_BYTES = 1024 * 1024;
const POLL_MS = 50;

export interface BroadcastResult {
  /** Node name → the queues it consumes, for every worker that answered. */
  replies: Map<string, string[]>;
  /** Why the broadcast could not be sent or read (an ACL without the write commands it needs, …). */
  error?: string;
}

/** The request as kombu serialises it (virtual transport message, JSON body in base64). */
function request(namespace: string, oid: string, timeoutMs: number, nowMs: number): string {
  const body = {
    method: 'active_queues',
    arguments: {},
    destination: null,
    pattern: null,
    matcher: null,
    ticket: crypto().randomUUID(),
    reply_to: { exchange: CELERY_KEYS.replyExchange(namespace), routing_key: oid },
  };
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    // A worker ignores a request past `expires` (kombu's Node.handle_message).
    headers: { clock: 1, expires: (nowMs + timeoutMs) / 1000 },
    properties: {
      delivery_mode: 2,
      delivery_info: { exchange: `${namespace}.pidbox`, routing_key: '' },
      priority: 0,
      body_encoding: 'base64',
      delivery_tag: crypto().randomUUID(),
    },
  });
}

/** One reply message → `{node: [queue, …]}`; anything else (another serializer, a torn message) → nothing. */
export function parseReply(raw: string): [node: string, queues: string[]][] {
  if (raw.length > MAX_REPLY_BYTES) return [];
  try {
    const message = JSON.parse(raw) as { body?: unknown; properties?: { body_encoding?: unknown } };
    if (typeof message.body !== 'string') return [];
    const text = message.properties?.body_encoding === 'base64' ? Buffer.from(message.body, 'base64').toString('utf8') : message.body;
    const body = JSON.parse(text) as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
    const out: [string, string[]][] = [];
    for (const [node, queues] of Object.entries(body as Record<string, unknown>)) {
      if (!Array.isArray(queues)) continue;
      const names = queues.flatMap((queue) => (queue && typeof queue === 'object' && typeof (queue as { name?: unknown }).name === 'string' ? [(queue as { name: string }).name] : []));
      out.push([node, names]);
    }
    return out;
  } catch {
    return [];
  }
}

/**
 * Mailbox namespaces one broadcast may address: a deployment has one (`celery`), rarely a few. The namespaces come
 * from the server's binding keys, so a hostile or confused server could name thousands: past this, nothing is sent.
 */
export const MAX_NAMESPACES = 16;

/**
 * Sends `inspect active_queues` on every mailbox namespace and collects the answers for `timeoutMs`, returning early
 * once every node in `expected` answered. One deadline for the whole wait, set before anything is sent; the request
 * goes out on every namespace in one pipeline, and each poll reads only the replies that arrived since the last one.
 * Always tries to remove its binding and reply lists, even after an error.
 */
export async function broadcastActiveQueues(
  reader: RedisReader,
  namespaces: readonly string[],
  expected: ReadonlySet<string>,
  timeoutMs: number,
): Promise<BroadcastResult> {
  const replies = new Map<string, string[]>();
  if (namespaces.length > MAX_NAMESPACES) {
    return { replies, error: `the broker names ${namespaces.length} remote-control namespaces (more than ${MAX_NAMESPACES}): nothing was broadcast` };
  }
  const deadline = Date.now() + timeoutMs;
  const oid = crypto().randomUUID();
  const db = reader.target.db;
  const added = namespaces.map((namespace) => {
    const queue = CELERY_KEYS.replyQueue(namespace, oid);
    const binding = CELERY_KEYS.binding(CELERY_KEYS.replyExchange(namespace));
    return { namespace, binding, member: [oid, '', queue].join(KOMBU_SEP), lists: CELERY_KEYS.lists(queue), seen: 0 };
  });
  let error: string | undefined;
  try {
    await reader.pipeline(
      added.flatMap(({ namespace, binding, member }): Command[] => [
        ['sadd', binding, member],
        ['publish', CELERY_KEYS.fanoutChannel(db, `${namespace}.pidbox`), request(namespace, oid, timeoutMs, Date.now())],
      ]),
    );
    let read = 0;
    while (Date.now() < deadline && read < MAX_REPLIES) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
      // Replies are LPUSHed and only this client reads the list: the `seen` oldest sit at its tail, so the range up to
      // just before them holds exactly the new ones.
      const lists = await reader.pipeline(added.map(({ lists, seen }): Command => ['lrange', lists[0]!, 0, -seen - 1]));
      lists.forEach((reply, index) => {
        const messages = asStrings(reply).reverse();
        added[index]!.seen += messages.length;
        for (const message of messages.slice(0, Math.max(0, MAX_REPLIES - read))) for (const [node, queues] of parseReply(message)) replies.set(node, queues);
        read += messages.length;
      });
      if (expected.size > 0 && [...expected].every((node) => replies.has(node))) break;
    }
  } catch (caught) {
    error = errorLine(caught instanceof Error ? caught.message : String(caught)) ?? 'unknown error';
  } finally {
    const cleanup: Command[] = added.flatMap(({ binding, member, lists }): Command[] => [['srem', binding, member], ['del', ...lists] as Command]);
    try {
      if (cleanup.length) await reader.pipeline(cleanup);
    } catch (caught) {
      // Keep the first error: the cleanup of a refused SADD is refused for the same reason.
      error ??= `the reply queue could not be removed: ${errorLine(caught instanceof Error ? caught.message : String(caught))}`;
    }
  }
  return { replies, ...(error ? { error } : {}) };
}
