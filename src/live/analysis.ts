import { environmentName, humanDuration } from '../wording.js';
import { finding } from '../finding.js';
import type { CeleryLiveSummary, Consumer, Finding, LiveQueue, LiveWorker, RelatedInfo, SidekiqLiveSummary } from '../types.js';
import { byCodeUnits, type QueueRead, type WorkerRead } from './model.js';

/** What the findings are computed from: the merged reads of all backends plus the expectations. */
export interface LiveAnalysisInput {
  workers: WorkerRead[];
  queues: QueueRead[];
  expectedQueues: readonly string[];
  stuckAfterSeconds: number;
  config?: { environment: string; consumers: Consumer[]; reason: string };
  clientListDenied?: boolean;
  prefix: string;
  /** What the Celery broker said about consumers and the `--celery-inspect` broadcast, when Celery was read. */
  celery?: CeleryLiveSummary;
  /** Sidekiq's retry, scheduled and dead sets, when Sidekiq was read. */
  sidekiq?: SidekiqLiveSummary;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

const STALE_FACT: Record<string, (worker: LiveWorker, read: WorkerRead) => string> = {
  expired: (_worker, read) => `its worker hash has expired but it is still listed in ${read.listedIn?.length ? read.listedIn.join(', ') : 'rq:workers'}`,
  dead: () => 'it registered its death but is still listed',
  'heartbeat-overdue': (_worker, read) =>
    `its registration expires in ${humanDuration(Math.max(0, read.remainingTtlMs ?? 0))} and was not renewed in time (a live RQ worker renews it at least 60s ahead)`,
  'heartbeat-old': (worker) =>
    `its last heartbeat is ${worker.heartbeatAgeMs !== undefined ? humanDuration(worker.heartbeatAgeMs) : 'unknown time'} old, beyond RQ's default TTL of 480s`,
  'no-task-consumer': (worker) =>
    `its connection${worker.connection ? ` (${worker.connection})` : ''} consumes its remote-control mailbox on RabbitMQ but no task queue (its consumers were cancelled, or it is reconnecting)`,
  'process-expired': () =>
    'its process hash has expired (every heartbeat renews it for 60 s) but it is still listed in Sidekiq\'s `processes` set: it stopped without a clean shutdown',
  quiet: () =>
    'it is quiet (its `quiet` field is true: a TSTP signal or the Web UI\'s Quiet button) and fetches no new job until it is restarted',
  'beat-old': (worker) =>
    worker.heartbeatAgeMs !== undefined
      ? `its last beat is ${humanDuration(worker.heartbeatAgeMs)} old, beyond Sidekiq's 60s`
      : 'its hash has no expiry and no readable beat (a live process renews both every few seconds)',
  'no-reply': () =>
    'the broker still holds its Celery mailbox binding (`celery.pidbox`), but it did not answer the `--celery-inspect` broadcast (killed without a warm shutdown, or its main process is blocked)',
};

const STALE_HINT: Record<LiveWorker['backend'], string> = {
  rq: 'It does not count as a consumer: restart the worker process; the dead registration is removed by RQ on its next cleanup.',
  bullmq: 'It does not count as a consumer: restart the worker process.',
  celery: 'It does not count as a consumer: restart the worker (a warm shutdown removes its mailbox binding), or raise the --celery-inspect timeout if it is only slow to answer.',
  sidekiq:
    'It does not count as a consumer: if no deploy is stopping it, restart the Sidekiq process; a dead entry leaves `processes` when the Web UI or Sidekiq::ProcessSet.new next cleans up.',
};

const NO_TASK_CONSUMER_HINT =
  'It consumes nothing: restart the worker, or give it its queues back with `celery -A <app> control add_consumer <queue>`.';

/** How to start a consumer of `name`, in the words of the queue's backend. */
function startWorkerHint(name: string, backend: LiveQueue['backend']): string {
  if (backend === 'sidekiq') return `Start a Sidekiq process that consumes \`${name}\` (\`bundle exec sidekiq -q ${name}\`, or add it to \`:queues:\` in config/sidekiq.yml and restart it).`;
  if (backend === 'celery') return `Start a Celery worker that consumes \`${name}\` (\`celery -A <app> worker -Q ${name}\`, or add it to the worker's -Q list and restart it).`;
  return `Start a worker that listens to \`${name}\` (add it to the worker's queue list, e.g. RQ_QUEUES, and restart it).`;
}

const NO_CELERY_WORKER: RelatedInfo = {
  message: 'No Celery worker is known to the broker: no worker mailbox binding (`_kombu.binding.celery.pidbox`) and no connection waiting in BRPOP.',
};

/** Where a queue lives when the run read several targets: its Redis or its RabbitMQ broker. */
const placeOf = (queue: LiveQueue): string | undefined => queue.redis ?? queue.broker;

/** Sets each queue's live consumers (alive workers of the same backend that listen to it); stale ones never count. */
export function attachConsumers(workers: readonly LiveWorker[], queues: LiveQueue[]): void {
  const listeners = new Map<string, string[]>();
  for (const worker of workers) {
    if (!worker.alive) continue;
    for (const queue of worker.queues) {
      const key = `${worker.backend}\0${worker.prefix ?? ''}\0${queue}`;
      // Appended in place: copying the list per worker made 100k workers quadratic (issue 18).
      const names = listeners.get(key);
      if (names) names.push(worker.name);
      else listeners.set(key, [worker.name]);
    }
  }
  for (const queue of queues) queue.consumers = [...(listeners.get(`${queue.backend}\0${queue.prefix ?? ''}\0${queue.name}`) ?? [])].sort();
}

/** The live findings (docs/CONTRACT.md §3): queues without worker, stale workers, stuck and failed jobs, config drift. */
export function analyzeLive(input: LiveAnalysisInput): Finding[] {
  const findings: Finding[] = [];
  const workers = input.workers.map((read) => read.worker);
  const servedNames = new Set(
    input.queues.filter((read) => read.queue.consumers.length > 0 || read.queue.liveness !== undefined).map((read) => read.queue.name),
  );
  const served = (name: string) => servedNames.has(name);
  const aliveWorkers = workers.filter((worker) => worker.alive);
  // Stale workers by queue, once: filtering every worker per finding is quadratic at 100k workers.
  const staleByQueue = new Map<string, LiveWorker[]>();
  for (const worker of workers) {
    if (worker.alive) continue;
    for (const queue of new Set(worker.queues)) {
      const list = staleByQueue.get(queue);
      if (list) list.push(worker);
      else staleByQueue.set(queue, [worker]);
    }
  }
  const whoListens = (name: string): RelatedInfo[] => [
    ...(staleByQueue.get(name) ?? [])
      .map((worker) => ({ message: `${worker.state === 'quiet' ? 'Quiet' : 'Stale'} worker \`${worker.name}\` listened to \`${name}\`; it does not count.` })),
    ...aliveWorkers.slice(0, 5).map((worker) => ({
      message: `Live worker \`${worker.name}\` listens to ${worker.queues.length ? worker.queues.map((queue) => `\`${queue}\``).join(', ') : 'nothing'}.`,
    })),
  ];

  for (const read of input.workers) {
    const { worker, staleReason } = read;
    if (!staleReason) continue;
    const who = [worker.hostname, worker.pid !== undefined ? `pid ${worker.pid}` : undefined].filter(Boolean).join(', ');
    findings.push(
      finding('stale-worker', {
        message: `Worker \`${worker.name}\`${who ? ` (${who})` : ''} is registered but not alive: ${STALE_FACT[staleReason]?.(worker, read) ?? staleReason}.`,
        hint: staleReason === 'no-task-consumer' ? NO_TASK_CONSUMER_HINT : STALE_HINT[worker.backend],
        worker: worker.name,
        ...(worker.queues.length === 1 ? { queue: worker.queues[0] } : {}),
      }),
    );
  }

  // One group per queue per Redis (and BullMQ prefix): a worker on one Redis does not consume the same name on another. Expected
  // queues only need a worker somewhere (django-rq may put each queue on its own connection).
  const groups = new Map<string, QueueRead[]>();
  for (const read of input.queues) {
    const key = `${placeOf(read.queue) ?? ''}\0${read.queue.prefix ?? ''}\0${read.queue.name}`;
    const reads = groups.get(key);
    if (reads) reads.push(read);
    else groups.set(key, [read]);
  }
  const servedIn = (reads: QueueRead[]) => reads.some((read) => read.queue.consumers.length > 0 || read.queue.liveness !== undefined);
  // Celery without the broadcast: nobody can say whether the queue is consumed, so no finding claims it is not.
  const unknownIn = (reads: QueueRead[]) => reads.some((read) => read.queue.consumersUnknown);
  const celeryNoWorker = (reads: QueueRead[]) => (input.celery?.consumers === 'no-worker' && reads.some((read) => read.queue.backend === 'celery') ? [NO_CELERY_WORKER] : []);
  const unknownQueues: QueueRead[][] = [];
  const proofOf = (reads: QueueRead[]) => reads.flatMap((read) => (read.proof ? [` ${read.proof}`] : [])).join('');
  const onRedis = (reads: QueueRead[]) =>
    `${reads[0]!.queue.prefix !== undefined ? ` (${reads[0]!.queue.backend === 'sidekiq' ? 'Sidekiq namespace' : 'BullMQ prefix'} \`${reads[0]!.queue.prefix}\`)` : ''}${placeOf(reads[0]!.queue) ? ` on ${placeOf(reads[0]!.queue)}` : ''}`;
  const sortedGroups = [...groups.values()].sort(
    (a, b) =>
      byCodeUnits(a[0]!.queue.name, b[0]!.queue.name) ||
      byCodeUnits(placeOf(a[0]!.queue) ?? '', placeOf(b[0]!.queue) ?? '') ||
      byCodeUnits(a[0]!.queue.prefix ?? '', b[0]!.queue.prefix ?? ''),
  );
  const expected = new Set(input.expectedQueues);
  const reported = new Set<string>();
  const reportedGroups = new Set<QueueRead[]>();
  for (const reads of sortedGroups) {
    const name = reads[0]!.queue.name;
    const waiting = reads.reduce((sum, read) => sum + read.queue.waiting, 0);
    if (servedIn(reads)) continue;
    if (waiting === 0 && (!expected.has(name) || served(name) || reported.has(name))) continue;
    if (unknownIn(reads)) {
      unknownQueues.push(reads);
      reported.add(name);
      reportedGroups.add(reads);
      continue;
    }
    const oldest = Math.max(...reads.map((read) => read.queue.oldestWaitingAgeMs ?? -1));
    reported.add(name);
    reportedGroups.add(reads);
    findings.push(
      finding('live-queue-without-worker', {
        message:
          waiting > 0
            ? `Queue \`${name}\`${onRedis(reads)} has ${plural(waiting, 'waiting job')}${oldest >= 0 ? ` (oldest ${humanDuration(oldest)})` : ''} but no live worker listens to it.${proofOf(reads)}`
            : `Queue \`${name}\` is expected to be consumed but no live worker listens to it.`,
        hint: startWorkerHint(name, reads[0]!.queue.backend),
        queue: name,
        related: [...celeryNoWorker(reads), ...whoListens(name)],
      }),
    );
  }
  for (const reads of unknownQueues) {
    const name = reads[0]!.queue.name;
    const waiting = reads.reduce((sum, read) => sum + read.queue.waiting, 0);
    const registered = workers.filter((worker) => worker.backend === 'celery' && worker.liveness === 'unconfirmed').map((worker) => worker.name);
    findings.push(
      finding('live-celery-consumers-unknown', {
        message: `Queue \`${name}\`${onRedis(reads)} ${waiting > 0 ? `has ${plural(waiting, 'waiting message')}` : 'is expected to be consumed'}; which Celery workers consume it is not known without a broadcast${registered.length ? ` (${plural(registered.length, 'worker')} registered with the broker: ${registered.slice(0, 5).map((worker) => `\`${worker}\``).join(', ')}${registered.length > 5 ? ', …' : ''})` : ''}.`,
        hint: 'Run live with --celery-inspect (it publishes an `inspect active_queues` broadcast: a write to Redis) or `celery -A <app> inspect active_queues` to see who consumes it.',
        queue: name,
      }),
    );
  }
  for (const reads of sortedGroups) {
    const name = reads[0]!.queue.name;
    // Empty, not expected, but Redis knows it: the incident's queue while the API refuses to enqueue (fail-fast).
    if (reportedGroups.has(reads) || (expected.has(name) && reported.has(name)) || servedIn(reads) || unknownIn(reads) || !reads.some((read) => read.known)) continue;
    const prefixOf = (backend: LiveQueue['backend']) => reads.find((read) => read.queue.backend === backend)?.queue.prefix;
    const where = (backend: LiveQueue['backend']) =>
      backend === 'rq'
        ? 'RQ `rq:queues`'
        : backend === 'sidekiq'
          ? `Sidekiq \`${prefixOf('sidekiq') !== undefined ? `${prefixOf('sidekiq')}:` : ''}queues\``
          : backend === 'bullmq' ? `BullMQ \`${prefixOf('bullmq') ?? input.prefix}:${name}:meta\`` : `Celery binding \`_kombu.binding.${name}\``;
    const places = [...new Set(reads.filter((read) => read.known).map((read) => read.knownAs ?? where(read.queue.backend)))].sort();
    const onBroker = reads.filter((read) => read.known).every((read) => read.knownAs !== undefined);
    findings.push(
      finding('live-known-queue-without-worker', {
        message: `Queue \`${name}\` exists ${onBroker ? 'on the broker' : 'in Redis'}${onRedis(reads)} (${places.join(', ')}) but no live worker listens to it; it is empty now, so anything enqueued to it will wait.`,
        hint: `Start a worker that listens to \`${name}\`, or remove the queue if nothing uses it any more.`,
        queue: name,
        related: [...celeryNoWorker(reads), ...whoListens(name)],
      }),
    );
  }
  for (const name of [...expected].sort()) {
    if (reported.has(name) || served(name) || input.queues.some((read) => read.queue.name === name)) continue;
    findings.push(
      finding('live-queue-without-worker', {
        message: `Queue \`${name}\` is expected to be consumed but no live worker listens to it.`,
        hint: `Start a worker that listens to \`${name}\` (add it to the worker's queue list, e.g. RQ_QUEUES, and restart it).`,
        queue: name,
        related: whoListens(name),
      }),
    );
  }

  for (const { queue } of input.queues) {
    const consumers = queue.consumers.length;
    if (queue.waiting === 0 || queue.oldestWaitingAgeMs === undefined) continue;
    if (queue.oldestWaitingAgeMs <= input.stuckAfterSeconds * 1000 || (!consumers && queue.liveness === undefined)) continue;
    const consumerNames = new Set(queue.consumers);
    const busy = workers.filter((worker) => worker.currentJob && consumerNames.has(worker.name));
    findings.push(
      finding('stuck-jobs', {
        message: `Queue \`${queue.name}\`'s oldest waiting job has waited ${humanDuration(queue.oldestWaitingAgeMs)} (over ${input.stuckAfterSeconds}s) although ${consumers ? plural(consumers, 'live worker') : 'a live worker'} listen${consumers === 1 ? 's' : ''} to it.`,
        hint: `Check whether the workers are blocked on long jobs${busy.length ? ` (${busy.map((worker) => `${worker.name}: ${worker.currentJob}`).join(', ')})` : ''}, paused or too few; add workers or raise --stuck-after if this wait is normal.`,
        queue: queue.name,
      }),
    );
  }

  const failures = new Map<string, QueueRead[]>();
  for (const read of input.queues) if (read.queue.failed > 0) failures.set(read.queue.name, [...(failures.get(read.queue.name) ?? []), read]);
  for (const [name, reads] of failures) {
    const count = reads.reduce((sum, read) => sum + read.queue.failed, 0);
    const newest = reads.find((read) => read.newestFailure)?.newestFailure;
    findings.push(
      finding('failed-jobs', {
        message: `Queue \`${name}\` has ${plural(count, 'failed job')}${newest ? `; the newest failed with: ${newest}` : ''}.`,
        hint: 'Inspect the failed jobs (RQ failed registry / BullMQ failed set), fix the cause, then requeue or delete them.',
        queue: name,
      }),
    );
  }

  const sidekiqFailed = (input.sidekiq?.retry ?? 0) + (input.sidekiq?.dead ?? 0);
  if (input.sidekiq && sidekiqFailed > 0) {
    const { retry, dead, newestFailure } = input.sidekiq;
    findings.push(
      finding('failed-jobs', {
        message: `Sidekiq holds ${plural(retry, 'failed job')} waiting to retry and ${plural(dead, 'dead job')}${newestFailure ? `; the newest ${dead ? 'dead job' : 'retrying job'} failed with: ${newestFailure}` : ''}.`,
        hint: "Read the errors in the Sidekiq Web UI's Retries and Dead tabs (or Sidekiq::RetrySet/DeadSet), fix the cause, then retry or delete the jobs.",
      }),
    );
  }

  if (input.config) {
    const { environment, reason } = input.config;
    for (const consumer of input.config.consumers) {
      if (!consumer.active || consumer.environment !== environment) continue;
      for (const queue of consumer.queues) {
        if (served(queue)) continue;
        // Celery workers' queues are unknown without the broadcast: no drift can be claimed for them.
        const reads = input.queues.filter((read) => read.queue.name === queue);
        if (reads.some((read) => read.queue.consumersUnknown)) continue;
        if (reads.length === 0 && input.celery?.consumers === 'unknown' && consumer.detectedBy.startsWith('celery')) continue;
        findings.push(
          finding('config-live-drift', {
            message: `Queue \`${queue}\` is consumed by service \`${consumer.service}\` in the configuration of ${environmentName(environment)}, but no live worker listens to it.`,
            hint: `Restart \`${consumer.service}\` so the running workers use the current configuration (${environmentName(environment)} was compared because ${reason}; choose another with --environment).`,
            queue,
            environment,
            service: consumer.service,
            related: [
              ...(consumer.location
                ? [{ message: `\`${queue}\` is configured here (${consumer.detectedBy})`, file: consumer.location.file, line: consumer.location.line }]
                : []),
              ...whoListens(queue),
            ],
          }),
        );
      }
    }
  }

  if (input.celery?.broadcast?.error) {
    findings.push(
      finding('live-celery-inspect-failed', {
        message: `The --celery-inspect broadcast could not be sent or read: ${input.celery.broadcast.error}; which queues the Celery workers consume is unknown.`,
        hint: 'The broadcast writes to Redis (SADD, PUBLISH, LRANGE, SREM, DEL on its own reply keys): use a Redis user that may, or run live without --celery-inspect for the read-only view.',
      }),
    );
  }

  if (input.clientListDenied) {
    findings.push(
      finding('live-client-list-denied', {
        message: `CLIENT LIST is not permitted for this Redis user, so BullMQ worker liveness was inferred from \`${input.prefix}:<queue>:stalled-check\` keys (no worker names).`,
        hint: 'Grant the user `+client|list` to see each BullMQ worker by name.',
      }),
    );
  }
  return findings;
}
