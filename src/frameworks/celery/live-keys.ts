/**
 * Celery's Redis broker layout, as kombu's redis transport (kombu/transport/redis.py, 5.x) writes it with its default
 * transport options — `sep` `\x06\x16`, `priority_steps` [0, 3, 6, 9], no `global_keyprefix` — and celery's
 * remote-control mailbox (kombu/pidbox.py, exchange `<control_exchange>.pidbox`, `celery` by default). The only place
 * that spells it; the live reader (celery.ts) and the opt-in broadcast (celery-inspect.ts) both go through it.
 */

/** kombu's `Channel.sep`: joins a queue and its priority, and the three parts of a binding. */
export const KOMBU_SEP = '\x06\x16';

/**
 * The priority suffixes a queue's lists may carry. kombu maps a message's priority onto `priority_steps`
 * (default [0, 3, 6, 9]; Celery's docs suggest `list(range(10))`); priority 0 is the list without a suffix. Reading
 * every step 1–9 covers any steps inside 0–9, so the depth is right whichever steps the app configured.
 */
export const PRIORITY_SUFFIXES = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

const BINDING_PREFIX = '_kombu.binding.';
/** Exchanges that are not task queues: the remote-control mailbox, its replies, and the event bus. */
const PIDBOX_SUFFIX = '.pidbox';
const REPLY_PREFIX = 'reply.';
const EVENT_EXCHANGE = 'celeryev';

export const CELERY_KEYS = {
  /** Every list that holds a queue's waiting messages: the queue itself, then one per priority step. */
  lists: (queue: string): string[] => [queue, ...PRIORITY_SUFFIXES.map((priority) => `${queue}${KOMBU_SEP}${priority}`)],
  /** Set of the bindings of one exchange, each `routing_key SEP pattern SEP queue` (`Channel._queue_bind`). */
  binding: (exchange: string) => `${BINDING_PREFIX}${exchange}`,
  /** Hash delivery tag → JSON `[message, exchange, routing_key]` of messages delivered and not yet acknowledged. */
  unacked: 'unacked',
  /** Sorted set delivery tag → delivery time (seconds) of the same messages. */
  unackedIndex: 'unacked_index',
  /** The reply exchange of a mailbox (`reply.celery.pidbox`) and the queue one client's replies land in. */
  replyExchange: (namespace: string) => `${REPLY_PREFIX}${namespace}${PIDBOX_SUFFIX}`,
  replyQueue: (namespace: string, oid: string) => `${oid}.${REPLY_PREFIX}${namespace}${PIDBOX_SUFFIX}`,
  /** The fanout channel a broadcast is PUBLISHed on: kombu's `keyprefix_fanout` `/{db}.` + exchange. */
  fanoutChannel: (db: number, exchange: string) => `/${db}.${exchange}`,
} as const;

/** The binding sets are the keys Celery's queues and workers are found by. */
export const KOMBU_DISCOVERY = {
  markers: [BINDING_PREFIX],
  matches: (key: string): boolean => key.startsWith(BINDING_PREFIX),
} as const;

/** The exchange of a `_kombu.binding.<exchange>` key, or undefined for any other key. */
export const bindingExchange = (key: string): string | undefined => (key.startsWith(BINDING_PREFIX) ? key.slice(BINDING_PREFIX.length) : undefined);

/** One member of a binding set. */
export interface KombuBinding {
  routingKey: string;
  pattern: string;
  queue: string;
}

/** `routing_key SEP pattern SEP queue` → its parts; undefined when the member is not one (another separator). */
export function parseBinding(member: string): KombuBinding | undefined {
  const parts = member.split(KOMBU_SEP);
  if (parts.length !== 3 || !parts[2]) return undefined;
  return { routingKey: parts[0]!, pattern: parts[1]!, queue: parts[2] };
}

/** What an exchange is for: a remote-control mailbox (`celery.pidbox`), its replies, the event bus, or tasks. */
export type ExchangeKind = 'mailbox' | 'reply' | 'events' | 'tasks';

export function exchangeKind(exchange: string): ExchangeKind {
  if (exchange === EVENT_EXCHANGE) return 'events';
  if (exchange.endsWith(PIDBOX_SUFFIX)) return exchange.startsWith(REPLY_PREFIX) ? 'reply' : 'mailbox';
  return 'tasks';
}

/** A mailbox exchange's namespace (`celery.pidbox` → `celery`). */
export const mailboxNamespace = (exchange: string): string => exchange.slice(0, -PIDBOX_SUFFIX.length);

/**
 * The worker's node name of a mailbox queue: a worker binds `<nodename>.<namespace>.pidbox` (e.g.
 * `w1@host.celery.pidbox`) to `<namespace>.pidbox` while it runs with remote control (the default).
 */
export function mailboxNode(queue: string, exchange: string): string | undefined {
  const suffix = `.${exchange}`;
  return queue.endsWith(suffix) && queue.length > suffix.length ? queue.slice(0, -suffix.length) : undefined;
}
