import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_SYNC_MODE, DIAGNOSTICS_PATH, JOB_ID_PARAM, STATUS_PATH, SYNC_PATH, WORKER_OFFLINE, type JobStatus } from '../contract/http.js';
import { BullKeys } from '../frameworks/bullmq/live-keys.js';
import { parseBullWorkers, type BullWorkerView } from './liveness.js';
import { SYNC_JOB_NAME, SYNC_MODES, type SyncJobData, type SyncMode } from './sync-job.js';

/** fail-fast: 503 when no live worker listens to the sync queue (the incident); always-enqueue: 202, job waits. */
export type EnqueueMode = 'fail-fast' | 'always-enqueue';
export const ENQUEUE_MODES: readonly EnqueueMode[] = ['fail-fast', 'always-enqueue'];

export interface ApiOptions {
  /** The API's own connection: enableOfflineQueue off, so commands fail at once while Redis is down. */
  redis: Redis;
  syncQueue: Queue;
  /** Queues shown in diagnostics besides those live workers listen to (the configured ones). */
  knownQueues: string[];
  prefix: string;
  mode: EnqueueMode;
  token: string;
  /** Logs unexpected (500) errors; never given secrets. */
  log: (line: string) => void;
}

const MAX_BODY_BYTES = 64 * 1024;
const JOB_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** An answer the handler decided on (4xx/503); anything else thrown is a 500 or, when Redis is down, a 503. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** BullMQ job states → the contract's four (RQ's names, which clients of the incident's API know). */
export function contractStatus(state: string): JobStatus {
  switch (state) {
    case 'active':
      return 'started';
    case 'completed':
      return 'finished';
    case 'failed':
      return 'failed';
    default:
      // waiting, prioritized, delayed, waiting-children, paused
      return 'queued';
  }
}

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|MaxRetriesPerRequest|LOADING|Reached the max retries/i;

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `Body larger than ${MAX_BODY_BYTES} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Validates the sync body: a JSON object, `mode` one the job knows (default incremental), `business_id` a positive integer. */
export function parseSyncBody(text: string): SyncJobData {
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'Body must be a JSON object');
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'Body must be a JSON object');
  const fields = body as Record<string, unknown>;
  const mode = fields.mode ?? DEFAULT_SYNC_MODE;
  if (typeof mode !== 'string' || !(SYNC_MODES as readonly string[]).includes(mode)) {
    throw new HttpError(400, `Unknown mode: ${typeof mode === 'string' ? mode.slice(0, 40) : typeof mode}; expected one of ${SYNC_MODES.join(', ')}`);
  }
  const data: SyncJobData = { mode: mode as SyncMode };
  if (fields.business_id !== undefined && fields.business_id !== null) {
    const id = fields.business_id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      throw new HttpError(400, 'business_id must be a positive integer');
    }
    data.business_id = id;
  }
  return data;
}

/** The HTTP API of docs/CONTRACT.md §6 on BullMQ, as a plain node:http server (not yet listening). */
export function createApi(options: ApiOptions): Server {
  const keys = new BullKeys(options.prefix);
  const expected = Buffer.from(`Bearer ${options.token}`);
  const authorized = (request: IncomingMessage) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  /**
   * Where CLIENT LIST is refused (ACL without +client|list, some managed Redis), a worker is inferred from
   * its queue's `stalled-check` key, which every live BullMQ worker re-sets each stalled interval.
   */
  const inferredWorkers = async (): Promise<BullWorkerView[]> => {
    const names = [...new Set([...options.knownQueues, options.syncQueue.name])].sort();
    const pipeline = options.redis.pipeline();
    for (const name of names) pipeline.exists(keys.key(name, 'stalled-check'));
    const replies = (await pipeline.exec()) ?? [];
    const queues = names.filter((_, index) => replies[index]?.[1] === 1);
    return queues.length > 0 ? [{ name: '(inferred from stalled-check keys: CLIENT LIST refused)', queues, state: 'unknown' }] : [];
  };

  // Many requests arriving together share one CLIENT LIST read instead of each paying for its own.
  let workersInFlight: Promise<BullWorkerView[]> | undefined;
  const liveWorkers = () => {
    workersInFlight ??= (async () => {
      try {
        return parseBullWorkers(String(await options.redis.client('LIST')), options.prefix);
      } catch (error) {
        if (error instanceof Error && /NOPERM|unknown command|unknown subcommand/i.test(error.message)) return inferredWorkers();
        throw error;
      } finally {
        workersInFlight = undefined;
      }
    })();
    return workersInFlight;
  };

  async function sync(request: IncomingMessage, response: ServerResponse) {
    const data = parseSyncBody(await readBody(request));
    const queueName = options.syncQueue.name;
    if (options.mode === 'fail-fast') {
      const workers = await liveWorkers();
      if (!workers.some((worker) => worker.queues.includes(queueName))) throw new HttpError(503, WORKER_OFFLINE);
    }
    // A random id, not BullMQ's counter: the counter lives in Redis and starts again at 1 when an in-memory Redis
    // restarts, and a new job would then answer for an old client's id.
    const job = await options.syncQueue.add(SYNC_JOB_NAME, data, { jobId: randomUUID() });
    send(response, 202, { success: true, message: 'Receipt sync started', job_id: job.id, status: 'queued' });
  }

  async function status(url: URL, response: ServerResponse) {
    const jobId = url.searchParams.get(JOB_ID_PARAM) ?? '';
    if (!jobId) throw new HttpError(400, `${JOB_ID_PARAM} is required`);
    // Ids address keys next to the queue's own (`meta`, `events`…): only id-shaped values are looked up.
    if (!JOB_ID.test(jobId)) throw new HttpError(404, `Unknown job: ${jobId.slice(0, 80)}`);
    // One atomic read (MULTI of plain reads): where the job is and its hash, so a job seen finished always
    // carries its result, and a status poll costs one round trip instead of BullMQ's getState + getJob.
    const queue = options.syncQueue;
    const replies = await options.redis
      .multi()
      .lpos(queue.keys.active, jobId)
      .zscore(queue.keys.completed, jobId)
      .zscore(queue.keys.failed, jobId)
      .hgetall(queue.toKey(jobId))
      .exec();
    if (!replies) throw new Error('Redis aborted the status read');
    for (const [error] of replies) {
      if (error && /WRONGTYPE/.test(error.message)) throw new HttpError(404, `Unknown job: ${jobId}`);
      if (error) throw error;
    }
    const [[, active], [, completed], [, failed], [, hash]] = replies as [unknown, unknown][];
    const fields = hash as Record<string, string>;
    // Every job hash has name and timestamp; queue bookkeeping hashes (`meta`) do not.
    if (fields.name === undefined || fields.timestamp === undefined) throw new HttpError(404, `Unknown job: ${jobId.slice(0, 80)}`);
    const rawState = completed !== null ? 'completed' : failed !== null ? 'failed' : active !== null ? 'active' : 'waiting';
    const { Job } = await import('bullmq');
    const job = Job.fromJSON(queue, fields as unknown as Parameters<typeof Job.fromJSON>[1], jobId);
    const state = contractStatus(rawState);
    const progress = typeof job.progress === 'number' ? job.progress : 0;
    const payload: Record<string, unknown> = { job_id: job.id, status: state, progress };
    if (state === 'finished') payload.result = job.returnvalue;
    if (state === 'failed') payload.error = job.failedReason || 'failed';
    send(response, 200, payload);
  }

  async function diagnostics(response: ServerResponse) {
    const workers = await liveWorkers();
    const names = [...new Set([...options.knownQueues, options.syncQueue.name, ...workers.flatMap((worker) => worker.queues)])].sort();
    const pipeline = options.redis.pipeline();
    for (const name of names) {
      pipeline.llen(keys.key(name, 'wait'));
      pipeline.zcard(keys.key(name, 'prioritized'));
    }
    const replies = (await pipeline.exec()) ?? [];
    const queues: Record<string, number> = {};
    names.forEach((name, index) => {
      const [waitError, wait] = replies[index * 2] ?? [];
      const [prioritizedError, prioritized] = replies[index * 2 + 1] ?? [];
      if (waitError || prioritizedError) throw waitError ?? prioritizedError;
      queues[name] = Number(wait ?? 0) + Number(prioritized ?? 0);
    });
    send(response, 200, {
      workers,
      queues,
      default_queue_has_worker: workers.some((worker) => worker.queues.includes(options.syncQueue.name)),
    });
  }

  async function route(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const routes: Record<string, { method: string; run: () => Promise<void> }> = {
      [SYNC_PATH]: { method: 'POST', run: () => sync(request, response) },
      [STATUS_PATH]: { method: 'GET', run: () => status(url, response) },
      [DIAGNOSTICS_PATH]: { method: 'GET', run: () => diagnostics(response) },
    };
    const target = routes[url.pathname];
    if (!target) throw new HttpError(404, `No route for ${url.pathname.slice(0, 80)}`);
    if (method !== target.method) {
      response.setHeader('allow', target.method);
      throw new HttpError(405, `${url.pathname} accepts ${target.method} only`);
    }
    if (!authorized(request)) throw new HttpError(401, 'Unauthorized');
    await target.run();
  }

  return createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof HttpError) {
        send(response, error.status, { success: false, error: error.message });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (options.redis.status !== 'ready' || CONNECTION_ERROR.test(message)) {
        send(response, 503, { success: false, error: `Redis is unavailable: ${message}` });
        return;
      }
      options.log(`api: ${request.method} ${request.url?.split('?')[0]} failed: ${message}`);
      send(response, 500, { success: false, error: `Internal error: ${message}` });
    });
  });
}
