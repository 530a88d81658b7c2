import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { LiveQueue, LiveSection, LiveWorker } from '../types.js';
import { humanDuration } from '../wording.js';
import { TABLE_STYLE } from './style.js';

/** Rows shown per table; the rest is summarised (JSON has everything). Problems sort first, so they stay visible. */
const MAX_ROWS = 50;
/** No rule between rows: these tables get long. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** cli-table3 draws the header rule with the row-rule characters: put it back under the (one-line) header only. */
function withHeaderRule(table: string): string {
  const lines = table.split('\n');
  const rule = lines[0]!.replace('┌', '├').replace(/┬/g, '┼').replace('┐', '┤');
  return [lines[0], lines[1], rule, ...lines.slice(2)].join('\n');
}

const workerRank = (worker: LiveWorker) => (worker.alive || worker.liveness ? 1 : 0);
/** No consumer, as far as anyone can tell (a Celery queue without the broadcast is not known to have none). */
const orphaned = (queue: LiveQueue) => queue.consumers.length === 0 && !queue.liveness && !queue.consumersUnknown;
function queueRank(queue: LiveQueue): number {
  const orphan = orphaned(queue);
  if (orphan && queue.waiting > 0) return 0;
  if (queue.failed > 0) return 1;
  return orphan ? 2 : 3;
}

/** Several targets (Redis, RabbitMQ brokers) in one run: a column says which one each row came from. */
const severalRedis = (live: LiveSection) => (live.targets?.length ?? (live.redis ? 1 : 0)) + (live.brokers?.length ?? 0) > 1;
/** That column's title: `redis` when only Redis were read, `where` once a RabbitMQ broker is among them. */
const placeColumn = (live: LiveSection) => (live.brokers?.length ? 'where' : 'redis');

function renderWorkers(live: LiveSection, c: ChalkInstance): string[] {
  const both = live.backend === 'both';
  const several = severalRedis(live);
  const table = new Table({
    head: ['worker', ...(both ? ['backend'] : []), ...(several ? [placeColumn(live)] : []), 'host', 'state', 'queues', 'heartbeat', 'current job'],
    style: TABLE_STYLE,
    chars: COMPACT,
  });
  const workers = [...live.workers].sort((a, b) => workerRank(a) - workerRank(b));
  for (const worker of workers.slice(0, MAX_ROWS)) {
    const host = worker.pid !== undefined ? `${worker.hostname ?? '?'} (pid ${worker.pid})` : (worker.hostname ?? '');
    table.push([
      worker.alive || worker.liveness ? worker.name : c.red(worker.name),
      ...(both ? [worker.backend] : []),
      ...(several ? [worker.redis ?? worker.broker ?? c.dim('–')] : []),
      host || c.dim('–'),
      worker.liveness === 'unconfirmed'
        ? c.yellow(`${worker.state ?? '?'} (unconfirmed)`)
        : worker.alive
          ? worker.state === 'busy'
            ? c.cyan(worker.state)
            : (worker.state ?? '?')
          : c.red.bold(`stale (${worker.state ?? '?'})`),
      worker.queues.join(', ') || (worker.liveness === 'unconfirmed' ? c.yellow('unknown') : c.dim('–')),
      worker.heartbeatAgeMs !== undefined ? (worker.alive ? `${humanDuration(worker.heartbeatAgeMs)} ago` : c.red(`${humanDuration(worker.heartbeatAgeMs)} ago`)) : c.dim('–'),
      worker.currentJob ?? c.dim('–'),
    ]);
  }
  const alive = live.workers.filter((worker) => worker.alive).length;
  const unconfirmed = live.workers.filter((worker) => worker.liveness === 'unconfirmed').length;
  const counts = [`${alive} alive`, ...(unconfirmed ? [`${unconfirmed} registered, not confirmed (--celery-inspect)`] : []), `${live.workers.length - alive - unconfirmed} stale`];
  const title = `${c.bold('Workers')} ${c.dim(counts.join(', '))}`;
  if (live.workers.length === 0) return [title, c.red('No worker is registered.')];
  const more = live.workers.length > MAX_ROWS ? [c.dim(`… and ${live.workers.length - MAX_ROWS} more (--format json lists all)`)] : [];
  return [title, withHeaderRule(table.toString()), ...more];
}

function renderQueues(live: LiveSection, c: ChalkInstance): string[] {
  const both = live.backend === 'both';
  const several = severalRedis(live);
  const table = new Table({
    head: ['queue', ...(both ? ['backend'] : []), ...(several ? [placeColumn(live)] : []), 'waiting', 'active', 'failed', 'oldest waiting', 'live consumers'],
    style: TABLE_STYLE,
    chars: COMPACT,
    colAligns: ['left', ...(both ? ['left' as const] : []), ...(several ? ['left' as const] : []), 'right', 'right', 'right', 'right', 'left'],
  });
  const queues = [...live.queues].sort((a, b) => queueRank(a) - queueRank(b));
  for (const queue of queues.slice(0, MAX_ROWS)) {
    const orphan = orphaned(queue);
    const consumers = queue.consumersUnknown
      ? c.yellow('unknown (--celery-inspect)')
      : queue.liveness === 'stalled-check'
        ? c.yellow('≥1 (stalled-check)')
        : queue.liveness === 'broker-count'
          ? c.yellow(`${queue.consumerCount ?? '≥1'} (not visible to this API user)`)
        : queue.consumers.length > 0
          ? c.green(queue.consumers.length <= 3 ? queue.consumers.join(', ') : `${queue.consumers.length} workers`)
          : queue.waiting > 0
            ? c.red.bold('none')
            : c.yellow('none');
    table.push([
      orphan && queue.waiting > 0 ? c.red.bold(queue.name) : queue.name,
      ...(both ? [queue.backend] : []),
      ...(several ? [queue.redis ?? queue.broker ?? c.dim('–')] : []),
      orphan && queue.waiting > 0 ? c.red.bold(String(queue.waiting)) : String(queue.waiting),
      String(queue.active),
      queue.failed > 0 ? c.yellow(String(queue.failed)) : '0',
      queue.oldestWaitingAgeMs !== undefined && queue.waiting > 0 ? humanDuration(queue.oldestWaitingAgeMs) : c.dim('–'),
      consumers,
    ]);
  }
  if (live.queues.length === 0) return [c.bold('Queues'), c.dim('No queue found.')];
  const more = live.queues.length > MAX_ROWS ? [c.dim(`… and ${live.queues.length - MAX_ROWS} more (--format json lists all)`)] : [];
  return [c.bold('Queues'), withHeaderRule(table.toString()), ...more];
}

/** Workers and queues tables of the live stage (the view `rq info` gives), problems highlighted and listed first. */
export function renderLive(live: LiveSection, c: ChalkInstance): string[] {
  const read = [
    ...(live.redis ? [`${live.redis} · ${live.roundTrips ?? '?'} round trips`] : []),
    ...(live.brokers ?? []).map((broker) => `${broker.broker} (RabbitMQ${broker.version ? ` ${broker.version}` : ''}, vhost ${broker.vhost}, ${broker.requests} API requests)`),
  ];
  const header = `${c.bold('Live')} ${c.dim(`${live.backend} at ${read.join(', ') || 'redis'} · ${humanDuration(live.durationMs)}`)}`;
  const truncated = (live.brokers ?? []).flatMap((broker) =>
    broker.queuesRead !== undefined ? [c.yellow(`${broker.broker}: ${broker.queuesRead} of ${broker.queuesTotal} queues read (the emptiest left out; --format json lists what was read)`)] : [],
  );
  return [header, ...truncated, ...celeryLine(live, c), '', ...renderWorkers(live, c), '', ...renderQueues(live, c)];
}

const CELERY_CONSUMERS: Record<NonNullable<LiveSection['celery']>['consumers'], string> = {
  broadcast: 'consumers from the --celery-inspect broadcast',
  'no-worker': 'no Celery worker known to the broker',
  unknown: 'consumers unknown without --celery-inspect',
};

/** Celery: unacknowledged messages, how consumers are known, the broadcast's outcome. */
function celeryLine(live: LiveSection, c: ChalkInstance): string[] {
  const celery = live.celery;
  if (!celery) return [];
  const parts = [
    `${celery.unacked} unacked${celery.unackedUnattributed ? ` (${celery.unackedUnattributed} of unknown queue)` : ''}`,
    CELERY_CONSUMERS[celery.consumers],
    ...(celery.broadcast ? [celery.broadcast.error ? c.yellow(`broadcast failed: ${celery.broadcast.error}`) : `broadcast: ${celery.broadcast.replies} answered (waited at most ${humanDuration(celery.broadcast.timeoutMs)})`] : []),
  ];
  return [c.dim(`Celery · ${parts.join(' · ')}`)];
}
