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
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { freePort } from './ports.js';
import { fixture } from './cli.js';
import { startRedis, type RedisServer } from './redis.js';

export const PYTHON = '/usr/bin/python3';
export const RQ = '/usr/bin/rq';
export const PROSAAS_DIR = fixture('prosaas');
export const DEFAULT_TOKEN = 'prosaas-test-token';

export type SyncMode = 'fail-fast' | 'always-enqueue';

/** A running process of the replica. */
interface Managed {
  process: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

function requireTool(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
}

function launch(command: string, args: string[], env: Record<string, string>): Managed {
  const child = spawn(command, args, {
    cwd: PROSAAS_DIR,
    // No bytecode: the fixture dir is part of the repository and must stay clean.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  child.on('error', (error) => (output += `\nspawn error: ${error.message}`));
  child.on('exit', () => running.delete(child));
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // SIGTERM first: an RQ worker then finishes its job and removes its own registration.
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function until<T>(what: string, managed: Managed, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (managed.process.exitCode !== null || managed.process.signalCode !== null) {
      throw new Error(`${what}: the process exited (${managed.process.exitCode ?? managed.process.signalCode}):\n${managed.output()}`);
    }
    if (Date.now() > deadline) {
      await managed.stop();
      throw new Error(`${what}: not ready after ${timeoutMs} ms:\n${managed.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
  await until('prosaas API', managed, async () => {
    const answer = await httpGet(`${url}/api/receipts/queue/diagnostics`);
    return answer?.status === 200 ? true : undefined;
  });
  return { ...managed, url, port, token, syncMode };
}

export interface RegisteredWorker {
  name: string;
  queues: string[];
  pid?: number;
  state?: string;
}

/** The RQ workers registered in Redis right now (`rq:workers` and each `rq:worker:<name>` hash). */
export async function registeredRqWorkers(redisUrl: string): Promise<RegisteredWorker[]> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.smembers('rq:workers');
    const workers: RegisteredWorker[] = [];
    for (const key of keys) {
      const hash = await redis.hgetall(key);
      if (!hash.queues && !hash.pid) continue;
      workers.push({
        name: key.replace(/^rq:worker:/, ''),
        queues: (hash.queues ?? '').split(',').filter(Boolean),
        ...(hash.pid ? { pid: Number(hash.pid) } : {}),
        ...(hash.state ? { state: hash.state } : {}),
      });
    }
    return workers;
  } finally {
    redis.disconnect();
  }
}

export interface RqWorker extends Managed {
  /** The name the worker registered under. */
  name: string;
  queues: string[];
}

export interface StartWorkerOptions {
  redisUrl: string;
  /** Queues in priority order, e.g. ['high', 'default', 'low']. */
  queues: string[];
  /**
   * `rq-cli` (default): `/usr/bin/rq worker --url … <queues…>`, like the incident's compose command;
   * `module`: `python3 -m server.worker` with RQ_QUEUES, like the fixture's compose files.
   */
  via?: 'rq-cli' | 'module';
  /** Worker name (rq-cli only); RQ picks a random one otherwise. */
  name?: string;
  env?: Record<string, string>;
}

/** Starts a real RQ worker in the fixture dir (so `server.jobs` imports) and waits until it is registered. */
export async function startRqWorker(options: StartWorkerOptions): Promise<RqWorker> {
  requireTool(PYTHON, 'python3-rq');
  const via = options.via ?? 'rq-cli';
  let managed: Managed;
  if (via === 'rq-cli') {
    requireTool(RQ, 'python3-rq');
    const args = ['worker', '--url', options.redisUrl, ...(options.name ? ['--name', options.name] : []), ...options.queues];
    managed = launch(RQ, args, { ...options.env });
  } else {
    managed = launch(PYTHON, ['-m', 'server.worker'], { REDIS_URL: options.redisUrl, RQ_QUEUES: options.queues.join(','), ...options.env });
  }
  const pid = managed.process.pid;
  const registered = await until(`RQ worker (${options.queues.join(',')})`, managed, async () => {
    const workers = await registeredRqWorkers(options.redisUrl).catch(() => []);
    return workers.find((worker) => worker.pid === pid);
  });
  return { ...managed, name: registered.name, queues: registered.queues };
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
