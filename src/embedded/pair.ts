import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UnreachableError } from '../errors.js';
import { DEFAULT_BULL_PREFIX } from '../frameworks/bullmq/live-keys.js';
import { redactUrl, scrubSecrets, urlSecrets } from '../redact.js';
import { createApi, type EnqueueMode } from './api.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './redis-server.js';
import { DEFAULT_SYNC_WORK, type SyncWorkOptions } from './sync-job.js';
import { reconnectDelay, startWorkers, type RunningWorkers } from './worker.js';

/** The worker's queue list when neither --queues nor RQ_QUEUES says (the incident's worker default). */
export const DEFAULT_QUEUES = ['high', 'default', 'low'];

/** Documented development token, used when neither --token nor RECEIPTS_DOCTOR_TOKEN is given. */
export const DEV_TOKEN = 'dev-token';

/** Options of {@link startPair}; every field has a default suited to a developer's machine. */
export interface PairOptions {
  /** Redis to use; undefined starts a private redis-server (embedded). */
  redisUrl?: string;
  /** API port; 0 picks a free one (default 8080). */
  port?: number;
  host?: string;
  /** Queues the worker consumes (default high, default, low). */
  queues?: string[];
  /** Queue the API enqueues the sync to (default `default`). */
  syncQueue?: string;
  mode?: EnqueueMode;
  token?: string;
  /** Start the API (default true). */
  api?: boolean;
  /** Start the worker (default true). */
  worker?: boolean;
  prefix?: string;
  workerName?: string;
  concurrency?: number;
  work?: Partial<SyncWorkOptions>;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** Bound on waiting for in-flight jobs at stop (default 30 s). */
  drainMs?: number;
  /** Receives operational lines (Redis lost/back, failed jobs, drain); default: stderr. */
  log?: (line: string) => void;
  /** Called when the embedded redis-server dies while the pair runs (not on stop()). */
  onEmbeddedRedisExit?: () => void;
}

/** A running pair. `stop()` stops accepting, drains in-flight jobs, closes everything, stops embedded Redis. */
export interface Pair {
  /** http://host:port of the API, or undefined with `api: false`. */
  apiUrl?: string;
  /** The Redis URL in use (may hold a password: redact before printing — see {@link Pair.redisUrlRedacted}). */
  redisUrl: string;
  redisUrlRedacted: string;
  embeddedRedis: boolean;
  token: string;
  syncQueue: string;
  /** Queues the worker consumes, or [] with `worker: false`. */
  workerQueues: string[];
  workerName?: string;
  mode: EnqueueMode;
  /** The one line `serve` prints when ready. */
  readyLine: string;
  stop(): Promise<{ drained: boolean }>;
}

/** Splits a queue list as the incident's worker does (commas, and whitespace as `rq worker a b` would). */
export function splitQueues(raw: string): string[] {
  return raw
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter(Boolean);
}

async function connectApiRedis(url: string, connectionName: string): Promise<Redis> {
  const { Redis: IORedis } = await import('ioredis');
  // Fail fast while Redis is down (no offline queue, one retry, bounded commands) so requests get a
  // prompt 503 instead of hanging; keep reconnecting in the background so the API recovers on its own.
  const redis = new IORedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 3_000,
    connectTimeout: 3_000,
    retryStrategy: reconnectDelay,
    lazyConnect: true,
    // Concurrent requests' commands leave in one write instead of one syscall each.
    enableAutoPipelining: true,
    connectionName,
  });
  let lastError: Error | undefined;
  const remember = (error: Error) => (lastError = error);
  redis.on('error', remember);
  try {
    await redis.connect();
    redis.off('error', remember);
    redis.on('error', () => {});
  } catch (error) {
    redis.disconnect();
    // ioredis rejects with "Connection is closed"; the socket error before it says why (ECONNREFUSED, auth…).
    const cause = lastError ?? error;
    // urlSecrets decodes safely: a password that is not valid percent-encoding must not turn this into a crash.
    const reason = scrubSecrets(cause instanceof Error ? cause.message : String(cause), urlSecrets(url));
    throw new UnreachableError(`Redis at ${redactUrl(url)} is unreachable: ${reason}`, 'redis', { cause: error });
  }
  return redis;
}

/** Starts the embedded API/worker pair (docs/CONTRACT.md §7): Redis (given or private), the HTTP API, BullMQ workers. */
export async function startPair(options: PairOptions = {}): Promise<Pair> {
  const log = options.log ?? ((line: string) => process.stderr.write(`receipts-doctor serve: ${line}\n`));
  const prefix = options.prefix ?? DEFAULT_BULL_PREFIX;
  const syncQueueName = options.syncQueue ?? 'default';
  const queues = options.queues ?? DEFAULT_QUEUES;
  const mode = options.mode ?? 'fail-fast';
  const token = options.token ?? DEV_TOKEN;
  const wantApi = options.api ?? true;
  const wantWorker = options.worker ?? true;

  const embedded: EmbeddedRedis | undefined = options.redisUrl ? undefined : await startEmbeddedRedis();
  const redisUrl = options.redisUrl ?? embedded!.url;
  let redis: Redis | undefined;
  let queueRedis: Redis | undefined;
  let syncQueue: Queue | undefined;
  let server: Server | undefined;
  let workers: RunningWorkers | undefined;

  const closeAll = async (drainMs: number) => {
    // Stop accepting at once; requests already being answered get up to 5 s (a client holding a keep-alive
    // socket open must not hold up the exit). Meanwhile the worker drains its in-flight jobs.
    const httpClosed = (async () => {
      if (!server) return;
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(drainMs, 5_000))))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
    })();
    const [result] = await Promise.all([workers ? workers.close(drainMs) : { drained: true }, httpClosed]);
    await syncQueue?.close().catch(() => {});
    await queueRedis?.quit().catch(() => queueRedis?.disconnect());
    await redis?.quit().catch(() => redis?.disconnect());
    await embedded?.stop();
    return result;
  };

  try {
    // The API connection also checks, up front, that Redis answers at all: an unreachable --redis is exit 2.
    redis = await connectApiRedis(redisUrl, 'receipts-doctor:api');
    if (wantApi) {
      // BullMQ defines its ~50 Lua scripts on the connection it is given, which makes every MULTI/pipeline on
      // that connection copy them all; the API's plain reads get a connection of their own.
      queueRedis = await connectApiRedis(redisUrl, 'receipts-doctor:api-queue');
      const { Queue: BullQueue } = await import('bullmq');
      syncQueue = new BullQueue(syncQueueName, {
        connection: queueRedis,
        prefix,
        defaultJobOptions: {
          // Keep finished jobs long enough for status polling, bounded so Redis does not grow forever.
          removeOnComplete: { age: 3_600, count: 10_000 },
          removeOnFail: { age: 86_400, count: 10_000 },
        },
      });
      syncQueue.on('error', () => {});
      await syncQueue.waitUntilReady();
      server = createApi({ redis, syncQueue, knownQueues: queues, prefix, mode, token, log });
      server.on('connection', (socket) => socket.setNoDelay(true));
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1', backlog: 2048 }, () => {
          server!.off('error', reject);
          resolve();
        });
      });
    }
    if (wantWorker && queues.length > 0) {
      workers = await startWorkers({
        redisUrl,
        queues,
        prefix,
        name: options.workerName,
        concurrency: options.concurrency ?? 10,
        work: {
          batches: options.work?.batches ?? DEFAULT_SYNC_WORK.batches,
          batchDelayMs: options.work?.batchDelayMs ?? DEFAULT_SYNC_WORK.batchDelayMs,
        },
        lockDurationMs: options.lockDurationMs ?? 30_000,
        stalledIntervalMs: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 3,
        log,
      });
    }
  } catch (error) {
    await closeAll(0).catch(() => {});
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const { InputError } = await import('../errors.js');
      throw new InputError(`Port ${options.port} on ${options.host ?? '127.0.0.1'} is already in use: pick another with --port (0 picks a free one).`);
    }
    throw error;
  }

  let apiUrl: string | undefined;
  if (server) {
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    apiUrl = `http://${host}:${address.port}`;
  }
  const redisUrlRedacted = redactUrl(redisUrl);
  const workerPart = workers ? `worker on ${workers.queues.join(',')}` : wantWorker ? 'no worker (empty queue list)' : 'no worker';
  const readyLine = [
    `receipts-doctor serve: ${apiUrl ? `API ${apiUrl} (${mode}, sync queue ${syncQueueName})` : 'no API'}`,
    workerPart,
    `redis ${redisUrlRedacted}${embedded ? ' (embedded)' : ''}`,
  ].join(' · ');

  let stopping: Promise<{ drained: boolean }> | undefined;
  void embedded?.exited.then(() => {
    if (!stopping) options.onEmbeddedRedisExit?.();
  });
  return {
    apiUrl,
    redisUrl,
    redisUrlRedacted,
    embeddedRedis: Boolean(embedded),
    token,
    syncQueue: syncQueueName,
    workerQueues: workers?.queues ?? [],
    workerName: workers?.name,
    mode,
    readyLine,
    stop() {
      stopping ??= closeAll(options.drainMs ?? 30_000);
      return stopping;
    },
  };
}
