/**
 * Debian's RQ (python3-rq 1.13) for tests: Python snippets, enqueueing, and real `rq worker` processes. The
 * tests must use /usr/bin/python3 and /usr/bin/rq (the first python3 on PATH may not be Debian's); a missing
 * package fails the test loudly with the package to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { fixture } from './cli.js';
import { eventually } from './poll.js';

export const PYTHON = '/usr/bin/python3';
export const RQ = '/usr/bin/rq';
/** The replica whose jobs (`server.jobs`) and worker module (`server.worker`) the workers run. */
export const PROSAAS_DIR = fixture('prosaas');

export function requireTool(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
}

/** Runs a Python snippet with Debian's RQ; `REDIS_URL` is set for it. */
export async function python(url: string, code: string): Promise<string> {
  requireTool(PYTHON, 'python3-rq');
  const result = await execa(PYTHON, ['-c', code], { env: { REDIS_URL: url }, reject: false, timeout: 60_000 });
  if (result.exitCode !== 0) throw new Error(`python failed (${result.exitCode}): ${result.stderr}`);
  return String(result.stdout);
}

/** Enqueues `count` jobs of `func` (dotted path) with `args` into `queue`, as the API would (real RQ). */
export async function enqueue(url: string, queue: string, func: string, args: unknown[] = [], count = 1): Promise<string[]> {
  const out = await python(
    url,
    `import os, json
from redis import Redis
from rq import Queue
q = Queue(${JSON.stringify(queue)}, connection=Redis.from_url(os.environ['REDIS_URL']))
ids = [q.enqueue(${JSON.stringify(func)}, *json.loads(${JSON.stringify(JSON.stringify(args))})).id for _ in range(${count})]
print(json.dumps(ids))`,
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

export interface RegisteredWorker {
  name: string;
  queues: string[];
  pid?: number;
  state?: string;
}

/** The RQ workers registered in Redis right now (`rq:workers` and each `rq:worker:<name>` hash). */
export async function registeredRqWorkers(redisUrl: string): Promise<RegisteredWorker[]> {
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

/** A running process the test started: its output so far, and a stop that waits for it to exit. */
export interface Managed {
  process: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for failure messages. */
  output(): string;
  /**
   * SIGTERM (the default) asks the process to finish (an RQ worker ends its job and removes its registration),
   * with SIGKILL after 5 s; SIGKILL kills its whole process group at once (RQ's work horses too), leaving a
   * dead worker's registration behind as a crash does.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal); // already gone, or not a group leader
  }
}

/** Starts a process in its own process group, in the replica's dir (or `cwd`), without writing bytecode there. */
export function launch(command: string, args: string[], env: Record<string, string>, cwd: string = PROSAAS_DIR): Managed {
  const child = spawn(command, args, {
    cwd,
    // No bytecode: the fixture dir is part of the repository and must stay clean.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
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
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (signal === 'SIGKILL') {
        killGroup(child, 'SIGKILL');
        await exited;
        return;
      }
      child.kill('SIGTERM');
      const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Fails the poll at once when the process has exited, with its exit code. */
export const exitedReason = (managed: Managed) => () =>
  managed.process.exitCode !== null || managed.process.signalCode !== null
    ? `the process exited (${managed.process.exitCode ?? managed.process.signalCode})`
    : undefined;

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

/** Starts a real RQ worker in the replica's dir (so `server.jobs` imports) and waits until it is registered. */
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
  // The worker registers its own pid (no shell in between): that identifies it among the others.
  const pid = managed.process.pid;
  try {
    const registered = await eventually(
      async () => (await registeredRqWorkers(options.redisUrl).catch(() => [])).find((worker) => worker.pid === pid),
      { what: `RQ worker (${options.queues.join(',')}) to register`, timeoutMs: 20_000, stopIf: exitedReason(managed), context: managed.output },
    );
    return { ...managed, name: registered.name, queues: registered.queues };
  } catch (error) {
    await managed.stop('SIGKILL');
    throw error;
  }
}
