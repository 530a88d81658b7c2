#!/usr/bin/env node
// The exporter (docs/exporter.md): on a Redis filled by RQ itself with 1,000 registered workers, 200 queues and 20,000
// jobs (the population of bench/live-scale.js):
//   - one read at 1,000 workers: the exporter's own `receipts_doctor_live_duration_seconds` over --reads reads (after
//     its first), against the floor's in-process read (bench/floor/live-read.js --reads: the same reads on a new
//     connection each time, in one long-lived process, after its first) — like for like: both warm, neither pays
//     Node's start nor renders text. Target: within the live bound, 1.3× the floor. Also shown: `receipts-doctor live
//     --format json` and the floor as whole processes (they add Node's start);
//   - scrape latency: --scrapes sequential GET /metrics of that population's text, while the exporter reads every second;
//   - memory over 10,000 reads: on a small population (so 10,000 reads take about a minute), the exporter's RSS
//     (/proc/PID/status VmRSS) every 1,000 reads, counted by Redis (every read opens one connection).
//
//   npm run build && node bench/exporter.js [--reads 20] [--scrapes 1000] [--rss-reads 10000] [--part all|scale|rss]
//
// Needs redis-server on PATH and Debian's python3-rq.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { binArgs, fillRq, median, startBenchRedis } from './lib.js';

const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '20' },
    scrapes: { type: 'string', default: '1000' },
    'rss-reads': { type: 'string', default: '10000' },
    part: { type: 'string', default: 'all' },
  },
});
const BIN = fileURLToPath(new URL('../bin/receipts-doctor.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./floor/live-read.js', import.meta.url));

/** Starts the exporter on a free port; resolves with its process and /metrics URL once it serves. */
function startExporter(args) {
  const child = spawn(process.execPath, [...binArgs(BIN), 'exporter', ...args, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const url = /serving (http:\/\/\S+\/metrics)/.exec(log)?.[1];
      if (url) resolve({ child, url, log: () => log });
    });
    child.on('exit', (code) => reject(new Error(`the exporter exited (${code}): ${log}`)));
  });
}

const stopExporter = (exporter) =>
  new Promise((resolve) => {
    exporter.child.removeAllListeners('exit');
    exporter.child.once('exit', (code) => resolve(code));
    exporter.child.kill('SIGTERM');
  });

const sample = (text, name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/** Redis's count of accepted connections (INFO stats), over a raw socket. */
function connectionsReceived(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => socket.write('INFO stats\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      const match = /total_connections_received:(\d+)/.exec(reply);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', reject);
  });
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** --scrapes sequential GET /metrics, alternating the two flavors; prints median, p99 and max. */
async function scrapeLatency(exporter, condition) {
  const latencies = [];
  let bytes = 0;
  for (let scrape = 0; scrape < Number(values.scrapes); scrape++) {
    const started = process.hrtime.bigint();
    const body = await (await fetch(exporter.url, { headers: { accept: scrape % 2 ? 'application/openmetrics-text;version=1.0.0' : 'text/plain' } })).text();
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    bytes = body.length;
  }
  console.log(
    `scrape latency (${latencies.length} sequential scrapes of ${(bytes / 1024).toFixed(0)} KiB; ${condition}): ` +
      `median ${median(latencies).toFixed(2)} ms, p99 ${percentile(latencies, 0.99).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
  );
}

function timeProcess(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const summary = [];

// 1,000 workers: the read, and scrapes of its text.
if (values.part !== 'rss') {
  const redis = await startBenchRedis();
  try {
    const filled = fillRq(redis.url, { workers: 1000, queues: 200, jobs: 20000 });
    console.log(`Redis filled by RQ: workers, queues, jobs = ${filled.split(' ').join(', ')}`);
    // Before the exporter runs: spawnSync blocks this process, which would leave its keep-alive sockets unserviced.
    const processes = { live: [], floor: [] };
    for (let run = 0; run < 5; run++) {
      processes.live.push(timeProcess(process.execPath, [...binArgs(BIN), 'live', '--redis', redis.url, '--format', 'json']));
      processes.floor.push(timeProcess(process.execPath, [FLOOR, String(redis.port)]));
    }
    // The floor's reads in one process, the first (cold) one left out as the exporter's is below.
    const floorRun = spawnSync(process.execPath, [FLOOR, String(redis.port), '--reads', String(Number(values.reads) + 1)], { encoding: 'utf8' });
    if (floorRun.status !== 0) throw new Error(`the floor's reads failed: ${floorRun.stderr}`);
    const floorReads = JSON.parse(floorRun.stdout).readMs.slice(1);
    const exporter = await startExporter(['--redis', redis.url, '--interval', '1']);
    const reads = [];
    let last;
    let first = true;
    while (reads.length < Number(values.reads)) {
      const text = await (await fetch(exporter.url)).text();
      const at = sample(text, 'receipts_doctor_last_read_timestamp_seconds');
      if (at !== last) {
        last = at;
        // The first read is the one made before the exporter listens (cold code): left out.
        if (!first) reads.push(sample(text, 'receipts_doctor_live_duration_seconds') * 1000);
        first = false;
      }
      await wait(100);
    }
    console.log(
      `read at 1,000 workers, in-process and warm: exporter median ${median(reads).toFixed(0)} ms over ${reads.length} reads; ` +
        `floor (bench/floor/live-read.js --reads) median ${median(floorReads).toFixed(0)} ms over ${floorReads.length} reads → ${(median(reads) / median(floorReads)).toFixed(2)}× (target ≤ 1.3×)`,
    );
    console.log(
      `as processes (Node's start included): live --format json ${median(processes.live).toFixed(0)} ms, floor ${median(processes.floor).toFixed(0)} ms (median of 5)`,
    );
    summary.push({ name: "exporter's read at 1,000 RQ workers", against: 'floor read in-process (bench/floor/live-read.js --reads)', ratio: median(reads) / median(floorReads), target: 1.3 });
    await scrapeLatency(exporter, 'reads every 1 s meanwhile: a scrape waits while a read holds the event loop');
    await stopExporter(exporter);
    const idle = await startExporter(['--redis', redis.url, '--interval', '3600']);
    await scrapeLatency(idle, 'no read meanwhile: the cost of serving the rendered text');
    await stopExporter(idle);
  } finally {
    redis.stop();
  }
}

// RSS over 10,000 reads, on a small population so they take about a minute.
if (values.part !== 'scale') {
  const redis = await startBenchRedis();
  try {
    fillRq(redis.url, { workers: 20, queues: 10, jobs: 200 });
    const exporter = await startExporter(['--redis', redis.url, '--interval', '0.01']);
    const base = await connectionsReceived(redis.port);
    const total = Number(values['rss-reads']);
    const points = [];
    let next = 1000;
    const started = Date.now();
    while (next <= total) {
      const readsSoFar = (await connectionsReceived(redis.port)) - base - points.length - 1;
      if (readsSoFar >= next) {
        // Scrape too, so rendering is part of the loop measured.
        await (await fetch(exporter.url)).text();
        points.push({ reads: readsSoFar, rssMb: rssKb(exporter.child.pid) / 1024 });
        next += 1000;
      } else await wait(50);
    }
    console.log(
      `RSS over ${total} reads (20 workers, 10 queues; ${((Date.now() - started) / 1000).toFixed(0)} s): ` +
        points.map((point) => `${point.reads}: ${point.rssMb.toFixed(1)} MB`).join(', '),
    );
    // V8 grows its heap to a working size over the first reads; after that the RSS must stay flat.
    const warm = points[Math.min(1, points.length - 1)];
    const end = points[points.length - 1];
    const peak = Math.max(...points.slice(1).map((point) => point.rssMb));
    console.log(
      `RSS from read ${warm.reads} to read ${end.reads}: ${warm.rssMb.toFixed(1)} → ${end.rssMb.toFixed(1)} MB (${(end.rssMb - warm.rssMb).toFixed(1)} MB), peak ${peak.toFixed(1)} MB`,
    );
    await stopExporter(exporter);
  } finally {
    redis.stop();
  }
}

if (summary.some((entry) => entry.ratio > entry.target)) process.exitCode = 1;
export default summary;
