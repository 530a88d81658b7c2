/**
 * Nothing seen is never OK (issue 25): a database with no key of the queue systems read is `live-nothing-found`, a
 * warning naming where keys are instead — against a real Redis, read by the read-only user (ACL LOG stays empty).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyspace, queueLikePrefixes } from '../../src/live/nothing-found.js';
import { runCli, runJson } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { findingsOf } from '../helpers/report.js';
import { enqueue } from '../helpers/rq.js';
import { aclLog, addReadOnlyUser } from '../helpers/topology.js';

describe('live-nothing-found', () => {
  let redis: RedisServer;
  let empty: RedisServer;
  let admin: Redis;
  const asDoctor = (server: RedisServer, db = 0) => `redis://doctor:nf-pw-25@127.0.0.1:${server.port}/${db}`;

  beforeAll(async () => {
    [redis, empty] = await Promise.all([startRedis(), startRedis()]);
    admin = new Redis(redis.url);
    await addReadOnlyUser(admin, 'doctor', 'nf-pw-25');
    const emptyAdmin = new Redis(empty.url);
    await addReadOnlyUser(emptyAdmin, 'doctor', 'nf-pw-25');
    emptyAdmin.disconnect();
    // The project's RQ lives in database 3: two jobs waiting in `default`, as the API enqueues them.
    await enqueue(`${redis.url}/3`, 'default', 'os.getcwd', [], 2);
    await admin.call('ACL', 'LOG', 'RESET');
  }, 60_000);

  afterAll(async () => {
    admin?.disconnect();
    await Promise.all([redis?.stop(), empty?.stop()]);
  });

  it('RQ in database 3 read at database 0: a warning naming database 3 and its `rq:` keys, never an empty OK', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', asDoctor(redis, 0)]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const [found, ...others] = findingsOf(report, 'live-nothing-found');
    expect(others).toEqual([]);
    expect(found).toMatchObject({ severity: 'warning', stage: 'live' });
    expect(found!.message).toContain('database 0, holds no key of RQ, BullMQ, Celery or Sidekiq');
    expect(found!.message).toMatch(/database 3 holds \d+ keys, some like `rq:` \(RQ\)/);
    expect(found!.hint).toContain('Point --redis at database 3');
    expect(report!.summary).toEqual({ error: 0, warning: 1, info: 0 });
    expect(await aclLog(admin)).toEqual([]);
  });

  it('--fail-on warning fails on it; the table says so instead of a bare OK', async () => {
    const failing = await runCli(['live', '--redis', asDoctor(redis, 0), '--fail-on', 'warning']);
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toContain('live-nothing-found');
    expect(failing.stdout).toMatch(/FAIL 0 errors, 1 warning, 0 info \(live\)/);
  });

  it('read at database 3 the same Redis has its queue: no such warning', async () => {
    const { report } = await runJson(['live', '--redis', asDoctor(redis, 3)]);
    expect(findingsOf(report, 'live-nothing-found')).toEqual([]);
    expect(report!.live!.queues.map((queue) => [queue.name, queue.waiting])).toEqual([['default', 2]]);
  });

  it('--backend bullmq against the RQ database: no BullMQ key, and the keys there look like RQ\'s', async () => {
    const { exitCode, report } = await runJson(['live', '--redis', asDoctor(redis, 3), '--backend', 'bullmq']);
    expect(exitCode).toBe(0);
    const [found] = findingsOf(report, 'live-nothing-found');
    expect(found!.message).toContain('database 3, holds no key of BullMQ');
    expect(found!.message).toMatch(/it holds \d+ other keys, some like `rq:` \(RQ\)/);
    expect(found!.hint).toContain('look like `rq:` (RQ)');
    expect(await aclLog(admin)).toEqual([]);
  });

  it('an empty Redis: no database holds any key', async () => {
    const { exitCode, report } = await runJson(['live', '--redis', asDoctor(empty)]);
    expect(exitCode).toBe(0);
    const [found] = findingsOf(report, 'live-nothing-found');
    expect(found!.message).toBe(
      `Redis at redis://doctor:***@127.0.0.1:${empty.port}/0, database 0, holds no key of RQ, BullMQ, Celery or Sidekiq, so there was nothing to judge: no database of this Redis holds any key.`,
    );
  });

  it('reads where the keys are in the same round trips with 3,000 keys more in another database', async () => {
    const before = await runJson(['live', '--redis', asDoctor(redis, 0)]);
    const many = new Redis(`${redis.url}/5`);
    await many.mset(Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`session:${index}`, 'x'])));
    many.disconnect();
    const { report } = await runJson(['live', '--redis', asDoctor(redis, 0)]);
    const [found] = findingsOf(report, 'live-nothing-found');
    expect(found!.message).toContain('database 5 holds 3000 keys.');
    expect(found!.message).toMatch(/database 3 holds \d+ keys, some like `rq:` \(RQ\); database 5/);
    expect(report!.live!.roundTrips).toBe(before.report!.live!.roundTrips);
    expect(await aclLog(admin)).toEqual([]);
  });
});

describe('key shapes that look like a queue system\'s', () => {
  it('names prefixes by system, most frequent first, and ignores other keys', () => {
    expect(
      queueLikePrefixes(['rq:queue:a', 'rq:job:1', 'acme:emails:meta', 'acme:emails:wait', 'acme:sms:id', '_kombu.binding.celery', 'session:1', 'queue:default', 'queues']),
    ).toEqual(['`acme:` (BullMQ)', '`rq:` (RQ)', '`_kombu.binding.` (Celery)', '`queue:` (Sidekiq)', '`queues` (Sidekiq)']);
    expect(queueLikePrefixes(['{bull}:orders:meta'])).toEqual(['`{bull}:` (BullMQ)']);
    expect(queueLikePrefixes(['user:42', 'cache'])).toEqual([]);
  });

  it('reads INFO keyspace lines', () => {
    expect(parseKeyspace('# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\ndb12:keys=40,expires=1,avg_ttl=5\r\n')).toEqual([
      { db: 0, keys: 3 },
      { db: 12, keys: 40 },
    ]);
    expect(parseKeyspace('# Keyspace\r\n')).toEqual([]);
  });
});
