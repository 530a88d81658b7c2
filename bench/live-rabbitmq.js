#!/usr/bin/env node
// Live on Celery's RabbitMQ broker (issue 29): a private RabbitMQ node filled by Celery itself (`send_task` into 200
// queues, 20,000 messages), 4 real `celery worker` processes consuming their own queues (`work-<n>`); then, in the same
// run and interleaved, `receipts-doctor live --broker` (the management API, read-only) vs `celery -A app inspect
// active_queues` (a broadcast that waits its 1 s timeout) and `rabbitmqctl list_queues name messages consumers` (an
// Erlang VM that asks the node). Target: live faster than both, with the same counts as rabbitmqctl.
//
//   npm run build && node bench/live-rabbitmq.js [--runs 5] [--queues 200] [--messages 20000] [--workers 4]
//
// Needs Debian's rabbitmq-server and python3-celery (/usr/bin/python3, /usr/bin/celery).
import { rmSync } from 'node:fs';
import { BIN, CELERY, celeryBenchOptions, celeryEnv, fillWithCelery, makeBenchApp, PYTHON, startCeleryWorker, stopWorkers, timeOnce, workersReady } from './celery.js';
import { binArgs, median, startBenchRabbitmq } from './lib.js';

const { RUNS, QUEUES, MESSAGES, WORKERS } = celeryBenchOptions();
const EXPECTED_READY = MESSAGES - (MESSAGES % QUEUES);

const appDir = makeBenchApp();
const node = await startBenchRabbitmq();
const env = { ...celeryEnv(node.url), ...node.ctl.env };
const time = (command, args) => timeOnce(command, args, { cwd: appDir, env });
const live = () => time(process.execPath, [...binArgs(BIN), 'live', '--broker', node.url, '--rabbitmq-api', node.apiUrl, '--format', 'json']);
const workers = [];
try {
  for (let index = 0; index < WORKERS; index++) workers.push(startCeleryWorker(appDir, node.url, index));
  await workersReady(workers);
  fillWithCelery(appDir, node.url, QUEUES, MESSAGES);
  // The API's counts follow the queues at its statistics interval (5 s): wait until it shows every message.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const report = JSON.parse(live().stdout);
    if (report.live.queues.reduce((sum, queue) => sum + queue.waiting, 0) === EXPECTED_READY) break;
    if (Date.now() > deadline) throw new Error('the management API did not show every message within a minute');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const sides = { live: [], celeryInspect: [], rabbitmqctl: [] };
  let seen;
  let requests;
  const inspection = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so every side sees the same machine load.
    const ours = live();
    const report = JSON.parse(ours.stdout);
    const waiting = report.live.queues.reduce((sum, queue) => sum + queue.waiting, 0);
    const unconsumed = report.findings.filter((finding) => finding.rule === 'live-queue-without-worker').length;
    seen = `${report.live.queues.length} task queues, ${waiting} ready, ${report.live.workers.length} workers, ${unconsumed} queues without a consumer`;
    requests = report.live.brokers[0].requests;
    inspection.push(report.live.durationMs);
    if (waiting !== EXPECTED_READY) throw new Error(`live saw ${waiting} ready messages, not ${EXPECTED_READY}`);
    sides.live.push(ours.ms);
    sides.celeryInspect.push(time(PYTHON, [CELERY, '-A', 'benchapp', 'inspect', 'active_queues', '--json']).ms);
    const ctl = time(node.ctl.command, [...node.ctl.args, 'list_queues', '--quiet', '--no-table-headers', 'name', 'messages', 'consumers']);
    const counted = ctl.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((words) => /^queue-\d+$/.test(words[0] ?? ''))
      .reduce((sum, words) => sum + Number(words[1]), 0);
    if (counted !== EXPECTED_READY) throw new Error(`rabbitmqctl counted ${counted} messages, not ${EXPECTED_READY}`);
    sides.rabbitmqctl.push(ctl.ms);
  }
  const m = Object.fromEntries(Object.entries(sides).map(([name, times]) => [name, median(times)]));
  console.log(`RabbitMQ ${node.url.replace(/:[^:@/]+@/, ':***@')}: ${seen} (live's view)`);
  console.log(`receipts-doctor live --broker --format json:          median ${m.live.toFixed(0)} ms over ${RUNS} runs (${requests} API requests; the read itself ${median(inspection).toFixed(0)} ms)`);
  console.log(`celery -A app inspect active_queues --json:           median ${m.celeryInspect.toFixed(0)} ms`);
  console.log(`rabbitmqctl list_queues name messages consumers:      median ${m.rabbitmqctl.toFixed(0)} ms`);
  console.log(
    `ratio celery inspect / live: ${(m.celeryInspect / m.live).toFixed(2)}×; rabbitmqctl / live: ${(m.rabbitmqctl / m.live).toFixed(2)}× (target: live faster than both)`,
  );
  process.exitCode = m.live < m.celeryInspect && m.live < m.rabbitmqctl ? 0 : 1;
} finally {
  stopWorkers(workers);
  await node.stop();
  rmSync(appDir, { recursive: true, force: true });
}
