/**
 * Runs the `fixtures/prosaas` replica for real: the Flask API (Debian's python3-flask) and RQ workers
 * (Debian's python3-rq, `/usr/bin/rq`), against a private redis-server from `startRedis()`.
 *
 *   const stack = await startProsaas({ syncMode: 'fail-fast', workers: [['high', 'low']] });
 *   // stack.api.url, stack.api.token, stack.redis.url, stack.workers[0].name
 *   await stack.stop();
 *
 * Every start function resolves only when the process is ready (the API answers; a worker is registered in
 * Redis), and fails loudly — with the process's output — when it cannot start. Processes are killed when
 * the test process exits, even if a test forgets `stop()`.
 */
import { get } from 'node:http';
import { DIAGNOSTICS_PATH } from '../../src/contract/http.js';
import { freePort } from './ports.js';
import { eventually } from './poll.js';
import { startRedis, type RedisServer } from './redis.js';
import { exitedReason, launch, PYTHON, requireTool, startRqWorker, type Managed, type RqWorker } from './rq.js';

export { PROSAAS_DIR } from './rq.js';
export const DEFAULT_TOKEN = 'prosaas-test-token';

export type SyncMode = 'fail-fast' | 'always-enqueue';

/** GET on loopback; resolves the status and body, or undefined when nothing answers. */
export function httpGet(url: string): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 2000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', () => resolve(undefined));
    });
    request.on('error', () => resolve(undefined));
    request.on('timeout', () => request.destroy());
  });
}

export interface ProsaasApi extends Managed {
  /** http://127.0.0.1:<port> — the base URL for `smoke --url`. */
  url: string;
  port: number;
  token: string;
  syncMode: SyncMode;
}

export interface StartApiOptions {
  redisUrl: string;
  token?: string;
  /** `fail-fast` (the incident's 503 when no worker listens to `default`, the default) or `always-enqueue`. */
  syncMode?: SyncMode;
  /** Extra environment, e.g. SYNC_BATCHES / SYNC_BATCH_SECONDS (read by the job in the worker, not here). */
  env?: Record<string, string>;
}

/** Starts the Flask API (`python3 -m flask --app server.app run`) and waits until its diagnostics answer 200. */
export async function startProsaasApi(options: StartApiOptions): Promise<ProsaasApi> {
  requireTool(PYTHON, 'python3-flask python3-rq');
  const token = options.token ?? DEFAULT_TOKEN;
  const syncMode = options.syncMode ?? 'fail-fast';
  const port = await freePort();
  const managed = launch(PYTHON, ['-m', 'flask', '--app', 'server.app', 'run', '--host', '127.0.0.1', '--port', String(port)], {
    REDIS_URL: options.redisUrl,
    API_TOKEN: token,
    SYNC_MODE: syncMode,
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await eventually(
      async () => {
        const answer = await httpGet(`${url}${DIAGNOSTICS_PATH}`);
        return answer?.status === 200 ? true : undefined;
      },
      { what: 'prosaas API to answer', timeoutMs: 20_000, stopIf: exitedReason(managed), context: managed.output },
    );
  } catch (error) {
    await managed.stop('SIGKILL');
    throw error;
  }
  return { ...managed, url, port, token, syncMode };
}

export interface ProsaasStack {
  redis: RedisServer;
  api: ProsaasApi;
  workers: RqWorker[];
  /** Stops the workers, the API and (when the stack started it) Redis. */
  stop(): Promise<void>;
}

export interface StartProsaasOptions {
  syncMode?: SyncMode;
  token?: string;
  /** One entry per worker: its queues. `[]` (the default) runs no worker at all. */
  workers?: string[][];
  /** Share a Redis; otherwise the stack starts (and stops) its own. */
  redis?: RedisServer;
  /** Environment for the workers (e.g. { SYNC_BATCHES: '20' } for a slower job). */
  workerEnv?: Record<string, string>;
}

/** Redis + the API + the given workers, all ready. Workers start first, so fail-fast sees them at once. */
export async function startProsaas(options: StartProsaasOptions = {}): Promise<ProsaasStack> {
  const redis = options.redis ?? (await startRedis());
  const workers: RqWorker[] = [];
  let api: ProsaasApi | undefined;
  const stop = async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api?.stop();
    if (!options.redis) await redis.stop();
  };
  try {
    for (const queues of options.workers ?? []) {
      workers.push(await startRqWorker({ redisUrl: redis.url, queues, ...(options.workerEnv ? { env: options.workerEnv } : {}) }));
    }
    api = await startProsaasApi({
      redisUrl: redis.url,
      ...(options.token ? { token: options.token } : {}),
      ...(options.syncMode ? { syncMode: options.syncMode } : {}),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { redis, api, workers, stop };
}
