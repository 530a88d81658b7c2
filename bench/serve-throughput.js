#!/usr/bin/env node
// End-to-end sync throughput of the embedded pair vs raw BullMQ, on the same Redis, in the same run.
//
//   node bench/serve-throughput.js [--jobs 2000] [--clients 50] [--poll-ms 5] [--rounds 3]
//
// pair: `receipts-doctor serve` as its own process (API + worker, defaults: fail-fast, bearer auth);
//       each of --clients clients loops POST /api/receipts/sync → GET …/status (first after --poll-ms,
//       backing off ×1.5 to 50 ms) → finished.
// raw:  BullMQ `queue.add` from this process + a `Worker` in a child process (the same split as the pair),
//       each client loops add → `queue.getJobState` (same polling) → completed.
// Both run the same job (one progress update, result counts, ~0 ms of simulated work) with the same worker
// concurrency (= --clients). Needs the build (npm run build) and redis-server on PATH.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/receipts-doctor.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// node:http with keep-alive rather than fetch: undici's per-request cost would be charged to the pair.
let agent;
function http(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Child mode: a raw BullMQ Worker running the same job as the pair (one progress update, result counts). */
async function rawWorker(redisUrl, queueName, concurrency) {
  const { Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker(
    queueName,
    async (job) => {
      await job.updateProgress(100);
      return { fetched: 20, created: 5, updated: 15 };
    },
    { connection, concurrency },
  );
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await worker.close();
    connection.disconnect();
  });
}

function startChild(args, env, readyPattern) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = readyPattern.exec(output);
      if (match) resolve({ child, match });
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ready: ${output}`)));
  });
}

const stopChild = (child, signal) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    if (signal) child.kill(signal);
    else child.stdin.end();
  });

/** Runs `jobs` jobs through `clients` concurrent submit→poll loops; returns jobs/s and latency percentiles. */
async function drive(jobs, clients, submit, isFinished, pollMs) {
  let next = 0;
  const latencies = [];
  const submits = [];
  let polls = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < jobs) {
        next += 1;
        const t0 = performance.now();
        const id = await submit();
        submits.push(performance.now() - t0);
        // Poll as a client would (smoke does the same): start short, back off ×1.5 up to 50 ms.
        for (let wait = pollMs; (polls += 1) && !(await isFinished(id)); wait = Math.min(wait * 1.5, 50)) await sleep(wait);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  submits.sort((a, b) => a - b);
  const at = (list, q) => list[Math.min(list.length - 1, Math.floor(q * list.length))];
  return { perSecond: jobs / seconds, p50: at(latencies, 0.5), p95: at(latencies, 0.95), submitP50: at(submits, 0.5), pollsPerJob: polls / jobs };
}

async function main() {
  if (process.argv[2] === '--raw-worker') return rawWorker(process.argv[3], process.argv[4], Number(process.argv[5]));
  if (!existsSync(new URL('../dist/embedded/pair.js', import.meta.url))) {
    console.error('serve-throughput: build first (npm run build)');
    process.exitCode = 2;
    return;
  }
  const jobs = option('jobs', 2000);
  const clients = option('clients', 50);
  const pollMs = option('poll-ms', 5);
  const rounds = option('rounds', 3);
  const { startEmbeddedRedis } = await import('../dist/embedded/redis-server.js');
  const { DEFAULT_SYNC_BODY, DEFAULT_SYNC_MODE, JOB_ID_PARAM, STATUS_PATH, SYNC_PATH } = await import('../dist/contract/http.js');
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');

  const redis = await startEmbeddedRedis();
  const token = 'bench-token';
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const serve = await startChild(
    [BIN, 'serve', '--port', '0', '--redis', redis.url, '--queues', 'pair', '--sync-queue', 'pair', '--token', token],
    { RECEIPTS_DOCTOR_SERVE_BATCHES: '1', RECEIPTS_DOCTOR_SERVE_BATCH_MS: '0', RECEIPTS_DOCTOR_SERVE_CONCURRENCY: String(clients), REDIS_URL: '' },
    /API (http:\/\/\S+)/,
  );
  const apiUrl = serve.match[1];
  agent = new Agent({ keepAlive: true, maxSockets: clients });
  const raw = await startChild([SELF, '--raw-worker', redis.url, 'raw', String(clients)], {}, /ready/);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, defaultJobOptions: { removeOnComplete: { age: 3600, count: 10_000 } } });

  const runPair = (count) =>
    drive(
      count,
      clients,
      async () => {
        const { status, body } = await http('POST', `${apiUrl}${SYNC_PATH}`, headers, DEFAULT_SYNC_BODY);
        if (status !== 202) throw new Error(`POST answered ${status}: ${body.error}`);
        return body.job_id;
      },
      async (id) => {
        const { body } = await http('GET', `${apiUrl}${STATUS_PATH}?${JOB_ID_PARAM}=${id}`, headers);
        if (body.status === 'failed') throw new Error(`job ${id} failed: ${body.error}`);
        return body.status === 'finished';
      },
      pollMs,
    );
  const runRaw = (count) =>
    drive(
      count,
      clients,
      async () => (await queue.add('sync_receipts', { mode: DEFAULT_SYNC_MODE })).id,
      async (id) => {
        const state = await queue.getJobState(id);
        if (state === 'failed') throw new Error(`raw job ${id} failed`);
        return state === 'completed';
      },
      pollMs,
    );

  try {
    await runPair(Math.min(200, jobs)); // warm-up: JIT, connections, Lua script cache
    await runRaw(Math.min(200, jobs));
    const pair = [];
    const rawResults = [];
    for (let round = 0; round < rounds; round += 1) {
      pair.push(await runPair(jobs));
      rawResults.push(await runRaw(jobs));
    }
    const best = (results) => results.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const p = best(pair);
    const r = best(rawResults);
    // Each round runs the two back to back, so a per-round ratio is fairer on a shared machine.
    const ratios = pair.map((result, index) => result.perSecond / rawResults[index].perSecond).sort((a, b) => a - b);
    const fmt = (result) =>
      `${result.perSecond.toFixed(0).padStart(6)} jobs/s   latency p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms` +
      ` (submit p50 ${result.submitP50.toFixed(1)} ms, ${result.pollsPerJob.toFixed(1)} polls/job)`;
    console.log(`serve-throughput: ${jobs} sync jobs × best of ${rounds}, ${clients} concurrent clients, poll from ${pollMs} ms backing off to 50 ms, job work ~0 ms`);
    console.log(`  pair  (POST → status poll → finished)     ${fmt(p)}`);
    console.log(`  raw   (queue.add → Worker, state poll)     ${fmt(r)}`);
    console.log(`  ratio pair/raw                            ${(p.perSecond / r.perSecond).toFixed(2)} (best vs best; per round ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})`);
  } finally {
    agent.destroy();
    await queue.close();
    connection.disconnect();
    await stopChild(raw.child);
    await stopChild(serve.child, 'SIGTERM');
    await redis.stop();
  }
}

await main();
