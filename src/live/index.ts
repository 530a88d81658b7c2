import { InputError, UnreachableError } from '../errors.js';
import type { Backend, CeleryLiveSummary, SidekiqLiveSummary, Consumer, Finding, LiveBroker, LiveSection, LiveTarget } from '../types.js';
import { analyzeLive, attachConsumers } from './analysis.js';
import { discoverKeys } from './discovery.js';
import type { BackendRead, QueueRead, WorkerRead } from './model.js';
import type { CeleryRead } from '../frameworks/celery/live.js';
import type { SidekiqRead } from '../frameworks/sidekiq/live.js';
import { DEFAULT_BULL_PREFIX } from '../frameworks/bullmq/live-keys.js';
import type { NothingFoundEvidence } from './nothing-found.js';
import { LIVE_FRAMEWORKS } from '../frameworks/live.js';
import { byCodeUnits, emptyQueue } from './model.js';
import type { TlsFiles } from './resp.js';
import { openTarget, type OpenTarget, type TargetSettings } from './topology/index.js';
import { escapeControlCharsDeep } from '../redact.js';

export interface LiveOptions {
  /** Redis URL (redis://, rediss://, redis+sentinel://, with user/password/db). Never printed unredacted. */
  redisUrl?: string;
  /** More Redis read in the same run (`--redis` repeated): django-rq can put queues on different connections. */
  moreRedisUrls?: string[];
  /** Celery's RabbitMQ brokers (`--broker amqp://user:pass@host:5672/vhost`, repeatable), read through the management API. */
  brokers?: string[];
  /** `--rabbitmq-api URL`: the management API, when not `http://<broker host>:15672` (with its own credentials, or the broker's). */
  rabbitmqApi?: string;
  /** CA, client certificate and key for rediss:// (--tls-ca, --tls-cert, --tls-key). */
  tlsFiles?: TlsFiles;
  /** The sentinels' own password (--sentinel-password, RECEIPTS_DOCTOR_SENTINEL_PASSWORD). */
  sentinelPassword?: string;
  backend: Backend | 'auto';
  /**
   * `--celery-inspect [SECONDS]`: send Celery's `inspect active_queues` broadcast (this WRITES to Redis: a reply
   * binding, a PUBLISH, the reply list, all removed afterwards) and wait this long for the workers' answers.
   */
  celeryInspectTimeoutMs?: number;
  /** BullMQ key prefix given with `--prefix` (or the config): that prefix only. Without it every prefix in use is read. With `--backend sidekiq`: that redis-namespace only. */
  prefix?: string;
  /** BullMQ prefixes the project's code names (`check` hands them over): read even before a queue has a key. */
  codePrefixes?: string[];
  /** Queues that must have a live worker (`--queue`, plus the static producers inside `check`). */
  expectedQueues: string[];
  /** Seconds after which the oldest waiting job of a served queue is stuck (default 120). */
  stuckAfterSeconds: number;
  connectTimeoutMs: number;
  /** For config-live-drift: the selected environment's consumers (active ones count). */
  config?: { environment: string; consumers: Consumer[]; reason: string };
  /** Injected clock for ages (tests). */
  now?: () => number;
}

export interface LiveResult {
  section: LiveSection;
  findings: Finding[];
}

const EMPTY: BackendRead = { found: false, workers: [], queues: [] };

/** What each framework's reader gave from one Redis (the frameworks not read: EMPTY). */
type BackendReads = Record<Backend, BackendRead> & { celery: CeleryRead; sidekiq: SidekiqRead };

/** What one Redis gave: its reads and how it was reached. */
interface TargetRead {
  target: LiveTarget;
  reads: BackendReads;
  /** No key of the systems read: what was looked for and where the keys are instead (live-nothing-found). */
  nothing?: { systems: string; evidence: NothingFoundEvidence };
}

/** The queue systems' names in the live-nothing-found message. */
const SYSTEM_NAMES: Record<Backend, string> = { rq: 'RQ', bullmq: 'BullMQ', celery: 'Celery', sidekiq: 'Sidekiq' };

/** The queue systems a run reads on one Redis, in words (`RQ, BullMQ (…) or Celery`). */
function systemsRead(backend: LiveOptions['backend'], cluster: boolean): string {
  if (backend === 'bullmq') return 'BullMQ (any `<prefix>:<queue>:meta` hash)';
  if (backend !== 'auto') return SYSTEM_NAMES[backend];
  const read = LIVE_FRAMEWORKS.filter((framework) => !(cluster && framework.live.clusterRefusal)).map((framework) => SYSTEM_NAMES[framework.id]);
  const skipped = LIVE_FRAMEWORKS.filter((framework) => cluster && framework.live.clusterRefusal).map((framework) => SYSTEM_NAMES[framework.id]);
  const list = (names: string[], last: string) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} ${last} ${names[names.length - 1]}` : names[0]);
  return `${list(read, 'or')}${skipped.length ? ` (${list(skipped, 'and')} do not run on a Cluster)` : ''}`;
}

/** Nothing was found when no framework saw its keys and no read queue holds a job: an expected queue's empty row is not a sighting. */
const sawNothing = (reads: BackendReads) =>
  Object.values(reads).every(
    (read) => !read.found && read.workers.length === 0 && read.queues.every(({ queue }) => queue.waiting + queue.active + queue.failed === 0),
  );

async function readOpened(opened: OpenTarget, options: LiveOptions, wanted: string[], now: number): Promise<BackendReads> {
  const { reader } = opened;
  const cluster = opened.topology === 'cluster';
  const refused = LIVE_FRAMEWORKS.find((framework) => framework.id === options.backend && framework.live.clusterRefusal);
  if (cluster && refused) throw new InputError(`${opened.label}: ${refused.live.clusterRefusal}`);
  const reading = LIVE_FRAMEWORKS.filter(
    (framework) => (options.backend === 'auto' || options.backend === framework.id) && !(cluster && framework.live.clusterRefusal),
  );
  // One SCAN loop per node finds the keys of every read framework's discovery shapes; RQ's reads, which start from
  // fixed keys, go meanwhile. The readers share the connection: their pipelines interleave instead of waiting.
  const discovering = reading.filter((framework) => framework.live.discovery);
  const discovery = discoverKeys(
    reader,
    discovering.map((framework) => framework.live.discovery!),
  );
  const settled = await Promise.allSettled(
    LIVE_FRAMEWORKS.map(async (framework) => {
      if (!reading.includes(framework)) return EMPTY;
      const index = discovering.indexOf(framework);
      const discovered = index === -1 ? [] : (await discovery)[index]!;
      // Auto mode skips a framework whose keys the loop proved absent; an explicit --backend reads it anyway.
      if (options.backend === 'auto' && framework.live.inPlay && !framework.live.inPlay(discovered)) return EMPTY;
      return framework.live.read(reader, options.backend === framework.id ? wanted : [], now, {
        ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
        ...(options.prefix !== undefined && options.backend === 'sidekiq' ? { namespace: options.prefix } : {}),
        ...(options.codePrefixes?.length ? { codePrefixes: options.codePrefixes } : {}),
        ...(options.celeryInspectTimeoutMs !== undefined ? { celeryInspectTimeoutMs: options.celeryInspectTimeoutMs } : {}),
        discovered,
      });
    }),
  );
  // The first failure in the registry's order, not in time (a user denied every read is told about RQ's first
  // command, whichever reply came back first).
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const reads = settled.map((result) => (result as PromiseFulfilledResult<BackendRead>).value);
  return Object.fromEntries(LIVE_FRAMEWORKS.map((framework, k) => [framework.id, reads[k]!])) as BackendReads;
}

/** Opens and reads one `--redis`; a Sentinel master lost mid-read (a failover) is resolved again and read again, once. */
async function readTarget(url: string, options: LiveOptions, wanted: string[], now: number): Promise<TargetRead> {
  const settings: TargetSettings = {
    connectTimeoutMs: options.connectTimeoutMs,
    ...(options.tlsFiles ? { tlsFiles: options.tlsFiles } : {}),
    ...(options.sentinelPassword !== undefined ? { sentinelPassword: options.sentinelPassword } : {}),
  };
  let opened = await openTarget(url, settings);
  let failover: string | undefined;
  try {
    let reads: BackendReads;
    try {
      reads = await readOpened(opened, options, wanted, now);
    } catch (error) {
      if (!opened.reopen || !(error instanceof UnreachableError)) throw error;
      const before = opened.master;
      await opened.reader.close();
      opened = await opened.reopen();
      failover =
        before !== opened.master
          ? `the master moved from ${before} to ${opened.master} during the inspection; everything was read again from ${opened.master}`
          : `the connection to the master ${before} was lost during the inspection; everything was read again`;
      reads = await readOpened(opened, options, wanted, now);
    }
    let nothing: TargetRead['nothing'];
    if (sawNothing(reads)) {
      const { readKeyspace } = await import('./nothing-found.js');
      nothing = { systems: systemsRead(options.backend, opened.topology === 'cluster'), evidence: await readKeyspace(opened.reader) };
    }
    const nodes = opened.topology === 'cluster' ? (opened.reader.nodes ?? []).map((node) => `${node.target.host}:${node.target.port}`) : opened.master ? [opened.master] : undefined;
    return {
      target: {
        redis: opened.label,
        topology: opened.topology,
        ...(nodes ? { nodes } : {}),
        ...(failover ? { failover } : {}),
        roundTrips: opened.reader.roundTrips,
      },
      reads,
      ...(nothing ? { nothing } : {}),
    };
  } finally {
    await opened.reader.close();
  }
}

/** Reads every `--broker` (RabbitMQ's management API) at once; the reader is loaded only when one is given. */
async function readBrokers(options: LiveOptions, wanted: string[], now: number): Promise<{ broker: LiveBroker; workers: WorkerRead[]; queues: QueueRead[] }[]> {
  const [{ parseBrokerUrl }, { readRabbitmq }] = await Promise.all([import('./rabbitmq/broker-url.js'), import('./rabbitmq/reader.js')]);
  const targets = [...new Set(options.brokers)].map((url) => parseBrokerUrl(url, options.rabbitmqApi));
  return Promise.all(targets.map((target) => readRabbitmq(target, { timeoutMs: options.connectTimeoutMs, wanted, now })));
}

/** One Celery summary for several Redis: counts add up; consumers are known only where every broker said so. */
function mergeCelery(summaries: CeleryLiveSummary[]): CeleryLiveSummary | undefined {
  if (summaries.length <= 1) return summaries[0];
  const unattributed = summaries.reduce((sum, summary) => sum + (summary.unackedUnattributed ?? 0), 0);
  const consumers = summaries.some((summary) => summary.consumers === 'unknown')
    ? 'unknown'
    : summaries.every((summary) => summary.consumers === 'no-worker')
      ? 'no-worker'
      : 'broadcast';
  const broadcasts = summaries.flatMap((summary) => (summary.broadcast ? [summary.broadcast] : []));
  const error = broadcasts.find((entry) => entry.error)?.error;
  return {
    unacked: summaries.reduce((sum, summary) => sum + summary.unacked, 0),
    ...(unattributed ? { unackedUnattributed: unattributed } : {}),
    consumers,
    ...(broadcasts.length
      ? { broadcast: { replies: broadcasts.reduce((sum, entry) => sum + entry.replies, 0), timeoutMs: broadcasts[0]!.timeoutMs, ...(error ? { error } : {}) } }
      : {}),
    ...(summaries.some((summary) => summary.proofRepeated) ? { proofRepeated: true } : {}),
  };
}

/** One Sidekiq summary for several Redis: the sets' sizes add up; the first newest failure is kept. */
function mergeSidekiq(summaries: SidekiqLiveSummary[]): SidekiqLiveSummary | undefined {
  if (summaries.length <= 1) return summaries[0];
  const newestFailure = summaries.find((summary) => summary.newestFailure)?.newestFailure;
  return {
    retry: summaries.reduce((sum, summary) => sum + summary.retry, 0),
    scheduled: summaries.reduce((sum, summary) => sum + summary.scheduled, 0),
    dead: summaries.reduce((sum, summary) => sum + summary.dead, 0),
    ...(newestFailure ? { newestFailure } : {}),
  };
}

/**
 * Reads (never writes, unless `celeryInspectTimeoutMs` asks for Celery's broadcast) one or several Redis: workers, queues, registries; returns the live section and its findings.
 * Only read commands, in pipelines: the round trips do not grow with the number of workers or queues.
 * Throws `UnreachableError` when a Redis cannot be reached, authenticated, or does not answer in time.
 */
export async function runLive(options: LiveOptions): Promise<LiveResult> {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const wanted = [
    ...new Set([
      ...options.expectedQueues,
      ...(options.config?.consumers.filter((consumer) => consumer.active).flatMap((consumer) => consumer.queues) ?? []),
    ]),
  ];
  const urls = [...new Set([...(options.redisUrl !== undefined ? [options.redisUrl] : []), ...(options.moreRedisUrls ?? [])])];
  const at = now();
  // With an explicit backend the wanted queues get rows there; with auto, only where they exist (added below).
  const [reads, brokerReads] = await Promise.all([
    Promise.all(urls.map((url) => readTarget(url, options, wanted, at))),
    options.brokers?.length ? readBrokers(options, wanted, at) : [],
  ]);
  const several = reads.length + brokerReads.length > 1;

  const workers: WorkerRead[] = [];
  const queues: QueueRead[] = [];
  for (const { target, reads: backendReads } of reads) {
    const targetWorkers = LIVE_FRAMEWORKS.flatMap((framework) => backendReads[framework.id].workers);
    const targetQueues = LIVE_FRAMEWORKS.flatMap((framework) => backendReads[framework.id].queues);
    for (const read of targetQueues) if (read.stalledCheckAlive && backendReads.bullmq.clientListDenied) read.queue.liveness = 'stalled-check';
    // A worker consumes the queues of its own Redis only.
    attachConsumers(
      targetWorkers.map((read) => read.worker),
      targetQueues.map((read) => read.queue),
    );
    if (several) {
      for (const read of targetWorkers) read.worker.redis = target.redis;
      for (const read of targetQueues) read.queue.redis = target.redis;
    }
    workers.push(...targetWorkers);
    queues.push(...targetQueues);
  }
  for (const read of brokerReads) {
    attachConsumers(
      read.workers.map((entry) => entry.worker),
      read.queues.map((entry) => entry.queue),
    );
    if (several) {
      for (const entry of read.workers) entry.worker.broker = read.broker.broker;
      for (const entry of read.queues) entry.queue.broker = read.broker.broker;
    }
    workers.push(...read.workers);
    queues.push(...read.queues);
  }
  const found: Backend[] = LIVE_FRAMEWORKS.filter(
    (framework) => reads.some((read) => read.reads[framework.id].found) || (framework.id === 'celery' && brokerReads.length > 0),
  ).map((framework) => framework.id);
  const backend: LiveSection['backend'] = options.backend !== 'auto' ? options.backend : found.length > 1 ? 'both' : (found[0] ?? 'rq');
  const celery = mergeCelery(reads.flatMap((read) => (read.reads.celery.celery ? [read.reads.celery.celery] : [])));
  const sidekiq = mergeSidekiq(reads.flatMap((read) => (read.reads.sidekiq.sidekiq ? [read.reads.sidekiq.sidekiq] : [])));
  if (options.backend === 'auto') {
    const primary: Backend = backend === 'both' ? 'rq' : backend;
    for (const name of wanted) {
      if (queues.some((read) => read.queue.name === name)) continue;
      const queue = emptyQueue(name, primary);
      if (primary === 'celery' && celery?.consumers === 'unknown') queue.consumersUnknown = true;
      queues.push({ queue });
    }
  }
  const clientListDenied = reads.some((read) => read.reads.bullmq.clientListDenied);
  const findings = analyzeLive({
    workers,
    queues,
    expectedQueues: options.expectedQueues,
    stuckAfterSeconds: options.stuckAfterSeconds,
    prefix: options.prefix ?? DEFAULT_BULL_PREFIX,
    ...(options.config ? { config: options.config } : {}),
    ...(clientListDenied ? { clientListDenied: true } : {}),
    ...(celery ? { celery } : {}),
    ...(sidekiq ? { sidekiq } : {}),
  });
  if (reads.some((read) => read.nothing)) {
    const { nothingFoundFinding } = await import('./nothing-found.js');
    for (const { target, nothing } of reads) if (nothing) findings.push(nothingFoundFinding(target.redis, nothing.systems, nothing.evidence));
  }
  const byPlace = (a: { backend: string; name: string; redis?: string }, b: { backend: string; name: string; redis?: string }) =>
    byCodeUnits(a.backend, b.backend) || byCodeUnits(a.name, b.name) || byCodeUnits(a.redis ?? '', b.redis ?? '');
  const section: LiveSection = {
    backend,
    ...(backend === 'both' ? { backends: found } : {}),
    ...(celery ? { celery } : {}),
    ...(sidekiq ? { sidekiq } : {}),
    workers: workers.map((read) => read.worker).sort(byPlace),
    queues: queues.map((read) => read.queue).sort(byPlace),
    durationMs: Math.round(performance.now() - started),
    ...(reads.length
      ? {
          redis: reads.map((read) => read.target.redis).join(', '),
          roundTrips: Math.max(...reads.map((read) => read.target.roundTrips)),
          ...(reads.length > 1 || reads.some((read) => read.target.topology !== 'standalone') ? { targets: reads.map((read) => read.target) } : {}),
        }
      : {}),
    ...(brokerReads.length ? { brokers: brokerReads.map((read) => read.broker) } : {}),
  };
  // Every string here may come from Redis (worker names, hostnames, states, queue names, exception text).
  return { section: escapeControlCharsDeep(section), findings: escapeControlCharsDeep(findings) };
}
