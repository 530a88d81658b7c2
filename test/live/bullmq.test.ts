import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptions } from '../helpers/live.js';
import { Queue, Worker, type Job } from 'bullmq';
import { runLive } from '../../src/live/index.js';
import { execa } from 'execa';
import { BIN, runJson } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { Redis } from 'ioredis';
import { BullKeys, type BullQueueKey } from '../../src/frameworks/bullmq/live-keys.js';
import { bullWorkerClients } from '../../src/live/client-list.js';


describe('live stage against real BullMQ queues and workers', () => {
  let redis: RedisServer;
  const closers: (() => Promise<unknown>)[] = [];
  const connection = () => ({ host: '127.0.0.1', port: redis.port });

  beforeAll(async () => {
    redis = await startRedis();
    const mail = new Queue('mail', { connection: connection() });
    const orphan = new Queue('orphan', { connection: connection() });
    const custom = new Queue('billing', { connection: connection(), prefix: 'acme' });
    closers.push(() => mail.close(), () => orphan.close(), () => custom.close());
    await orphan.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
    await custom.add('invoice', {});
    let failedOnce: () => void;
    const failed = new Promise<void>((resolve) => (failedOnce = resolve));
    // Either worker may take the bad job: both fail it the same way, so the failed set is filled either way.
    const processMail = async (job: Job) => {
      if (job.name === 'bad') throw new Error('SMTP refused the message');
      return 'sent';
    };
    const mailer = new Worker('mail', processMail, { connection: connection(), name: 'mailer' });
    const anonymous = new Worker('mail', processMail, { connection: connection() });
    mailer.on('failed', () => failedOnce());
    anonymous.on('failed', () => failedOnce());
    closers.push(() => mailer.close(), () => anonymous.close());
    await Promise.all([mailer.waitUntilReady(), anonymous.waitUntilReady()]);
    await mail.add('bad', {}, { attempts: 1 });
    await failed;
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await redis?.stop();
  });

  it('finds queues by their meta keys and workers by their CLIENT LIST names', async () => {
    const { section, findings } = await runLive(liveOptions(redis.url));
    expect(section.backend).toBe('bullmq');
    const mailWorkers = section.workers.filter((worker) => worker.queues.includes('mail'));
    expect(mailWorkers).toHaveLength(2);
    expect(mailWorkers.map((worker) => worker.name)).toContain('mailer');
    expect(mailWorkers.every((worker) => worker.alive && worker.backend === 'bullmq')).toBe(true);
    const queue = (name: string) => section.queues.find((q) => q.name === name)!;
    expect(queue('orphan')).toMatchObject({ waiting: 2, consumers: [] });
    expect(queue('orphan').oldestWaitingAgeMs).toBeGreaterThanOrEqual(0);
    expect(queue('mail').consumers).toContain('mailer');
    expect(queue('mail').failed).toBe(1);
    // Another prefix is another namespace.
    expect(section.queues.some((q) => q.name === 'billing')).toBe(false);

    expect(findings.filter((f) => f.rule === 'live-queue-without-worker').map((f) => f.queue)).toEqual(['orphan']);
    const failed = findings.find((f) => f.rule === 'failed-jobs');
    expect(failed).toMatchObject({ queue: 'mail' });
    expect(failed!.message).toContain('SMTP refused the message');
    expect(findings.some((f) => f.rule === 'live-client-list-denied')).toBe(false);
  });

  it("spells keys and worker connection names exactly as BullMQ's QueueKeys and Worker do", async () => {
    const queue = new Queue('mail', { connection: connection(), prefix: 'layout' });
    closers.push(() => queue.close());
    const keys = new BullKeys('layout');
    const types: BullQueueKey[] = ['wait', 'paused', 'active', 'prioritized', 'delayed', 'failed', 'completed', 'meta', 'stalled-check'];
    for (const type of types) expect(keys.key('mail', type)).toBe(queue.keys[type]);
    expect(keys.job('mail', '42')).toBe(queue.toKey('42'));

    const client = new Redis(redis.url);
    try {
      const list = String(await client.client('LIST'));
      const defaults = new BullKeys();
      expect(list).toContain(`name=${defaults.workerClientName('mail', 'mailer')} `);
      const workers = bullWorkerClients(list, defaults).map(({ queue, worker, waiting }) => [queue, worker ?? '(unnamed)', waiting]);
      // Both wait for jobs on their blocking connection (flag b), after the queue's only jobs were processed.
      expect(workers.sort()).toEqual([
        ['mail', '(unnamed)', true],
        ['mail', 'mailer', true],
      ]);
    } finally {
      client.disconnect();
    }
  });

  it('reads another key prefix with --prefix and an explicit --backend', async () => {
    const { exitCode, report } = await runJson(['live', '--redis', redis.url, '--backend', 'bullmq', '--prefix', 'acme', '--queue', 'billing']);
    expect(exitCode).toBe(1);
    expect(report!.live!.backend).toBe('bullmq');
    expect(report!.live!.queues.map((q) => [q.name, q.waiting])).toEqual([['billing', 1]]);
    expect(report!.findings.map((f) => [f.rule, f.queue])).toEqual([['live-queue-without-worker', 'billing']]);
  });

  it('does not look at BullMQ keys with --backend rq', async () => {
    const { section } = await runLive(liveOptions(redis.url, { backend: 'rq' }));
    expect(section.backend).toBe('rq');
    expect(section.workers).toEqual([]);
    expect(section.queues).toEqual([]);
  });

  it('--watch refreshes until SIGINT and exits with the exit code of the last refresh', async () => {
    const child = execa(process.execPath, [BIN, 'live', '--redis', redis.url, '--watch', '0.2', '--quiet'], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 30_000;
    while ((output.match(/FAIL/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    const result = await child;
    expect((output.match(/FAIL/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('');
  });
});
