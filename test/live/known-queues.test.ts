/**
 * The incident as `live` alone sees it: the API refuses to enqueue (fail-fast), so `default` is empty, but Redis still
 * knows it — a warning, not "OK". And dead RQ registrations that only a per-queue set `rq:workers:<queue>` still lists.
 */
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLive } from '../../src/live/index.js';
import { runJson } from '../helpers/cli.js';
import { liveOptions } from '../helpers/live.js';
import { findingsOf } from '../helpers/report.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { python, RQ, requireTool, startRqWorker, type RqWorker } from '../helpers/rq.js';

/** Enqueues one job to each queue and runs a real burst worker that drains them: the queues stay known, empty. */
async function knownButEmpty(url: string, queues: string[]): Promise<void> {
  await python(
    url,
    `import os
from redis import Redis
from rq import Queue
r = Redis.from_url(os.environ['REDIS_URL'])
for name in ${JSON.stringify(queues)}:
    Queue(name, connection=r).enqueue('os.getcwd')`,
  );
  requireTool(RQ, 'python3-rq');
  await execa(RQ, ['worker', '--url', url, '--burst', ...queues], { cwd: '/tmp' });
}

describe('known queues without a worker, and per-queue registrations (real RQ 1.13, real BullMQ)', () => {
  let redis: RedisServer;
  const workers: RqWorker[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // The incident: default was used before, the running worker listens to high and low only. receipts_sync had
    // jobs too, so RQ lists it in rq:queues (the per-queue sets are read for the queues RQ knows, the expected ones
    // and those live workers name).
    await knownButEmpty(redis.url, ['default', 'high', 'receipts_sync']);
    workers.push(await startRqWorker({ redisUrl: redis.url, name: 'incident-worker', queues: ['high', 'low'] }));
    // A worker on two queues dies without saying so (SIGKILL), and its hash expires.
    const dead = await startRqWorker({ redisUrl: redis.url, name: 'crashed', queues: ['receipts_sync', 'reports'] });
    await dead.stop('SIGKILL');
    await python(
      redis.url,
      `import os, time
from redis import Redis
from rq import Worker
r = Redis.from_url(os.environ['REDIS_URL'])
Worker.find_by_key('rq:worker:crashed', connection=r).heartbeat(timeout=1)
time.sleep(1.5)`,
    );
    // A real worker on `reports` starts: RQ's registry cleanup removes the dead key from rq:workers and from
    // rq:workers:reports, but not from rq:workers:receipts_sync (the per-queue set of a queue it does not serve).
    await execa(RQ, ['worker', '--url', redis.url, '--burst', 'reports'], { cwd: '/tmp' });
    // BullMQ: a queue that had a job (its meta key stays) and has no worker.
    const emails = new Queue('emails', { connection: { host: '127.0.0.1', port: redis.port } });
    closers.push(() => emails.close());
    await emails.add('welcome', {});
    await emails.drain();
  });

  afterAll(async () => {
    for (const close of closers) await close();
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await redis?.stop();
  });

  it('the precondition is real: the dead key is only in a per-queue set', async () => {
    const out = await python(
      redis.url,
      `import os
from redis import Redis
r = Redis.from_url(os.environ['REDIS_URL'])
print(r.sismember('rq:workers', 'rq:worker:crashed'), r.sismember('rq:workers:receipts_sync', 'rq:worker:crashed'), r.exists('rq:worker:crashed'))`,
    );
    expect(out.trim()).toBe('False True 0');
  });

  it('`live` alone flags the empty, unconsumed `default` as a warning; an empty queue with a worker is fine', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', redis.url]);
    expect(stderr).toBe('');
    // A warning stays below the default --fail-on error …
    expect(exitCode).toBe(0);
    const known = findingsOf(report, 'live-known-queue-without-worker');
    expect(known.map((finding) => [finding.queue, finding.severity]).sort()).toEqual([
      ['default', 'warning'],
      ['emails', 'warning'],
      ['receipts_sync', 'warning'],
    ]);
    expect(known.find((finding) => finding.queue === 'default')!.message).toContain('RQ `rq:queues`');
    expect(known.find((finding) => finding.queue === 'emails')!.message).toContain('BullMQ `bull:emails:meta`');
    // … and the on-call engineer can gate on it.
    const strict = await runJson(['live', '--redis', redis.url, '--fail-on', 'warning']);
    expect(strict.exitCode).toBe(1);
  });

  it('an expected known queue is still the error (live-queue-without-worker), not the warning', async () => {
    const { findings } = await runLive(liveOptions(redis.url, { expectedQueues: ['default'] }));
    expect(findings.filter((finding) => finding.queue === 'default').map((finding) => `${finding.rule}:${finding.severity}`)).toEqual([
      'live-queue-without-worker:error',
    ]);
  });

  it('a dead worker only `rq:workers:<queue>` still lists is a stale worker, with the queue it was listed for', async () => {
    const { section, findings } = await runLive(liveOptions(redis.url));
    const crashed = section.workers.find((worker) => worker.name === 'crashed');
    expect(crashed).toMatchObject({ alive: false, queues: ['receipts_sync'] });
    const stale = findingsOf({ findings } as never, 'stale-worker');
    expect(stale.map((finding) => finding.worker)).toEqual(['crashed']);
    expect(stale[0]!.message).toContain('still listed in rq:workers:receipts_sync');
    expect(stale[0]!.queue).toBe('receipts_sync');
  });

  it('round trips stay the same with 5 or 200 dead per-queue registrations', async () => {
    const seed = (db: number, count: number) =>
      python(
        `${redis.url}/${db}`,
        `import os
from redis import Redis
from rq import Queue, Worker
from rq.worker_registration import clean_worker_registry
r = Redis.from_url(os.environ['REDIS_URL'])
shared = Queue('shared', connection=r)
for i in range(${count}):
    w = Worker([Queue('q%d' % (i % 7), connection=r), shared], connection=r, name='gone-%d' % i)
    w.register_birth()
    r.delete(w.key)
    Queue('q%d' % (i % 7), connection=r).enqueue('os.getcwd')
Worker([shared], connection=r, name='alive').register_birth()
clean_worker_registry(shared)`,
      );
    await seed(3, 5);
    await seed(4, 200);
    const few = await runLive(liveOptions(`${redis.url}/3`));
    const many = await runLive(liveOptions(`${redis.url}/4`));
    expect(few.section.workers.filter((worker) => !worker.alive)).toHaveLength(5);
    expect(many.section.workers.filter((worker) => !worker.alive)).toHaveLength(200);
    expect(many.findings.filter((finding) => finding.rule === 'stale-worker')).toHaveLength(200);
    expect(many.section.roundTrips).toBe(few.section.roundTrips);
  });
});
