/**
 * `--celery-inspect` against a broker that names thousands of remote-control namespaces (issue 26, item 7): it sent
 * 3,000 SADD/PUBLISH/SREM/DEL and 12,000 LRANGE for 3,000 pidbox bindings, one round trip per namespace before its
 * deadline even started. Now: past MAX_NAMESPACES nothing is broadcast (and the report says why); within it, one
 * pipeline sends every request and the whole wait fits the one deadline. A real redis-server; commands counted by
 * its own `INFO commandstats`.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NAMESPACES } from '../../src/frameworks/celery/live-inspect.js';
import { KOMBU_SEP } from '../../src/frameworks/celery/live-keys.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { expectRobust, runBounded } from './harness.js';

/** Calls per command since the last `CONFIG RESETSTAT`. */
async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const text = String(await admin.info('commandstats'));
  return Object.fromEntries([...text.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)].map((match) => [match[1]!, Number(match[2])]));
}

/** A worker's mailbox binding in namespace `ns`, as kombu writes it (`routing_key SEP pattern SEP queue`). */
async function bindMailboxes(admin: Redis, db: number, namespaces: number): Promise<void> {
  await admin.select(db);
  const pipeline = admin.pipeline();
  for (let index = 0; index < namespaces; index += 1) {
    pipeline.sadd(`_kombu.binding.ns${index}.pidbox`, ['', '', `w${index}@host.ns${index}.pidbox`].join(KOMBU_SEP));
  }
  await pipeline.exec();
  await admin.select(0);
}

describe('--celery-inspect is bounded by the namespaces a broker names', () => {
  let redis: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.port, '127.0.0.1', { lazyConnect: true });
    await admin.connect();
    await bindMailboxes(admin, 1, 3_000);
    await bindMailboxes(admin, 2, 3);
  });

  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it('3,000 namespaces: nothing is written, the broadcast says why, the workers stay unconfirmed', async () => {
    await admin.config('RESETSTAT');
    const run = await runBounded(['live', '--redis', `redis://127.0.0.1:${redis.port}/1`, '--backend', 'celery', '--celery-inspect', '1', '--format', 'json'], {
      timeoutMs: 20_000,
    });
    expectRobust(run, '3,000 namespaces');
    const calls = await commandCalls(admin);
    expect(calls).not.toHaveProperty('sadd');
    expect(calls).not.toHaveProperty('publish');
    expect(calls).not.toHaveProperty('lrange');
    const report = JSON.parse(run.stdout) as { live: { celery?: { broadcast?: { error?: string } }; workers: { name: string; alive: boolean; liveness?: string }[] } };
    expect(report.live.celery?.broadcast?.error).toBe(`the broker names 3000 remote-control namespaces (more than ${MAX_NAMESPACES}): nothing was broadcast`);
    expect(report.live.workers).toHaveLength(3_000);
    expect(report.live.workers.every((worker) => !worker.alive && worker.liveness === 'unconfirmed')).toBe(true);
  });

  it('3 namespaces that never answer: one SADD and PUBLISH each, all removed again, the wait within the one deadline', async () => {
    await admin.config('RESETSTAT');
    const run = await runBounded(['live', '--redis', `redis://127.0.0.1:${redis.port}/2`, '--backend', 'celery', '--celery-inspect', '1', '--format', 'json'], {
      timeoutMs: 20_000,
    });
    expectRobust(run, '3 namespaces');
    const calls = await commandCalls(admin);
    expect(calls['sadd']).toBe(3);
    expect(calls['publish']).toBe(3);
    expect(calls['srem']).toBe(3);
    await admin.select(2);
    const left = await admin.keys('_kombu.binding.reply.*');
    const replyMembers = await Promise.all(left.map((key) => admin.smembers(key)));
    await admin.select(0);
    expect(replyMembers.flat()).toEqual([]);
  });
});
