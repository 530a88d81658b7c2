import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runLive } from '../../src/live/index.js';
import type { Finding } from '../../src/types.js';
import { runCli, runJson } from '../helpers/cli.js';
import { liveOptions } from '../helpers/live.js';
import { eventually } from '../helpers/poll.js';
import { flushRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { ruby, startSidekiq, type SidekiqProcess } from '../helpers/sidekiq.js';

const byRule = (findings: Finding[], rule: string) => findings.filter((finding) => finding.rule === rule);

/** A private redis-server for a describe block, an admin connection to seed and look, and the processes to kill afterwards. */
function privateRedis() {
  const scene = { redis: undefined as unknown as RedisServer, admin: undefined as unknown as Redis, processes: [] as SidekiqProcess[] };
  beforeAll(async () => {
    scene.redis = await startRedis();
    scene.admin = new Redis(scene.redis.url);
  });
  afterAll(async () => {
    for (const process of scene.processes) await process.stop('SIGKILL');
    scene.admin?.disconnect();
    await scene.redis?.stop();
  });
  return scene;
}

describe('live stage against real Sidekiq 6.4 processes (root keyspace)', () => {
  const scene = privateRedis();

  beforeAll(async () => {
    // The mailers trap: the only process consumes `default` (config/sidekiq.yml listing `default` alone).
    scene.processes.push(await startSidekiq(scene.redis.url, ['-q', 'default']));
    // A Sidekiq job is consumed; a mail sent with deliver_later waits in `mailers` forever.
    await ruby(scene.redis.url, 'HardJob.perform_async(0); ReceiptMailer.receipt("ada@example.com").deliver_later');
    await eventually(async () => ((await scene.admin.llen('queue:default')) === 0 && (await scene.admin.get('stat:processed')) !== '0' ? true : undefined), {
      what: 'the default process to run HardJob',
    });
  });

  it('reads the process (info, beat, busy) and the queues, and reports the mail nobody consumes', async () => {
    const [process] = scene.processes;
    const result = await runLive(liveOptions(scene.redis.url));
    expect(result.section.backend).toBe('sidekiq');
    expect(result.section.workers).toEqual([
      expect.objectContaining({
        name: process!.identity,
        backend: 'sidekiq',
        queues: ['default'],
        alive: true,
        state: 'idle',
        pid: process!.process.pid,
        concurrency: 2,
        busy: 0,
      }),
    ]);
    expect(result.section.workers[0]!.heartbeatAgeMs).toBeLessThan(60_000);
    const mailers = result.section.queues.find((queue) => queue.name === 'mailers');
    expect(mailers).toMatchObject({ backend: 'sidekiq', waiting: 1, consumers: [] });
    expect(mailers!.oldestWaitingAgeMs).toBeGreaterThanOrEqual(0);
    expect(result.section.queues.find((queue) => queue.name === 'default')).toMatchObject({ waiting: 0, consumers: [process!.identity] });
    const [missing] = byRule(result.findings, 'live-queue-without-worker');
    expect(missing).toMatchObject({ queue: 'mailers' });
    expect(missing!.message).toMatch(/^Queue `mailers` has 1 waiting job \(oldest .+\) but no live worker listens to it\.$/);
    expect(missing!.hint).toBe(
      'Start a Sidekiq process that consumes `mailers` (`bundle exec sidekiq -q mailers`, or add it to `:queues:` in config/sidekiq.yml and restart it).',
    );
    expect(byRule(result.findings, 'live-queue-without-worker')).toHaveLength(1);
    expect(byRule(result.findings, 'stale-worker')).toEqual([]);
    expect(result.section.sidekiq).toEqual({ retry: 0, scheduled: 0, dead: 0 });
  });

  it('the CLI exits 1 on the mailers trap with --backend sidekiq, and an expected queue without a process is an error even while empty', async () => {
    const { exitCode, report } = await runJson(['live', '--redis', scene.redis.url, '--backend', 'sidekiq', '--queue', 'reports']);
    expect(exitCode).toBe(1);
    expect(report!.live!.backend).toBe('sidekiq');
    const queues = byRule(report!.findings, 'live-queue-without-worker').map((finding) => finding.queue);
    expect(queues.sort()).toEqual(['mailers', 'reports']);
  });

  it('a known queue nobody consumes is named from Sidekiq’s `queues` set', async () => {
    // A process drained `exports` and was stopped cleanly (TERM removes it from `processes`): the name stays in `queues`.
    const exporter = await startSidekiq(scene.redis.url, ['-q', 'exports']);
    await ruby(scene.redis.url, 'Sidekiq::Client.push("queue" => "exports", "class" => "HardJob", "args" => [0])');
    await eventually(async () => ((await scene.admin.llen('queue:exports')) === 0 ? true : undefined), { what: 'the exports process to take its job' });
    await exporter.stop();
    expect(await scene.admin.sismember('processes', exporter.identity)).toBe(0);
    const result = await runLive(liveOptions(scene.redis.url));
    const [known] = byRule(result.findings, 'live-known-queue-without-worker');
    expect(known).toMatchObject({ queue: 'exports' });
    expect(known!.message).toBe(
      'Queue `exports` exists in Redis (Sidekiq `queues`) but no live worker listens to it; it is empty now, so anything enqueued to it will wait.',
    );
  });

  it('weighted queues (-q name,weight) are read as the queue names, once each', async () => {
    const weighted = await startSidekiq(scene.redis.url, ['-q', 'critical,3', '-q', 'low,1']);
    scene.processes.push(weighted);
    const result = await runLive(liveOptions(scene.redis.url));
    expect(result.section.workers.find((worker) => worker.name === weighted.identity)!.queues).toEqual(['critical', 'low']);
    expect(result.section.queues.find((queue) => queue.name === 'critical')!.consumers).toEqual([weighted.identity]);
  });
});

describe('Sidekiq processes that consume nothing', () => {
  const scene = privateRedis();

  it('a quiet process (TSTP) is not a consumer: stale-worker says it is quiet, its queue has no live worker', async () => {
    await flushRedis(scene.redis);
    const quiet = await startSidekiq(scene.redis.url, ['-q', 'default']);
    scene.processes.push(quiet);
    quiet.process.kill('SIGTSTP');
    await eventually(async () => ((await scene.admin.hget(quiet.identity, 'quiet')) === 'true' ? true : undefined), { what: 'the process to beat as quiet' });
    await ruby(scene.redis.url, 'HardJob.perform_async(0)');
    const result = await runLive(liveOptions(scene.redis.url));
    expect(result.section.workers).toEqual([expect.objectContaining({ name: quiet.identity, alive: false, state: 'quiet', queues: ['default'] })]);
    const [stale] = byRule(result.findings, 'stale-worker');
    expect(stale!.message).toBe(
      `Worker \`${quiet.identity}\` (${result.section.workers[0]!.hostname}, pid ${quiet.process.pid}) is registered but not alive: it is quiet (its \`quiet\` field is true: a TSTP signal or the Web UI's Quiet button) and fetches no new job until it is restarted.`,
    );
    const [missing] = byRule(result.findings, 'live-queue-without-worker');
    expect(missing).toMatchObject({ queue: 'default' });
    expect(missing!.related).toContainEqual({ message: `Quiet worker \`${quiet.identity}\` listened to \`default\`; it does not count.` });
    await quiet.stop('SIGKILL');
  });

  it('a killed process stays alive until its hash expires (60 s after its last beat), then it is stale', async () => {
    await flushRedis(scene.redis);
    const killed = await startSidekiq(scene.redis.url, ['-q', 'default']);
    scene.processes.push(killed);
    await killed.stop('SIGKILL');
    // Within its 60 s Sidekiq itself still lists it (ProcessSet#each) and so does the doctor.
    const before = await runLive(liveOptions(scene.redis.url, { expectedQueues: ['default'] }));
    expect(before.section.workers).toEqual([expect.objectContaining({ name: killed.identity, alive: true })]);
    expect(byRule(before.findings, 'live-queue-without-worker')).toEqual([]);
    // The test moves time on: the hash expires as it would 60 s after the last beat; `processes` still lists it.
    await scene.admin.pexpire(killed.identity, 1);
    await eventually(async () => ((await scene.admin.exists(killed.identity)) === 0 ? true : undefined), { what: 'the hash to expire' });
    const after = await runLive(liveOptions(scene.redis.url, { expectedQueues: ['default'] }));
    expect(after.section.workers).toEqual([expect.objectContaining({ name: killed.identity, alive: false, state: 'expired' })]);
    const [stale] = byRule(after.findings, 'stale-worker');
    expect(stale!.message).toBe(
      `Worker \`${killed.identity}\` is registered but not alive: its process hash has expired (every heartbeat renews it for 60 s) but it is still listed in Sidekiq's \`processes\` set: it stopped without a clean shutdown.`,
    );
    expect(byRule(after.findings, 'live-queue-without-worker').map((finding) => finding.queue)).toEqual(['default']);
  });

  it('a process hash without an expiry is judged by its beat: over 60 s old is stale', async () => {
    await flushRedis(scene.redis);
    const process = await startSidekiq(scene.redis.url, ['-q', 'default']);
    scene.processes.push(process);
    await process.stop('SIGKILL');
    await scene.admin.persist(process.identity);
    await scene.admin.hset(process.identity, 'beat', String(Date.now() / 1000 - 125));
    const result = await runLive(liveOptions(scene.redis.url));
    expect(result.section.workers[0]).toMatchObject({ alive: false });
    expect(byRule(result.findings, 'stale-worker')[0]!.message).toMatch(/its last beat is 2m\d*s? old, beyond Sidekiq's 60s\.$/);
  });

  it('a job that fails without retries reaches the dead set: failed-jobs names it with its error', async () => {
    await flushRedis(scene.redis);
    const process = await startSidekiq(scene.redis.url, ['-q', 'default']);
    scene.processes.push(process);
    await ruby(scene.redis.url, 'BrokenJob.perform_async');
    await eventually(async () => ((await scene.admin.zcard('dead')) === 1 ? true : undefined), { what: 'BrokenJob to die' });
    const result = await runLive(liveOptions(scene.redis.url));
    expect(result.section.sidekiq).toEqual({ retry: 0, scheduled: 0, dead: 1, newestFailure: 'ArgumentError: receipt total is negative (queue `default`)' });
    const [failed] = byRule(result.findings, 'failed-jobs');
    expect(failed!.message).toBe(
      'Sidekiq holds 0 failed jobs waiting to retry and 1 dead job; the newest dead job failed with: ArgumentError: receipt total is negative (queue `default`).',
    );
    const metrics = await runCli(['live', '--redis', scene.redis.url, '--format', 'openmetrics']);
    expect(metrics.stdout.split('\n').filter((line) => line.startsWith('receipts_doctor_sidekiq_jobs'))).toEqual([
      'receipts_doctor_sidekiq_jobs{set="retry"} 0',
      'receipts_doctor_sidekiq_jobs{set="scheduled"} 0',
      'receipts_doctor_sidekiq_jobs{set="dead"} 1',
    ]);
    await process.stop();
  });
});

describe('Sidekiq under a redis-namespace, next to RQ, and on an empty Redis', () => {
  const scene = privateRedis();

  /**
   * redis-namespace (lib/redis/namespace.rb's COMMANDS table: "GET key => GET namespace:key") is not packaged in Debian: a real
   * process's and producer's keys are written, the process killed, and every key renamed under `shop:` as the gem writes
   * them (RENAME keeps the hash's expiry: the process is still within its 60 s).
   */
  async function namespaced(namespace: string): Promise<SidekiqProcess> {
    const process = await startSidekiq(scene.redis.url, ['-q', 'default']);
    await ruby(scene.redis.url, 'ReceiptMailer.receipt("ada@example.com").deliver_later');
    await process.stop('SIGKILL');
    for (const key of await scene.admin.keys('*')) if (!key.startsWith(`${namespace}:`) && !key.startsWith('rq:')) await scene.admin.rename(key, `${namespace}:${key}`);
    return process;
  }

  it('discovers the namespace read-only and reads it like the root keyspace; --prefix reads that namespace only', async () => {
    await flushRedis(scene.redis);
    const process = await namespaced('shop');
    // RQ's `rq:queues` set is no Sidekiq namespace: its members are `rq:queue:<name>` keys.
    await scene.admin.sadd('rq:queues', 'rq:queue:default');
    const result = await runLive(liveOptions(scene.redis.url));
    expect(result.section.backends).toEqual(['rq', 'sidekiq']);
    expect(result.section.workers).toEqual([expect.objectContaining({ name: process.identity, alive: true, queues: ['default'], prefix: 'shop' })]);
    expect(result.section.queues.filter((queue) => queue.backend === 'sidekiq').map((queue) => [queue.name, queue.prefix, queue.waiting, queue.consumers])).toEqual([
      ['default', 'shop', 0, [process.identity]],
      ['mailers', 'shop', 1, []],
    ]);
    const [missing] = byRule(result.findings, 'live-queue-without-worker');
    expect(missing!.message).toMatch(/^Queue `mailers` \(Sidekiq namespace `shop`\) has 1 waiting job/);
    const only = await runLive(liveOptions(scene.redis.url, { backend: 'sidekiq', prefix: 'shop' }));
    expect(only.section.queues.map((queue) => queue.name)).toEqual(['default', 'mailers']);
    const elsewhere = await runLive(liveOptions(scene.redis.url, { backend: 'sidekiq', prefix: 'other' }));
    expect(elsewhere.section.workers).toEqual([]);
    expect(byRule(elsewhere.findings, 'live-nothing-found')).toHaveLength(1);
  });

  it('a namespaced Sidekiq in database 2, read at database 0: live-nothing-found names database 2 and its `shop:` keys', async () => {
    await flushRedis(scene.redis);
    await namespaced('shop');
    for (const key of await scene.admin.keys('*')) await scene.admin.move(key, 2);
    const result = await runLive(liveOptions(scene.redis.url));
    const [nothing] = byRule(result.findings, 'live-nothing-found');
    expect(nothing!.message).toMatch(/database 2 holds \d+ keys, some like `shop:` \(Sidekiq\)/);
    expect(nothing!.hint).toContain('Point --redis at database 2');
  });

  /** `count` processes beating as launcher.rb writes them, their queues with a job each, and `count` unrelated `user:<n>:queues` sets. */
  async function seed(count: number): Promise<void> {
    const pipeline = scene.admin.pipeline();
    for (let index = 0; index < count; index += 1) {
      const identity = `web-${index}:${1000 + index}:0a1b2c3d4e5f`;
      const info = { hostname: `web-${index}`, started_at: Date.now() / 1000, pid: 1000 + index, tag: 'shop', concurrency: 5, queues: [`q${index % 7}`, 'default'], labels: [], identity };
      pipeline.sadd('processes', identity);
      pipeline.hset(identity, 'info', JSON.stringify(info), 'busy', '0', 'beat', String(Date.now() / 1000), 'quiet', 'false', 'rss', '30000', 'rtt_us', '200');
      pipeline.expire(identity, 60);
      pipeline.sadd('queues', `q${index}`);
      pipeline.lpush(`queue:q${index}`, JSON.stringify({ class: 'HardJob', args: [0], queue: `q${index}`, jid: `j${index}`, enqueued_at: Date.now() / 1000 }));
      pipeline.sadd(`user:${index}:queues`, 'inbox');
    }
    pipeline.set('stat:processed', '0');
    await pipeline.exec();
  }

  it('round trips do not grow with the processes, the queues or unrelated `x:queues` sets', async () => {
    await flushRedis(scene.redis);
    await seed(5);
    const few = await runLive(liveOptions(scene.redis.url, { backend: 'sidekiq', prefix: undefined }));
    await flushRedis(scene.redis);
    await seed(400);
    const many = await runLive(liveOptions(scene.redis.url, { backend: 'sidekiq', prefix: undefined }));
    expect(few.section.workers).toHaveLength(5);
    expect(many.section.workers).toHaveLength(400);
    expect(many.section.queues.filter((queue) => queue.waiting === 1)).toHaveLength(400);
    expect(many.section.queues.every((queue) => queue.prefix === undefined)).toBe(true);
    expect(many.section.roundTrips).toBe(few.section.roundTrips);
  });

  it('hostile process hashes and jobs (timestamps past any date, JSON that is not an object, control characters) give rows, never a crash', async () => {
    await flushRedis(scene.redis);
    await scene.admin.sadd('processes', 'evil:1:aa', 'evil:2:bb');
    await scene.admin.hset('evil:1:aa', 'info', JSON.stringify({ hostname: 'h\u001b[31m', pid: 1, started_at: 1e300, queues: ['default', 7, 'default'] }), 'beat', '1e300', 'busy', 'x', 'quiet', 'false');
    await scene.admin.hset('evil:2:bb', 'info', '[1,2', 'beat', '-5');
    await scene.admin.sadd('queues', 'default');
    await scene.admin.lpush('queue:default', JSON.stringify({ enqueued_at: 1e300 }), '{"enqueued_at":', 'null');
    const { exitCode, report, stderr } = await runJson(['live', '--redis', scene.redis.url, '--backend', 'sidekiq']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    const evil = report!.live!.workers.find((worker) => worker.name === 'evil:1:aa')!;
    expect(evil).toMatchObject({ queues: ['default'], alive: false, hostname: 'h\\x1b[31m' });
    expect(evil.lastHeartbeat).toBeUndefined();
    expect(report!.live!.workers.find((worker) => worker.name === 'evil:2:bb')).toMatchObject({ alive: false, state: 'expired' });
    expect(report!.live!.queues).toEqual([expect.objectContaining({ name: 'default', waiting: 3, consumers: [] })]);
    expect(report!.live!.queues[0]!.oldestWaitingAgeMs).toBeUndefined();
  });

  it('--backend sidekiq on an empty Redis: live-nothing-found names Sidekiq, never OK', async () => {
    await flushRedis(scene.redis);
    const { exitCode, report } = await runJson(['live', '--redis', scene.redis.url, '--backend', 'sidekiq']);
    expect(exitCode).toBe(0);
    const [nothing] = byRule(report!.findings, 'live-nothing-found');
    expect(nothing!.severity).toBe('warning');
    expect(nothing!.message).toMatch(/, holds no key of Sidekiq, so there was nothing to judge: /);
    expect(report!.live!.workers).toEqual([]);
  });

  it('the reader runs under a Redis user with read commands only', async () => {
    await flushRedis(scene.redis);
    await namespaced('shop');
    await scene.admin.call('ACL', 'SETUSER', 'doctor', 'on', '>s3cret-pw', '~*', 'resetchannels', '-@all', '+@read', '+ping', '+hello', '+info', '+select', '+client|setname');
    await scene.admin.call('ACL', 'LOG', 'RESET');
    const url = `redis://doctor:s3cret-pw@127.0.0.1:${scene.redis.port}`;
    const { exitCode, report } = await runJson(['live', '--redis', url, '--backend', 'sidekiq']);
    expect(exitCode).toBe(1);
    expect(report!.live!.queues.map((queue) => queue.name)).toEqual(['default', 'mailers']);
    expect(await scene.admin.call('ACL', 'LOG')).toEqual([]);
    const table = await runCli(['live', '--redis', url]);
    expect(table.stdout).toContain('Live sidekiq at');
  });
});
