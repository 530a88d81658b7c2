import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { fixture } from '../helpers/cli.js';

/** Debian's RQ (1.13): the interpreter and CLI the tests must use (the first python3 on PATH is not Debian's). */
export const PYTHON = '/usr/bin/python3';
export const RQ = '/usr/bin/rq';

/** Runs a Python snippet with Debian's RQ; `REDIS_URL` is set for it. Fails loudly when python3-rq is missing. */
export async function python(url: string, code: string): Promise<string> {
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

export interface RqWorker {
  process: ChildProcess;
  name: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until a worker with this name has registered its birth in Redis (the test may read Redis freely). */
export async function waitForRegistration(url: string, name: string, output: () => string): Promise<void> {
  const client = new Redis(url);
  try {
    await waitFor(`worker ${name} to register (${output()})`, async () =>
      (await client.sismember('rq:workers', `rq:worker:${name}`)) ? true : undefined,
    );
  } finally {
    client.disconnect();
  }
}

function track(child: ChildProcess, name: string, url: string): Promise<RqWorker> {
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const worker: RqWorker = {
    process: child,
    name,
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The whole process group: RQ forks a work horse per job, which would outlive its parent.
      process.kill(-child.pid!, signal);
      await exited;
    },
  };
  return waitForRegistration(url, name, () => output).then(() => worker);
}

/** Starts Debian's `/usr/bin/rq worker` on the given queues and waits for its registration. */
export function startRqWorker(url: string, name: string, queues: string[], extraArgs: string[] = []): Promise<RqWorker> {
  const child = spawn(RQ, ['worker', '--url', url, '--name', name, ...extraArgs, ...queues], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: '/tmp',
    detached: true,
  });
  return track(child, name, url);
}

/** Starts the prosaas fixture's worker (`python -m server.worker`, queues from RQ_QUEUES); RQ names it itself. */
export async function startProsaasWorker(url: string, queues: string): Promise<RqWorker> {
  const client = new Redis(url);
  const before = new Set(await client.smembers('rq:workers'));
  const child = spawn(PYTHON, ['-m', 'server.worker'], {
    cwd: fixture('prosaas'),
    env: { ...process.env, REDIS_URL: url, RQ_QUEUES: queues },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  try {
    const key = await waitFor('the prosaas worker to register', async () =>
      (await client.smembers('rq:workers')).find((member) => !before.has(member)),
    );
    return track(child, key.slice('rq:worker:'.length), url);
  } finally {
    client.disconnect();
  }
}

/** Waits until `predicate` holds for a value read from Redis by the test. */
export { waitFor };
