import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptions } from '../helpers/live.js';
import { Redis } from 'ioredis';
import { runLive } from '../../src/live/index.js';
import { runJson } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { eventually } from '../helpers/poll.js';
import { enqueue, python, startRqWorker, type RqWorker } from '../helpers/rq.js';


/** Registers `count` RQ workers the way RQ does (register_birth), without running them. */
const registerWorkers = (url: string, count: number, prefix: string) =>
  python(
    url,
    `import os
from redis import Redis
from rq import Queue, Worker
r = Redis.from_url(os.environ['REDIS_URL'])
for i in range(${count}):
    w = Worker([Queue('q%d' % (i % 7), connection=r), Queue('shared', connection=r)], connection=r, name='${prefix}-%d' % i)
    w.register_birth()
    w.heartbeat()
for i in range(7):
    Queue('q%d' % i, connection=r).enqueue('os.getcwd')`,
  );

describe('live stage against real RQ 1.13 workers', () => {
  let redis: RedisServer;
  const workers: RqWorker[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const url = redis.url;
    workers.push(
      ...(await Promise.all([
        startRqWorker({ redisUrl: url, name: 'alive-1', queues: ['high', 'default'] }),
        startRqWorker({ redisUrl: url, name: 'wrong-queues', queues: ['low'] }),
        startRqWorker({ redisUrl: url, name: 'killed-expired', queues: ['receipts_sync'] }),
        startRqWorker({ redisUrl: url, name: 'killed-overdue', queues: ['mail'] }),
        startRqWorker({ redisUrl: url, name: 'slowpoke', queues: ['slow'] }),
        startRqWorker({ redisUrl: url, queues: ['high', 'reports'], via: 'module' }),
      ])),
    );
    // A dead worker keeps its registration: SIGKILL skips register_death.
    await workers.find((w) => w.name === 'killed-expired')!.stop('SIGKILL');
    await workers.find((w) => w.name === 'killed-overdue')!.stop('SIGKILL');
    // Age them with RQ's own heartbeat API: one whose key expires (hash gone, still in rq:workers), one overdue.
    await python(
      url,
      `import os, time
from redis import Redis
from rq import Worker
r = Redis.from_url(os.environ['REDIS_URL'])
Worker.find_by_key('rq:worker:killed-expired', connection=r).heartbeat(timeout=1)
Worker.find_by_key('rq:worker:killed-overdue', connection=r).heartbeat(timeout=20)
time.sleep(1.5)`,
    );
    await enqueue(url, 'receipts_sync', 'os.getcwd', [], 3);
    await enqueue(url, 'default', 'json.loads', ['{not json']);
    await enqueue(url, 'slow', 'time.sleep', [40]);
    await enqueue(url, 'slow', 'os.getcwd', [], 2);
    const client = new Redis(url);
    await eventually(async () => ((await client.zcard('rq:failed:default')) > 0 ? true : undefined), { what: 'the failing job to fail' });
    await eventually(async () => ((await client.hget('rq:worker:slowpoke', 'current_job')) ? true : undefined), { what: 'slowpoke to pick up the long job' });
    client.disconnect();
  });

  afterAll(async () => {
    // RQ's work horse runs in its own session: ask the worker to kill it, or the 40 s job outlives the test.
    if (redis) {
      await python(
        redis.url,
        `import os, time
from redis import Redis
from rq.command import send_kill_horse_command
r = Redis.from_url(os.environ['REDIS_URL'])
send_kill_horse_command(r, 'slowpoke')
for _ in range(50):
    if not r.hget('rq:worker:slowpoke', 'current_job'):
        break
    time.sleep(0.1)`,
      ).catch(() => undefined);
    }
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await redis?.stop();
  });

  it('lists alive and stale workers with the queues each listens to', async () => {
    const { section, findings } = await runLive(liveOptions(redis.url, { expectedQueues: ['notifications'] }));
    expect(section.backend).toBe('rq');
    const byName = new Map(section.workers.map((worker) => [worker.name, worker]));
    expect(byName.get('alive-1')).toMatchObject({ alive: true, queues: ['high', 'default'], backend: 'rq' });
    expect(byName.get('alive-1')!.pid).toBeGreaterThan(0);
    expect(byName.get('alive-1')!.heartbeatAgeMs).toBeGreaterThanOrEqual(0);
    expect(byName.get('wrong-queues')).toMatchObject({ alive: true, queues: ['low'] });
    expect(byName.get('killed-expired')).toMatchObject({ alive: false });
    expect(byName.get('killed-overdue')).toMatchObject({ alive: false, queues: ['mail'] });
    expect(byName.get('slowpoke')).toMatchObject({ alive: true, state: 'busy' });
    expect(byName.get('slowpoke')!.currentJob).toBeTruthy();
    const prosaas = section.workers.find((worker) => worker.queues.join(',') === 'high,reports');
    expect(prosaas?.alive).toBe(true);

    const stale = findings.filter((finding) => finding.rule === 'stale-worker').map((finding) => finding.worker).sort();
    expect(stale).toEqual(['killed-expired', 'killed-overdue']);
    expect(section.roundTrips).toBeGreaterThan(0);
  });

  it('reports queues with jobs and no live worker, and expected queues without one', async () => {
    const { section, findings } = await runLive(liveOptions(redis.url, { expectedQueues: ['notifications', 'high'] }));
    const queue = (name: string) => section.queues.find((q) => q.name === name);
    expect(queue('receipts_sync')).toMatchObject({ waiting: 3, consumers: [] });
    expect(queue('receipts_sync')!.oldestWaitingAgeMs).toBeGreaterThanOrEqual(0);
    expect(queue('high')!.consumers).toContain('alive-1');
    expect(queue('mail')!.consumers).toEqual([]);
    const orphaned = findings.filter((finding) => finding.rule === 'live-queue-without-worker').map((finding) => finding.queue);
    expect(orphaned.sort()).toEqual(['notifications', 'receipts_sync']);
    expect(findings.find((finding) => finding.rule === 'live-queue-without-worker' && finding.queue === 'receipts_sync')!.severity).toBe('error');
    // The expired worker's hash is gone, but rq:workers:receipts_sync still says which queue it served.
    expect(section.workers.find((worker) => worker.name === 'killed-expired')).toMatchObject({ alive: false, queues: ['receipts_sync'] });
  });

  it('reports failed jobs with the newest error line, and stuck jobs behind a busy worker', async () => {
    const { section, findings } = await runLive(liveOptions(redis.url, { stuckAfterSeconds: 0 }));
    expect(section.queues.find((q) => q.name === 'default')!.failed).toBe(1);
    const failed = findings.find((finding) => finding.rule === 'failed-jobs');
    expect(failed).toMatchObject({ queue: 'default', severity: 'warning' });
    expect(failed!.message).toMatch(/JSONDecodeError/);
    const stuck = findings.filter((finding) => finding.rule === 'stuck-jobs').map((finding) => finding.queue);
    expect(stuck).toEqual(['slow']);
    // A queue whose only listener is dead is not "stuck": it has no worker at all.
    expect(stuck).not.toContain('receipts_sync');
    const relaxed = await runLive(liveOptions(redis.url, { stuckAfterSeconds: 3600 }));
    expect(relaxed.findings.some((finding) => finding.rule === 'stuck-jobs')).toBe(false);
  });

  it('runs as a CLI with a JSON live section and exit 1 on errors', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', redis.url, '--queue', 'notifications']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(report!.live!.workers.length).toBeGreaterThanOrEqual(6);
    expect(report!.findings.map((finding) => finding.rule)).toContain('live-queue-without-worker');
    expect(report!.findings.every((finding) => finding.stage === 'live')).toBe(true);
  });

  it('needs the same number of round trips for 5 and for 200 workers', async () => {
    const small = `${redis.url}/1`;
    const large = `${redis.url}/2`;
    await registerWorkers(small, 5, 'few');
    await registerWorkers(large, 200, 'many');
    const few = await runLive(liveOptions(small, { expectedQueues: ['q1', 'other'] }));
    const many = await runLive(liveOptions(large, { expectedQueues: ['q1', 'other'] }));
    expect(few.section.workers).toHaveLength(5);
    expect(many.section.workers).toHaveLength(200);
    expect(many.section.workers.every((worker) => worker.alive)).toBe(true);
    expect(many.section.queues.find((q) => q.name === 'shared')!.consumers).toHaveLength(200);
    expect(many.section.roundTrips).toBe(few.section.roundTrips);
  });
});
