#!/usr/bin/env node
// Live with 100k workers: `receipts-doctor live` must scale linearly in the number of registered workers (it was
// quadratic: 10k → 0.5 s, 40k → 16.7 s, 100k → 1 min 52 s). One Redis grows from 10k to 40k to 100k RQ workers;
// live is timed at each size, and `rq info` at 10k is the reference for what a read of 10k workers costs.
// Target: the time per worker at 100k is at most 2× the time per worker at 10k (linear, with noise).
//
//   npm run build && node bench/live-workers.js [--runs 3] [--sizes 10000,40000,100000]
//
// The first worker is registered by RQ itself (Worker.register_birth + heartbeat, Debian's python3-rq); the
// others are copies of its hash under new names, written in pipelines (registering 100k through RQ one by one
// would take minutes and measure RQ, not us). Needs redis-server on PATH, /usr/bin/python3 and /usr/bin/rq.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { binArgs, median, startBenchRedis } from './lib.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, sizes: { type: 'string', default: '10000,40000,100000' } },
});
const RUNS = Number(values.runs);
const SIZES = values.sizes.split(',').map(Number);
const BIN = fileURLToPath(new URL('../bin/receipts-doctor.js', import.meta.url));
const QUEUES = 50;

/** Sends raw RESP commands on one connection and resolves once `expected` replies have arrived. */
function pipeline(port, commands) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    for (const args of commands) {
      text += `*${args.length}\r\n`;
      for (const arg of args) text += `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`;
    }
    let replies = 0;
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      // Every reply here is a one-line integer or status reply.
      const lines = pending.split('\r\n');
      pending = lines.pop();
      replies += lines.length;
      if (replies >= commands.length) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(text));
  });
}

/** Registers one worker through RQ and returns its hash (field → value), the template for the copies. */
function registerTemplate(url) {
  const code = `
import json, os
from redis import Redis
from rq import Queue, Worker
r = Redis.from_url(os.environ['REDIS_URL'])
w = Worker([Queue('queue-00', connection=r), Queue('queue-01', connection=r)], connection=r, name='template-worker')
w.register_birth()
w.heartbeat()
print(json.dumps({k.decode(): v.decode() for k, v in r.hgetall(w.key).items()}))
`;
  const result = spawnSync('/usr/bin/python3', ['-c', code], { env: { ...process.env, REDIS_URL: url }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`registering a worker with RQ failed: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout);
}

/** Adds workers `from`..`to`-1 as copies of the template, each on two of QUEUES queues. */
async function addWorkers(port, template, from, to) {
  for (let start = from; start < to; start += 5000) {
    const commands = [];
    for (let i = start; i < Math.min(to, start + 5000); i++) {
      const name = `bench-worker-${String(i).padStart(6, '0')}`;
      const queues = [`queue-${String(i % QUEUES).padStart(2, '0')}`, `queue-${String((i * 7 + 1) % QUEUES).padStart(2, '0')}`];
      const hash = { ...template, queues: queues.join(','), pid: String(100000 + i), hostname: `host-${i % 97}` };
      commands.push(['HSET', `rq:worker:${name}`, ...Object.entries(hash).flat()]);
      commands.push(['SADD', 'rq:workers', `rq:worker:${name}`]);
      for (const queue of queues) commands.push(['SADD', `rq:workers:${queue}`, `rq:worker:${name}`]);
    }
    await pipeline(port, commands);
  }
}

function time(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const redis = await startBenchRedis();
try {
  const template = registerTemplate(redis.url);
  let registered = 1;
  const perWorker = [];
  for (const size of SIZES) {
    await addWorkers(redis.port, template, registered, size);
    registered = size;
    const live = [];
    const rqInfo = [];
    for (let run = 0; run < RUNS; run++) {
      const ours = time(process.execPath, [...binArgs(BIN), 'live', '--redis', redis.url, '--format', 'json']);
      const seen = JSON.parse(ours.stdout).live.workers.length;
      if (seen !== size) throw new Error(`live saw ${seen} workers, ${size} registered`);
      live.push(ours.ms);
      if (size === SIZES[0]) rqInfo.push(time('/usr/bin/rq', ['info', '--url', redis.url]).ms);
    }
    const ms = median(live);
    perWorker.push(ms / size);
    console.log(`${String(size).padStart(7)} workers: live median ${ms.toFixed(0)} ms (${((ms / size) * 1000).toFixed(1)} µs per worker)`);
    if (rqInfo.length) console.log(`${String(size).padStart(7)} workers: rq info median ${median(rqInfo).toFixed(0)} ms (reference)`);
  }
  const growth = perWorker[perWorker.length - 1] / perWorker[0];
  console.log(`time per worker at ${SIZES.at(-1)} / at ${SIZES[0]}: ${growth.toFixed(2)}× (target ≤ 2×: linear)`);
  process.exitCode = growth <= 2 ? 0 : 1;
} finally {
  redis.stop();
}
