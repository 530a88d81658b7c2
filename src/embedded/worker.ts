import { hostname } from 'node:os';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { runSyncJob, SyncAbandoned, SYNC_JOB_NAME, type SyncJobData, type SyncWorkOptions } from './sync-job.js';

/** Tuning of the embedded worker; the defaults suit a dev box, tests shorten the stall timings. */
export interface WorkerOptions {
  redisUrl: string;
  queues: string[];
  /** BullMQ key prefix (default `bull`). */
  prefix: string;
  /** Worker name as registered in Redis (default `receipts-doctor-<host>-<pid>`). */
  name?: string;
  /** Jobs processed at once per queue. */
  concurrency: number;
  work: SyncWorkOptions;
  /** How long a job's lock lives without renewal; a crashed worker's jobs are recovered after it expires. */
  lockDurationMs: number;
  /** How often the stalled-job checker runs (moves jobs of dead workers back to wait). */
  stalledIntervalMs: number;
  /** How many times a job may stall (its worker died) before it is failed instead of retried. */
  maxStalledCount: number;
  /** Reports worker-side events (connection lost/back, a failed job) as one line each. */
  log: (line: string) => void;
}

/** Running BullMQ workers, one per queue. */
export interface RunningWorkers {
  name: string;
  queues: string[];
  /** Stops taking jobs and waits up to `drainMs` for the in-flight ones, then closes the rest forcibly. */
  close(drainMs: number): Promise<{ drained: boolean }>;
}

/** ioredis reconnect backoff: fast enough to recover promptly after a Redis restart, capped at 1 s. */
export const reconnectDelay = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000);

/** Starts one BullMQ worker per queue, all running the sync processor (jobs of other names fail clearly). */
export async function startWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  const [{ Worker: BullWorker, DelayedError }, { Redis: IORedis }] = await Promise.all([import('bullmq'), import('ioredis')]);
  const name = options.name ?? `receipts-doctor-${hostname()}-${process.pid}`;
  // Workers need maxRetriesPerRequest: null (their blocking commands must wait through reconnects).
  const connection: Redis = new IORedis(options.redisUrl, {
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
  });
  let connected = true;
  connection.on('error', (error: Error) => {
    if (connected) options.log(`worker: Redis connection lost (${error.message}); reconnecting`);
    connected = false;
  });
  connection.on('ready', () => {
    if (!connected) options.log('worker: Redis connection back');
    connected = true;
  });

  // Aborted when the drain limit is reached: the jobs still running go back to the queue, not to failed.
  const abandon = new AbortController();
  const processor = async (job: Job<SyncJobData>, token?: string) => {
    if (job.name !== SYNC_JOB_NAME) throw new Error(`Unknown job \`${job.name}\`: this worker runs only ${SYNC_JOB_NAME}`);
    try {
      return await runSyncJob(job, options.work, abandon.signal);
    } catch (error) {
      if (!(error instanceof SyncAbandoned) || !token) throw error;
      // BullMQ's documented way to hand a job back: due now, so the next worker takes it at once.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
  };

  const workers: Worker[] = options.queues.map((queue) => {
    const worker = new BullWorker(queue, processor, {
      connection,
      prefix: options.prefix,
      name,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
    });
    // Connection errors are reported once by the connection handler above; without a listener they would crash.
    worker.on('error', () => {});
    worker.on('failed', (job, error) => {
      if (job) options.log(`worker: job ${job.id} on ${queue} failed: ${error.message}`);
    });
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  let closing: Promise<{ drained: boolean }> | undefined;
  return {
    name,
    queues: [...options.queues],
    close(drainMs) {
      closing ??= (async () => {
        const within = <T>(promise: Promise<T>, ms: number) => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
          return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
        };
        const redisUp = connection.status === 'ready';
        let drained = false;
        if (redisUp) {
          const graceful = Promise.all(workers.map((worker) => worker.close())).then(() => true as const);
          drained = (await within(graceful, drainMs)) === true;
          if (!drained) {
            // Past the limit: the jobs still running are handed back to the queue and the close completes.
            abandon.abort();
            await within(graceful, 5_000);
          }
          await within(connection.quit(), 1_000).catch(() => {});
        } else {
          // With Redis gone an in-flight job can neither finish nor be handed back: waiting would only hang.
          // Its lock expires and the stalled-job check of the next worker runs it again.
          await within(Promise.all(workers.map((worker) => worker.close(true))), 3_000);
        }
        connection.disconnect();
        return { drained: drained || workers.length === 0 };
      })();
      return closing;
    },
  };
}
