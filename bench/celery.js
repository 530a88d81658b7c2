// The Celery side of the live benchmarks (live-celery.js on Redis, live-rabbitmq.js on RabbitMQ): a throwaway app,
// filling a broker with Celery's own producer, real `celery worker` processes, and timing a command.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const PYTHON = '/usr/bin/python3';
export const BIN = fileURLToPath(new URL('../bin/receipts-doctor.js', import.meta.url));
export const CELERY = '/usr/bin/celery';

/** A temp dir holding `benchapp.py` (one task, the broker from CELERY_BROKER_URL). */
export function makeBenchApp() {
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
  return appDir;
}

export const celeryEnv = (url) => ({ ...process.env, CELERY_BROKER_URL: url, PYTHONDONTWRITEBYTECODE: '1', NO_COLOR: '1' });

/** Sends `messages` over `queues` (`queue-000`…) with Celery's own producer, one in ten with priority 6. */
export function fillWithCelery(appDir, url, queues, messages) {
  const code = `
from benchapp import app
per_queue = ${messages} // ${queues}
with app.producer_or_acquire() as producer:
    for i in range(${queues}):
        for n in range(per_queue):
            app.send_task('benchapp.work', args=(n,), queue='queue-%03d' % i, priority=(6 if n % 10 == 0 else None), producer=producer)
`;
  const result = spawnSync(PYTHON, ['-c', code], { cwd: appDir, env: celeryEnv(url), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`filling the broker with Celery failed: ${result.stderr || result.error}`);
}

/** `celery -A benchapp worker -Q work-<index> -n bench-<index>@%h`, in its own process group. */
export function startCeleryWorker(appDir, url, index) {
  const child = spawn(PYTHON, [CELERY, '-A', 'benchapp', 'worker', '-Q', `work-${index}`, '-n', `bench-${index}@%h`, '-c', '1', '--without-mingle', '--without-gossip', '--loglevel', 'info'], {
    cwd: appDir,
    env: celeryEnv(url),
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  return { child, ready: () => / ready\./.test(output) };
}

/** Waits (at most a minute) until every worker says it is ready. */
export async function workersReady(workers) {
  const deadline = Date.now() + 60_000;
  while (!workers.every((worker) => worker.ready())) {
    if (Date.now() > deadline) throw new Error('the Celery workers did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function stopWorkers(workers) {
  for (const { child } of workers) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** One timed run of `command args` with the broker URL in the environment; exit 0 or 1 is a result, not a failure. */
export function timeOnce(command, args, { cwd, env }) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

/** `--runs 5 --queues 200 --messages 20000 --workers 4`, the live Celery benchmarks' shared options. */
export function celeryBenchOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      queues: { type: 'string', default: '200' },
      messages: { type: 'string', default: '20000' },
      workers: { type: 'string', default: '4' },
    },
  });
  return { RUNS: Number(values.runs), QUEUES: Number(values.queues), MESSAGES: Number(values.messages), WORKERS: Number(values.workers) };
}
