import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { runJson } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { enqueue, RQ, startRqWorker, type RqWorker } from '../helpers/rq.js';
import { execa } from 'execa';

const READ_ONLY = ['on', '>s3cret-pw', '~*', 'resetchannels', '-@all', '+@read', '+ping', '+hello', '+info', '+select', '+client|setname'];

/** DEBUG DIGEST of the whole dataset plus every key's value digest and absolute expiry: any write shows. */
async function fingerprint(admin: Redis): Promise<{ dataset: string; keys: Record<string, string> }> {
  const dataset = String(await admin.call('DEBUG', 'DIGEST'));
  const keys: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      const [digest, expireAt] = await Promise.all([admin.call('DEBUG', 'DIGEST-VALUE', key), admin.call('PEXPIRETIME', key)]);
      keys[key] = `${String(digest)}@${String(expireAt)}`;
    }
  } while (cursor !== '0');
  return { dataset, keys };
}

describe('live is strictly read-only (ACL user without write commands, dataset unchanged)', () => {
  let redis: RedisServer;
  let admin: Redis;
  let rqWorker: RqWorker;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await startRedis(['--enable-debug-command', 'yes']);
    admin = new Redis(redis.url);
    await admin.call('ACL', 'SETUSER', 'doctor', ...READ_ONLY);
    await admin.call('ACL', 'SETUSER', 'doctor-list', ...READ_ONLY, '+client|list');
    // RQ: a running worker, queued jobs, a failed job from a real burst worker.
    rqWorker = await startRqWorker({ redisUrl: redis.url, name: 'steady', queues: ['high', 'default'] });
    await enqueue(redis.url, 'reports', 'os.getcwd', [], 4);
    await enqueue(redis.url, 'broken', 'json.loads', ['{nope']);
    await execa(RQ, ['worker', '--url', redis.url, '--burst', '--name', 'burst-1', 'broken'], { cwd: '/tmp' });
    // BullMQ: a queue with waiting jobs and an idle worker (long stalledInterval: it does not write while we look).
    const connection = { host: '127.0.0.1', port: redis.port };
    const queue = new Queue('emails', { connection });
    const other = new Queue('exports', { connection });
    await other.add('x', {});
    const worker = new Worker('emails', async () => 'ok', { connection, name: 'emailer', stalledInterval: 300_000 });
    await worker.waitUntilReady();
    closers.push(() => worker.close(), () => queue.close(), () => other.close());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await admin.call('ACL', 'LOG', 'RESET');
  });

  afterAll(async () => {
    for (const close of closers) await close();
    await rqWorker?.stop('SIGKILL');
    admin?.disconnect();
    await redis?.stop();
  });

  it('succeeds as a +@read user with +client|list, writes nothing, and is never denied', async () => {
    const before = await fingerprint(admin);
    const url = `redis://doctor-list:s3cret-pw@127.0.0.1:${redis.port}`;
    const { exitCode, report, stderr, stdout } = await runJson(['live', '--redis', url, '--queue', 'notifications']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(stdout).not.toContain('s3cret-pw');
    expect(report!.live!.redis).toBe(`redis://doctor-list:***@127.0.0.1:${redis.port}`);
    expect(report!.live!.backend).toBe('both');
    expect(report!.live!.workers.find((w) => w.name === 'steady')).toMatchObject({ alive: true, backend: 'rq' });
    expect(report!.live!.workers.find((w) => w.name === 'emailer')).toMatchObject({ alive: true, backend: 'bullmq', queues: ['emails'] });
    const rules = report!.findings.map((f) => `${f.rule}:${f.queue ?? ''}`).sort();
    expect(rules).toEqual(
      expect.arrayContaining(['failed-jobs:broken', 'live-queue-without-worker:exports', 'live-queue-without-worker:notifications', 'live-queue-without-worker:reports']),
    );
    expect(await admin.call('ACL', 'LOG')).toEqual([]);
    expect(await fingerprint(admin)).toEqual(before);
  });

  it('falls back to stalled-check keys when CLIENT LIST is refused, and says so', async () => {
    const before = await fingerprint(admin);
    const url = `redis://doctor:s3cret-pw@127.0.0.1:${redis.port}`;
    const { exitCode, report, stderr } = await runJson(['live', '--redis', url]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(report!.findings.some((f) => f.rule === 'live-client-list-denied' && f.severity === 'info')).toBe(true);
    const emails = report!.live!.queues.find((q) => q.name === 'emails' && q.backend === 'bullmq')!;
    expect(emails.liveness).toBe('stalled-check');
    expect(report!.findings.some((f) => f.rule === 'live-queue-without-worker' && f.queue === 'emails')).toBe(false);
    expect(report!.findings.some((f) => f.rule === 'live-queue-without-worker' && f.queue === 'exports')).toBe(true);
    // The one refused command is the CLIENT LIST probe itself: no write was ever attempted.
    const log = (await admin.call('ACL', 'LOG')) as unknown[][];
    const objects = log.map((entry) => {
      const fields = entry as unknown[];
      return String(fields[fields.indexOf('object') + 1]);
    });
    expect(objects.length).toBeGreaterThan(0);
    expect(new Set(objects)).toEqual(new Set(['client|list']));
    expect(await fingerprint(admin)).toEqual(before);
  });
});
