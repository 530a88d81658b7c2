#!/usr/bin/env node
// Live on a Redis Cluster (docs/CONTRACT.md §5): three masters made with `redis-cli --cluster create`, real BullMQ
// workers (1,000 by default, in child processes of 250, each a real blocking Cluster connection) on queues with hash-tag
// names spread over the masters, and waiting jobs. `receipts-doctor live` vs the same read done with BullMQ's own
// getters (getWorkers, getJobCounts, getFailed per queue, over an ioredis Cluster), both as fresh processes, in the
// same run. Also checks that the doctor's round trips per node do not grow with the number of workers.
//
//   npm run build && node bench/live-cluster.js [--runs 5] [--workers 1000] [--queues 50]
//
// Needs redis-server and redis-cli on PATH (Debian's redis-server, redis-tools).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { binArgs, median, report, startBenchRedis } from './lib.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1000' },
    queues: { type: 'string', default: '50' },
  },
});
const RUNS = Number(values.runs);
const WORKERS = Number(values.workers);
const QUEUES = Number(values.queues);
const PER_PROCESS = 250;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/receipts-doctor.js');
const queueName = (index) => `{bq-${String(index).padStart(3, '0')}}`;
// Workers on the first 80% of the queues; jobs wait on the rest (nobody would take them).
const served = Math.max(1, Math.floor(QUEUES * 0.8));

const children = [];
const nodes = [];
async function startNode() {
  const node = await startBenchRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--maxclients', '20000']);
  nodes.push(node);
  return node.port;
}

/** A node script with bullmq from this repository (run with cwd = the repository root). */
const nodeScript = (code, args = []) => spawn(process.execPath, ['--input-type=module', '-e', code, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });

const WORKER_SCRIPT = `
import { Worker } from 'bullmq';
import { Cluster } from 'ioredis';
const [ports, from, to, served] = process.argv.slice(1);
const nodes = ports.split(',').map((port) => ({ host: '127.0.0.1', port: Number(port) }));
const connection = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } });
const name = (index) => '{bq-' + String(index).padStart(3, '0') + '}';
const workers = [];
for (let i = Number(from); i < Number(to); i++) {
  // A long stalled interval: the workers sit blocked, as idle workers do, and do not write while the bench reads.
  workers.push(new Worker(name(i % Number(served)), async () => 'ok', { connection, name: 'bench-' + i, stalledInterval: 600000 }));
}
await Promise.all(workers.map((worker) => worker.waitUntilReady()));
console.log('ready');
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30);
`;

const GETTERS_SCRIPT = `
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
const [ports, count] = process.argv.slice(1);
const connection = new Cluster(ports.split(',').map((port) => ({ host: '127.0.0.1', port: Number(port) })));
const name = (index) => '{bq-' + String(index).padStart(3, '0') + '}';
let workers = 0;
for (let i = 0; i < Number(count); i++) {
  const queue = new Queue(name(i), { connection });
  const [found] = await Promise.all([
    queue.getWorkers(),
    queue.getJobCounts('wait', 'paused', 'prioritized', 'active', 'delayed', 'failed', 'completed'),
    queue.getFailed(0, 0),
    queue.getWaiting(0, 0),
  ]);
  workers += found.length;
}
console.log(workers);
connection.disconnect();
`;

function time(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' }, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

try {
  const ports = await Promise.all([0, 1, 2].map(() => startNode()));
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
  for (const port of ports) {
    const deadline = Date.now() + 30_000;
    while (!/cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout)) {
      if (Date.now() > deadline) throw new Error('the cluster did not become ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const list = ports.join(',');
  const url = `redis://127.0.0.1:${ports[0]}`;
  // Jobs waiting on the unserved queues, added with BullMQ itself.
  const fill = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { Queue } from 'bullmq'; import { Cluster } from 'ioredis';
const connection = new Cluster('${list}'.split(',').map((port) => ({ host: '127.0.0.1', port: Number(port) })));
for (let i = 0; i < ${QUEUES}; i++) {
  const queue = new Queue('{bq-' + String(i).padStart(3, '0') + '}', { connection });
  await queue.add('seed', {});
  if (i >= ${served}) await queue.addBulk(Array.from({ length: 20 }, (_, n) => ({ name: 'job', data: { n } })));
}
connection.disconnect();`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (fill.status !== 0) throw new Error(`filling the cluster failed: ${fill.stderr}`);

  const measure = () => {
    const ours = time(process.execPath, [...binArgs(BIN), 'live', '--redis', url, '--format', 'json']);
    return JSON.parse(ours.stdout);
  };
  const few = measure().live.targets[0].roundTrips;
  const workerProcesses = [];
  for (let from = 0; from < WORKERS; from += PER_PROCESS) {
    const child = nodeScript(WORKER_SCRIPT, [list, String(from), String(Math.min(WORKERS, from + PER_PROCESS)), String(served)]);
    children.push(child);
    workerProcesses.push(new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`a worker process exited (${code})`)));
    }));
  }
  await Promise.all(workerProcesses);
  console.log(`3-master cluster at ${list}: ${WORKERS} BullMQ workers on ${served} queues, ${QUEUES - served} queues with 20 waiting jobs`);

  const live = [];
  const getters = [];
  let roundTrips;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const result = measure();
    live.push(Number(process.hrtime.bigint() - started) / 1e6);
    roundTrips = result.live.targets[0].roundTrips;
    const seen = result.live.workers.filter((worker) => worker.name.startsWith('bench-')).length;
    if (seen !== WORKERS) throw new Error(`live saw ${seen} of ${WORKERS} workers`);
    const reference = time(process.execPath, ['--input-type=module', '-e', GETTERS_SCRIPT, list, String(QUEUES)], { cwd: ROOT });
    getters.push(reference.ms);
    // Every worker's blocking connection is a client of one master: getWorkers finds each once.
    if (Number(reference.stdout.trim()) < WORKERS) throw new Error(`BullMQ's getWorkers saw ${reference.stdout.trim()} of ${WORKERS} workers`);
  }
  console.log(`round trips on the busiest node: ${few} before the workers started, ${roundTrips} with ${WORKERS} workers (must be equal)`);
  const ratio = report('live on a 3-master cluster', median(live), median(getters), { referenceLabel: "BullMQ's getters", target: '≤ 1×' });
  process.exitCode = ratio <= 1 && roundTrips === few ? 0 : 1;
} finally {
  for (const child of children) child.kill('SIGKILL');
  for (const node of nodes) node.stop();
}
