#!/usr/bin/env node
// Live on a Celery broker (issue 13): a private redis-server filled by Celery itself (`send_task` into 200 queues,
// 20,000 messages, one in ten with a priority), with 4 real `celery worker` processes consuming their own queues;
// then `receipts-doctor live` (read-only, and with --celery-inspect) vs `celery inspect active_queues` and
// `celery status` on the same broker, interleaved in the same run. Target: the read-only `live` faster than
// `celery status` (which, like `inspect`, waits its 1 s broadcast timeout).
//
//   npm run build && node bench/live-celery.js [--runs 5] [--queues 200] [--messages 20000] [--workers 4]
//
// Needs redis-server on PATH and Debian's python3-celery (/usr/bin/python3, /usr/bin/celery).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, startBenchRedis } from './lib.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    queues: { type: 'string', default: '200' },
    messages: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '4' },
  },
});
const RUNS = Number(values.runs);
const QUEUES = Number(values.queues);
const MESSAGES = Number(values.messages);
const WORKERS = Number(values.workers);
const BIN = fileURLToPath(new URL('../bin/receipts-doctor.js', import.meta.url));
const PYTHON = '/usr/bin/python3';
const CELERY = '/usr/bin/celery';

const appDir = mkdtempSync(join(tmpdir(), 'rd-bench-celery-'));
writeFileSync(
  join(appDir, 'benchapp.py'),
  `import os
from celery import Celery
app = Celery('benchapp', broker=os.environ['CELERY_BROKER_URL'])

@app.task
def work(n):
    return n
`,
);
const env = (url) => ({ ...process.env, CELERY_BROKER_URL: url, PYTHONDONTWRITEBYTECODE: '1', NO_COLOR: '1' });

/** Sends the messages with Celery's own producer: every queue gets its binding and its lists as in production. */
function fill(url) {
  const code = `
from benchapp import app
per_queue = ${MESSAGES} // ${QUEUES}
with app.producer_or_acquire() as producer:
    for i in range(${QUEUES}):
        for n in range(per_queue):
            app.send_task('benchapp.work', args=(n,), queue='queue-%03d' % i, priority=(6 if n % 10 == 0 else None), producer=producer)
`;
  const result = spawnSync(PYTHON, ['-c', code], { cwd: appDir, env: env(url), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`filling Redis with Celery failed: ${result.stderr || result.error}`);
}

function startWorker(url, index) {
  const child = spawn(PYTHON, [CELERY, '-A', 'benchapp', 'worker', '-Q', `work-${index}`, '-n', `bench-${index}@%h`, '-c', '1', '--without-mingle', '--without-gossip', '--loglevel', 'info'], {
    cwd: appDir,
    env: env(url),
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  return { child, ready: () => / ready\./.test(output) };
}

function time(command, args, url) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: appDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: env(url) });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const redis = await startBenchRedis();
const workers = [];
try {
  for (let index = 0; index < WORKERS; index++) workers.push(startWorker(redis.url, index));
  const deadline = Date.now() + 60_000;
  while (!workers.every((worker) => worker.ready())) {
    if (Date.now() > deadline) throw new Error('the Celery workers did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fill(redis.url);
  const sides = { live: [], inspectFlag: [], celeryInspect: [], celeryStatus: [] };
  let roundTrips;
  let seen;
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so every side sees the same machine load.
    const ours = time(process.execPath, [BIN, 'live', '--redis', redis.url, '--format', 'json'], redis.url);
    const report = JSON.parse(ours.stdout);
    roundTrips = report.live.roundTrips;
    const waiting = report.live.queues.reduce((sum, queue) => sum + queue.waiting, 0);
    seen = `${report.live.queues.length} queues, ${waiting} waiting, ${report.live.workers.length} workers`;
    if (waiting !== MESSAGES - (MESSAGES % QUEUES)) throw new Error(`live saw ${waiting} waiting messages`);
    sides.live.push(ours.ms);
    const flagged = time(process.execPath, [BIN, 'live', '--redis', redis.url, '--celery-inspect', '--format', 'json'], redis.url);
    const answered = JSON.parse(flagged.stdout).live.celery.broadcast.replies;
    if (answered !== WORKERS) throw new Error(`--celery-inspect: ${answered} of ${WORKERS} workers answered`);
    sides.inspectFlag.push(flagged.ms);
    sides.celeryInspect.push(time(PYTHON, [CELERY, '-A', 'benchapp', 'inspect', 'active_queues', '--json'], redis.url).ms);
    sides.celeryStatus.push(time(PYTHON, [CELERY, '-A', 'benchapp', 'status'], redis.url).ms);
  }
  const m = Object.fromEntries(Object.entries(sides).map(([name, times]) => [name, median(times)]));
  console.log(`Celery broker at ${redis.url}: ${seen} (live's view)`);
  console.log(`receipts-doctor live --format json (read-only):  median ${m.live.toFixed(0)} ms over ${RUNS} runs (${roundTrips} round trips)`);
  console.log(`receipts-doctor live --celery-inspect:           median ${m.inspectFlag.toFixed(0)} ms`);
  console.log(`celery -A app inspect active_queues --json:      median ${m.celeryInspect.toFixed(0)} ms`);
  console.log(`celery -A app status:                            median ${m.celeryStatus.toFixed(0)} ms`);
  console.log(`ratio celery status / live: ${(m.celeryStatus / m.live).toFixed(2)}×; celery inspect / live --celery-inspect: ${(m.celeryInspect / m.inspectFlag).toFixed(2)}× (target: live faster than celery status)`);
  process.exitCode = m.live < m.celeryStatus ? 0 : 1;
} finally {
  for (const { child } of workers) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  redis.stop();
  rmSync(appDir, { recursive: true, force: true });
}
