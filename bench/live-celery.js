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
import { rmSync } from 'node:fs';
import { BIN, CELERY, celeryBenchOptions, celeryEnv, fillWithCelery, makeBenchApp, PYTHON, startCeleryWorker, stopWorkers, timeOnce, workersReady } from './celery.js';
import { binArgs, median, startBenchRedis } from './lib.js';

const { RUNS, QUEUES, MESSAGES, WORKERS } = celeryBenchOptions();

const appDir = makeBenchApp();
const time = (command, args, url) => timeOnce(command, args, { cwd: appDir, env: celeryEnv(url) });

const redis = await startBenchRedis();
const workers = [];
try {
  for (let index = 0; index < WORKERS; index++) workers.push(startCeleryWorker(appDir, redis.url, index));
  await workersReady(workers);
  fillWithCelery(appDir, redis.url, QUEUES, MESSAGES);
  const sides = { live: [], inspectFlag: [], celeryInspect: [], celeryStatus: [] };
  let roundTrips;
  let seen;
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so every side sees the same machine load.
    const ours = time(process.execPath, [...binArgs(BIN), 'live', '--redis', redis.url, '--format', 'json'], redis.url);
    const report = JSON.parse(ours.stdout);
    roundTrips = report.live.roundTrips;
    const waiting = report.live.queues.reduce((sum, queue) => sum + queue.waiting, 0);
    seen = `${report.live.queues.length} queues, ${waiting} waiting, ${report.live.workers.length} workers`;
    if (waiting !== MESSAGES - (MESSAGES % QUEUES)) throw new Error(`live saw ${waiting} waiting messages`);
    sides.live.push(ours.ms);
    const flagged = time(process.execPath, [...binArgs(BIN), 'live', '--redis', redis.url, '--celery-inspect', '--format', 'json'], redis.url);
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
  stopWorkers(workers);
  redis.stop();
  rmSync(appDir, { recursive: true, force: true });
}
