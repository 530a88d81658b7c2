// Shared helpers for the benchmarks: timing child processes and printing medians side by side.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutRabbitmqNode, RABBITMQCTL, RABBITMQ_SERVER, stopEpmd } from '../test/helpers/rabbitmq-node.js';

/** Runs `command args` `runs` times (after one warm-up) and returns the wall times in ms. */
export function timeCommand(command, args, { runs = 10, cwd, env, allowFailure = true } = {}) {
  const times = [];
  for (let i = -1; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.error) throw result.error;
    if (!allowFailure && result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= 0) times.push(elapsed);
  }
  return times;
}

/**
 * The arguments that run `bin` as a user's shell runs it — with the Node options of its shebang
 * (`#!/usr/bin/env -S node --v8-pool-size=0 --`) — given to this benchmark's own Node: `[...options, bin]`.
 */
export function binArgs(bin) {
  const shebang = /^#!\/usr\/bin\/env -S node((?: [^ \n]+)*)\n/.exec(readFileSync(bin, 'utf8'));
  if (!shebang) throw new Error(`${bin}: its first line is not #!/usr/bin/env -S node …`);
  return [...shebang[1].split(' ').filter(Boolean), bin];
}

/** The trees bench/static-scale.js generates once in the temp dir, by shape (static-warmup.js and static-second-core.js read them too). */
export const STATIC_SCALE_TREES = {
  sparse: join(tmpdir(), 'receipts-doctor-static-scale-12000'),
  dense: join(tmpdir(), 'receipts-doctor-static-scale-dense-12000'),
  ts: join(tmpdir(), 'receipts-doctor-static-scale-ts-8000'),
};

/** Whether static-scale finished generating the tree in `dir` (it writes `.complete` last). */
export const staticScaleTreeReady = (dir) => existsSync(join(dir, '.complete'));

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Prints `name: ours X ms vs reference Y ms → ratio`, and returns the ratio ours/reference. */
export function report(name, ours, reference, { oursLabel = 'receipts-doctor', referenceLabel = 'reference', target } = {}) {
  const ratio = ours / reference;
  const fmt = (ms) => `${ms.toFixed(1)} ms`;
  console.log(
    `${name}: ${oursLabel} ${fmt(ours)} (median) vs ${referenceLabel} ${fmt(reference)} (median) → ${ratio.toFixed(2)}×${target ? `  [target ${target}]` : ''}`,
  );
  return ratio;
}

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const answers = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/**
 * A private redis-server on a free loopback port, in a temp dir, without persistence; `extraArgs` for cluster nodes
 * and limits. Resolves once it answers PING; `stop()` kills it and removes its dir.
 */
export async function startBenchRedis(extraArgs = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], {
    stdio: 'ignore',
  });
  child.on('error', (error) => {
    console.error(`redis-server could not start: ${error.message} (apt-get install redis-server)`);
    process.exit(2);
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline) throw new Error('redis-server did not start (apt-get install redis-server)');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Fills Redis through RQ's own API (Debian's python3-rq): `workers` registered workers (Worker.register_birth and
 * heartbeat, not run) on two of `queues` queues each, and `jobs` jobs spread over the queues (Queue.enqueue_many).
 * Returns "workers queues jobs" as Redis counts them.
 */
export function fillRq(url, { workers, queues, jobs }) {
  const code = `
import os
from redis import Redis
from rq import Queue, Worker
r = Redis.from_url(os.environ['REDIS_URL'])
queues = [Queue('queue-%03d' % i, connection=r) for i in range(${queues})]
for i in range(${workers}):
    w = Worker([queues[i % ${queues}], queues[(i * 7 + 1) % ${queues}]], connection=r, name='bench-worker-%04d' % i)
    w.register_birth()
    w.heartbeat()
per_queue = ${jobs} // ${queues}
for q in queues:
    q.enqueue_many([Queue.prepare_data('os.getcwd', args=(n,)) for n in range(per_queue)])
print(r.scard('rq:workers'), r.scard('rq:queues'), sum(r.llen(q.key) for q in queues))
`;
  const result = spawnSync('/usr/bin/python3', ['-c', code], { env: { ...process.env, REDIS_URL: url }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`filling Redis with RQ failed: ${result.stderr || result.error}`);
  return result.stdout.trim();
}

/**
 * A private RabbitMQ node (Debian's rabbitmq-server) with the management plugin: its own node name, AMQP, dist,
 * epmd and API ports, data, logs and HOME in a temp dir. Resolves once the API answers; `stop()` kills the node's
 * process group, tells its epmd to exit and removes the dir. The node's layout is the tests' (test/helpers/rabbitmq-node.js).
 */
export async function startBenchRabbitmq() {
  const server = RABBITMQ_SERVER;
  if (!existsSync(server)) throw new Error(`${server} is missing: apt-get install rabbitmq-server`);
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-rabbitmq-'));
  const [amqpPort, apiPort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const node = `rd-bench-${process.pid}@localhost`;
  const env = layoutRabbitmqNode({ dir, node, amqpPort, apiPort, distPort, epmdPort, management: true });
  const child = spawn(server, [], { env, detached: true, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (child.exitCode === null && child.signalCode === null) await exited;
    await stopEpmd(epmdPort, env);
    rmSync(dir, { recursive: true, force: true });
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const up = await fetch(`${apiUrl}/api/overview`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } }).then(
      (answer) => answer.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error('rabbitmq-server did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}//`,
    apiUrl,
    /** rabbitmqctl against this node, as argv and env for spawnSync. */
    ctl: { command: RABBITMQCTL, args: ['-n', node], env },
    stop,
  };
}
