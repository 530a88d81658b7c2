/**
 * Celery on RabbitMQ, read through the management API (GET only; a `monitoring`-tag user suffices): the vhost's
 * queues with their ready/unacknowledged counts, consumer counts and utilisation, the consumers with their channel
 * and connection, and the Celery worker behind each connection (the connection that consumes a worker's mailbox
 * `<node>.celery.pidbox` is that worker's; its task consumers are on the same connection).
 */
import type { LiveBroker, LiveWorker } from '../../types.js';
import { byCodeUnits, emptyQueue, type BackendRead, type QueueRead, type WorkerRead } from '../model.js';
import type { BrokerTarget } from './broker-url.js';
import { celeryQueueKind, mailboxNode } from './celery-queues.js';
import { ManagementApiRefused, managementApi, type ManagementApi } from './management-api.js';

/** The management API's largest page. */
export const QUEUE_PAGE_SIZE = 500;
/** Pages read at most (10,000 queues); the rest are the emptiest (pages are sorted by ready messages, most first). */
export const MAX_QUEUE_PAGES = 20;
/** Expected queues beyond the read pages are asked for one by one, at most this many. */
const MAX_SINGLE_QUEUE_READS = 50;
/** Vhost names quoted when the one asked for does not exist. */
const MAX_VHOSTS_NAMED = 20;

const QUEUE_COLUMNS = ['name', 'messages_ready', 'messages_unacknowledged', 'consumers', 'consumer_utilisation', 'head_message_timestamp', 'exclusive'];
const CONSUMER_COLUMNS = ['queue.name', 'channel_details.connection_name', 'channel_details.peer_host', 'consumer_tag'];

interface ApiQueue {
  name?: unknown;
  messages_ready?: unknown;
  messages_unacknowledged?: unknown;
  consumers?: unknown;
  consumer_utilisation?: unknown;
  head_message_timestamp?: unknown;
  exclusive?: unknown;
}

interface ApiConsumer {
  queue?: { name?: unknown };
  channel_details?: { connection_name?: unknown; peer_host?: unknown };
  consumer_tag?: unknown;
}

export interface RabbitmqReadOptions {
  timeoutMs: number;
  /** Queues that must get a row even when the vhost does not hold them (expected queues). */
  wanted: readonly string[];
  now: number;
}

export interface RabbitmqRead extends BackendRead {
  broker: LiveBroker;
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const vhostPath = (vhost: string) => encodeURIComponent(vhost);

/** `/api/queues/<vhost>` pages, most ready messages first; a vhost that does not exist is named as such. */
async function readQueues(api: ManagementApi, target: BrokerTarget): Promise<{ queues: ApiQueue[]; total: number }> {
  const page = (number: number) =>
    `/api/queues/${vhostPath(target.vhost)}?page=${number}&page_size=${QUEUE_PAGE_SIZE}&sort=messages_ready&sort_reverse=true&columns=${QUEUE_COLUMNS.join(',')}`;
  const first = await api.get(page(1));
  const { items, page_count: pageCount, total_count: total } = (first ?? {}) as { items?: unknown; page_count?: unknown; total_count?: unknown };
  const queues: ApiQueue[] = Array.isArray(items) ? (items as ApiQueue[]) : [];
  const pages = Math.min(count(pageCount), MAX_QUEUE_PAGES);
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, index) => api.get(page(index + 2))));
  for (const answer of rest) {
    const more = (answer as { items?: unknown } | undefined)?.items;
    if (Array.isArray(more)) for (const queue of more) queues.push(queue as ApiQueue);
  }
  return { queues, total: Math.max(count(total), queues.length) };
}

async function unknownVhost(api: ManagementApi, target: BrokerTarget): Promise<ManagementApiRefused> {
  let names: string[] = [];
  try {
    const vhosts = await api.get('/api/vhosts?columns=name');
    if (Array.isArray(vhosts)) names = vhosts.flatMap((entry) => text((entry as { name?: unknown }).name) ?? []);
  } catch (error) {
    // No vhost list either: not RabbitMQ's management API at all.
    if (error instanceof ManagementApiRefused && error.status === 404) {
      return new ManagementApiRefused(`${target.api.label} answers 404 to /api/vhosts: is it RabbitMQ's management API (port 15672 by default)? Give its address with --rabbitmq-api.`, 404);
    }
    // Otherwise the list is a courtesy: the vhost is missing either way.
  }
  const have = names.length ? ` (have: ${names.slice(0, MAX_VHOSTS_NAMED).map((name) => `\`${name}\``).join(', ')}${names.length > MAX_VHOSTS_NAMED ? ', …' : ''})` : '';
  return new ManagementApiRefused(
    `RabbitMQ at ${target.label}: vhost \`${target.vhost}\` does not exist${have}; the vhost is the broker URL's path (\`amqp://host:5672/<vhost>\`, \`//\` or none for \`/\`).`,
    404,
  );
}

/** Expected queues the capped pages did not hold, one GET each (a 404 is a queue the vhost does not have). */
async function readMissing(api: ManagementApi, target: BrokerTarget, names: string[]): Promise<ApiQueue[]> {
  const answers = await Promise.all(
    names.slice(0, MAX_SINGLE_QUEUE_READS).map(async (name) => {
      try {
        return (await api.get(`/api/queues/${vhostPath(target.vhost)}/${encodeURIComponent(name)}?columns=${QUEUE_COLUMNS.join(',')}`)) as ApiQueue;
      } catch (error) {
        if (error instanceof ManagementApiRefused && error.status === 404) return undefined;
        throw error;
      }
    }),
  );
  return answers.flatMap((answer) => (answer ? [answer] : []));
}

interface ConnectionUse {
  node?: string;
  peerHost?: string;
  queues: Set<string>;
}

/** Consumers → the connections behind them: which worker node (its mailbox) and which task queues each consumes. */
function connectionsOf(consumers: ApiConsumer[], exclusive: Set<string>): { connections: Map<string, ConnectionUse>; visible: Set<string> } {
  const connections = new Map<string, ConnectionUse>();
  const visible = new Set<string>();
  for (const consumer of consumers) {
    const queue = text(consumer.queue?.name);
    const connection = text(consumer.channel_details?.connection_name);
    if (queue === undefined || connection === undefined) continue;
    let use = connections.get(connection);
    if (!use) {
      const peerHost = text(consumer.channel_details?.peer_host);
      use = { queues: new Set(), ...(peerHost ? { peerHost } : {}) };
      connections.set(connection, use);
    }
    const kind = celeryQueueKind(queue, exclusive.has(queue));
    if (kind === 'mailbox') use.node = mailboxNode(queue) ?? use.node;
    else if (kind === 'tasks') {
      use.queues.add(queue);
      visible.add(queue);
    }
  }
  return { connections, visible };
}

function workerOf(connection: string, use: ConnectionUse): WorkerRead | undefined {
  // A connection that consumes neither a mailbox nor a task queue (an events monitor, a control client) is no worker.
  if (!use.node && use.queues.size === 0) return undefined;
  const at = use.node?.lastIndexOf('@') ?? -1;
  const hostname = use.node && at > 0 && at < use.node.length - 1 ? use.node.slice(at + 1) : use.peerHost;
  const queues = [...use.queues].sort(byCodeUnits);
  const worker: LiveWorker = {
    name: use.node ?? `connection ${connection}`,
    backend: 'celery',
    ...(hostname ? { hostname } : {}),
    queues,
    alive: queues.length > 0,
    state: queues.length > 0 ? 'consuming' : 'no task consumer',
    connection,
  };
  return queues.length > 0 ? { worker } : { worker, staleReason: 'no-task-consumer' };
}

/**
 * Reads one `--broker`: three GETs at once for a vhost of up to 500 queues (the API's overview, the first page of
 * queues, the consumers), one more per further page up to MAX_QUEUE_PAGES. Throws UnreachableError (ManagementApiRefused for
 * 401/403/an unknown vhost) with one line that says what to do.
 */
export async function readRabbitmq(target: BrokerTarget, options: RabbitmqReadOptions): Promise<RabbitmqRead> {
  const api = managementApi(target, options.timeoutMs);
  let overview: { rabbitmq_version?: unknown } | undefined;
  let listed: ApiQueue[];
  let total: number;
  let consumers: unknown;
  try {
    // At once: the overview only adds RabbitMQ's version; a refused user fails all three the same way.
    [overview, { queues: listed, total }, consumers] = await Promise.all([
      api.get('/api/overview?columns=rabbitmq_version') as Promise<{ rabbitmq_version?: unknown } | undefined>,
      readQueues(api, target),
      api.get(`/api/consumers/${vhostPath(target.vhost)}?columns=${CONSUMER_COLUMNS.join(',')}`),
    ]);
  } catch (error) {
    // The vhost's lists are 404s when the vhost does not exist.
    if (error instanceof ManagementApiRefused && error.status === 404) throw await unknownVhost(api, target);
    throw error;
  }
  const truncated = listed.length < total;
  const names = new Set(listed.flatMap((queue) => text(queue.name) ?? []));
  const apiQueues = truncated ? [...listed, ...(await readMissing(api, target, options.wanted.filter((name) => !names.has(name))))] : listed;

  const exclusive = new Set(apiQueues.flatMap((queue) => (queue.exclusive === true ? (text(queue.name) ?? []) : [])));
  const { connections, visible } = connectionsOf(Array.isArray(consumers) ? (consumers as ApiConsumer[]) : [], exclusive);
  const workers = [...connections].flatMap(([connection, use]) => workerOf(connection, use) ?? []);

  const queues: QueueRead[] = [];
  const seen = new Set<string>();
  for (const entry of apiQueues) {
    const name = text(entry.name);
    if (name === undefined || seen.has(name) || celeryQueueKind(name, entry.exclusive === true) !== 'tasks') continue;
    seen.add(name);
    const queue = emptyQueue(name, 'celery');
    queue.waiting = count(entry.messages_ready);
    queue.active = count(entry.messages_unacknowledged);
    const consumerCount = count(entry.consumers);
    queue.consumerCount = consumerCount;
    if (typeof entry.consumer_utilisation === 'number' && Number.isFinite(entry.consumer_utilisation)) queue.consumerUtilisation = entry.consumer_utilisation;
    // AMQP's `timestamp` property is in seconds; Celery does not set it by default, so the age is often unknown.
    const head = entry.head_message_timestamp;
    if (queue.waiting > 0 && typeof head === 'number' && head > 0) queue.oldestWaitingAgeMs = Math.max(0, options.now - head * 1000);
    // Consumers the broker counts but this user cannot see (a `management` user sees its own connections only).
    if (consumerCount > 0 && !visible.has(name)) queue.liveness = 'broker-count';
    queues.push({ queue, known: true, knownAs: `RabbitMQ queue in vhost \`${target.vhost}\`` });
  }
  for (const name of options.wanted) if (!seen.has(name)) queues.push({ queue: emptyQueue(name, 'celery') });

  return {
    found: true,
    workers: workers.sort((a, b) => byCodeUnits(a.worker.name, b.worker.name)),
    queues,
    broker: {
      broker: target.label,
      api: target.api.label,
      vhost: target.vhost,
      ...(typeof overview?.rabbitmq_version === 'string' ? { version: overview.rabbitmq_version } : {}),
      requests: api.requests,
      queuesTotal: total,
      ...(truncated ? { queuesRead: listed.length } : {}),
    },
  };
}
