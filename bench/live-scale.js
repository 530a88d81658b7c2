#!/usr/bin/env node
// Live at scale (docs/CONTRACT.md §8 and §10 "Performance"): 1,000 registered RQ workers, 200 queues, 20,000 jobs —
// all written by RQ itself — then `receipts-doctor live --format json`, bench/floor/live-read.js (the least a Node
// process can do to read the same: the floor of any Node implementation here), `rq info` and a bare `node -e 0` on
// the same Redis, interleaved in the same run. Targets: live within 1.3× the floor, and faster than `rq info`.
//
//   npm run build && node bench/live-scale.js [--runs 5] [--workers 1000] [--queues 200] [--jobs 20000] [--baseline DIR]
//
// --baseline DIR: another built checkout (e.g. main's, in a temp clone) whose `live` is timed in the same loop, so a
// change is compared against its base under the same load.
//
// Needs redis-server on PATH, Debian's python3-rq (/usr/bin/python3, /usr/bin/rq) and GNU time (/usr/bin/time: each
// side's CPU time is printed beside its wall time).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { binArgs, fillRq, startBenchRedis } from './lib.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1000' },
    queues: { type: 'string', default: '200' },
    jobs: { type: 'string', default: '20000' },
    baseline: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const WORKERS = Number(values.workers);
const QUEUES = Number(values.queues);
const JOBS = Number(values.jobs);
const BIN = fileURLToPath(new URL('../bin/receipts-doctor.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./floor/live-read.js', import.meta.url));
const BASELINE_BIN = values.baseline ? join(values.baseline, 'bin/receipts-doctor.js') : undefined;

/** Wall time, and the child's CPU time (user + system, from GNU time) — steadier than wall on a loaded machine. */
function time(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', command, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const [, user, system] = /cpu (\S+) (\S+)\s*$/.exec(result.stderr) ?? [];
  return { ms, cpuMs: (Number(user) + Number(system)) * 1000, stdout: result.stdout };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

let summary = [];
const redis = await startBenchRedis();
try {
  const filled = fillRq(redis.url, { workers: WORKERS, queues: QUEUES, jobs: JOBS });
  console.log(`Redis at ${redis.url} filled by RQ: workers, queues, jobs = ${filled.split(' ').join(', ')}`);
  const live = [];
  const rqInfo = [];
  const floor = [];
  const bareNode = [];
  const baseline = [];
  const cpu = { live: [], floor: [], baseline: [] };
  const inProcess = { live: [], baseline: [] };
  let roundTrips;
  let baselineRoundTrips;
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so both see the same machine load.
    const ours = time(process.execPath, [...binArgs(BIN), 'live', '--redis', redis.url, '--format', 'json']);
    const report = JSON.parse(ours.stdout);
    roundTrips = report.live.roundTrips;
    cpu.live.push(ours.cpuMs);
    inProcess.live.push(report.live.durationMs);
    if (report.live.workers.length !== WORKERS) throw new Error(`live saw ${report.live.workers.length} workers`);
    live.push(ours.ms);
    rqInfo.push(time('/usr/bin/rq', ['info', '--url', redis.url]).ms);
    const bare = time(process.execPath, [FLOOR, String(redis.port)]);
    if (JSON.parse(bare.stdout).live.workers.length !== WORKERS) throw new Error('the floor reader did not see every worker');
    floor.push(bare.ms);
    cpu.floor.push(bare.cpuMs);
    bareNode.push(time(process.execPath, ['-e', '0']).ms);
    if (BASELINE_BIN) {
      const base = time(process.execPath, [...binArgs(BASELINE_BIN), 'live', '--redis', redis.url, '--format', 'json']);
      const baseReport = JSON.parse(base.stdout);
      baselineRoundTrips = baseReport.live.roundTrips;
      baseline.push(base.ms);
      cpu.baseline.push(base.cpuMs);
      inProcess.baseline.push(baseReport.live.durationMs);
    }
  }
  const liveMedian = median(live);
  const rqMedian = median(rqInfo);
  const floorMedian = median(floor);
  console.log(`receipts-doctor live --format json: median ${liveMedian.toFixed(0)} ms over ${RUNS} runs (${roundTrips} round trips)`);
  console.log(`floor: bench/floor/live-read.js (same reads, nothing else): median ${floorMedian.toFixed(0)} ms`);
  console.log(`rq info:                            median ${rqMedian.toFixed(0)} ms over ${RUNS} runs`);
  console.log(`node -e 0:                          median ${median(bareNode).toFixed(0)} ms`);
  if (BASELINE_BIN) {
    const baselineMedian = median(baseline);
    console.log(`baseline ${values.baseline}: median ${baselineMedian.toFixed(0)} ms (${baselineRoundTrips} round trips) → ${(baselineMedian / floorMedian).toFixed(2)}× the floor; live / baseline ${(liveMedian / baselineMedian).toFixed(2)}×`);
    console.log(`  live stage alone (the report's durationMs): ${median(inProcess.live)} ms, baseline ${median(inProcess.baseline)} ms`);
  }
  const cpuLine = Object.entries(cpu).filter(([, values]) => values.length).map(([name, values]) => `${name} ${median(values).toFixed(0)} ms`);
  console.log(`CPU time (user + system, median): ${cpuLine.join(', ')}; live / floor ${(median(cpu.live) / median(cpu.floor)).toFixed(2)}×`);
  console.log(`load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
  console.log(`ratio live / floor: ${(liveMedian / floorMedian).toFixed(2)}× (target ≤ 1.3×); live / rq info: ${(liveMedian / rqMedian).toFixed(2)}× (target < 1×); floor / rq info ${(floorMedian / rqMedian).toFixed(2)}×`);
  summary = [
    { name: 'live at 1,000 RQ workers', against: 'floor (bench/floor/live-read.js)', ratio: liveMedian / floorMedian, target: 1.3 },
    { name: 'live at 1,000 RQ workers', against: 'rq info', ratio: liveMedian / rqMedian, target: 1 },
  ];
  if (summary.some((entry) => entry.ratio > entry.target)) process.exitCode = 1;
} finally {
  redis.stop();
}
export default summary;
