/**
 * Auto mode's one discovery pass (issue 32): one SCAN loop per node finds the keys of every framework's shapes, its
 * MATCH glob built from the frameworks' markers; a framework whose keys the pass proves absent is not read further.
 * On a real redis-server: the glob must let through every key of a shape (never a false "nothing there"), whatever
 * characters a marker holds.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LIVE_FRAMEWORKS } from '../../src/frameworks/index.js';
import { discoverKeys, matchGlob } from '../../src/live/discovery.js';
import { runLive } from '../../src/live/index.js';
import { connectReader } from '../../src/live/redis.js';
import { liveOptions } from '../helpers/live.js';
import { flushRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { python } from '../helpers/rq.js';

let redis: RedisServer;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});

afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

beforeEach(async () => {
  await flushRedis(redis);
});

/** Every key SCAN MATCH `pattern` returns. */
async function scanMatch(pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, page] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const key of page) keys.add(key);
    cursor = next;
  } while (cursor !== '0');
  return [...keys].sort();
}

const DISCOVERIES = LIVE_FRAMEWORKS.flatMap((framework) => (framework.live.discovery ? [{ id: framework.id, discovery: framework.live.discovery }] : []));

describe('the discovery glob', () => {
  it('lets through every key of every framework shape and keeps RQ worker and job keys on the server', async () => {
    const shaped: Record<string, string[]> = {
      bullmq: ['bull:emails:meta', '{bull}:reports:meta', 'app:jobs:invoices:meta'],
      celery: ['_kombu.binding.celery', '_kombu.binding.celery.pidbox', '_kombu.binding.reply.celery.pidbox'],
      sidekiq: ['processes', 'queues', 'stat:processed', 'shop:processes', 'shop:queues', 'shop:stat:processed'],
    };
    const other = ['rq:worker:bench-worker-0001', 'rq:job:5f1c2a', 'rq:workers', 'session:9c2f', 'user:7:profile', 'bull:emails:42'];
    expect(DISCOVERIES.map((entry) => entry.id).sort()).toEqual(Object.keys(shaped).sort());
    for (const key of [...Object.values(shaped).flat(), ...other]) await admin.set(key, 'x');

    const glob = matchGlob(DISCOVERIES.flatMap((entry) => entry.discovery.markers));
    expect(await scanMatch(glob)).toEqual(Object.values(shaped).flat().sort());

    const reader = await connectReader(redis.url, 5000);
    try {
      const found = await discoverKeys(
        reader,
        DISCOVERIES.map((entry) => entry.discovery),
      );
      expect(Object.fromEntries(DISCOVERIES.map((entry, index) => [entry.id, found[index]]))).toEqual(
        Object.fromEntries(Object.entries(shaped).map(([id, keys]) => [id, [...keys].sort()])),
      );
      expect(reader.roundTrips).toBe(1);
    } finally {
      await reader.close();
    }
  });

  it("escapes a marker's glob characters, in a class or alone: every key holding a marker matches, others do not", async () => {
    const markers = ['a]b', 'c^d', 'e-f', 'g\\h', 'i*j', 'k?l', 'm[n'];
    const holding = markers.map((marker, index) => `key${index}:${marker}:tail`);
    // Keys without a marker's characters in a row; an unescaped class (`[a-e]` a range, `[^c]` a negation) or `*`
    // alone would let some through, an unescaped `]` or `[` would match none of the markers.
    const near = ['key:b-d:tail', 'key:d:tail', 'key:zzz:tail', 'key:ab:tail', 'key:c:d:tail', 'key:ij:tail'];
    for (const key of [...holding, ...near]) await admin.set(key, 'x');
    expect(await scanMatch(matchGlob(markers))).toEqual([...holding].sort());
    for (const [index, marker] of markers.entries()) expect(await scanMatch(matchGlob([marker]))).toEqual([holding[index]]);
  });

  it('bench/floor/live-read.js scans with the glob the tool builds (like for like)', () => {
    const floor = readFileSync(new URL('../../bench/floor/live-read.js', import.meta.url), 'utf8');
    const spelled = /const DISCOVERY_GLOB = '([^']+)';/.exec(floor)?.[1];
    expect(spelled).toBe(matchGlob(DISCOVERIES.flatMap((entry) => entry.discovery.markers)));
  });
});

describe('auto mode reads only the backends in play', () => {
  /** One RQ worker registered the way RQ 1.13 does it, on `default`. */
  const rqPopulation = () =>
    python(
      redis.url,
      `import os
from redis import Redis
from rq import Queue, Worker
r = Redis.from_url(os.environ['REDIS_URL'])
w = Worker([Queue('default', connection=r)], connection=r, name='w1')
w.register_birth()
w.heartbeat()`,
    );
  const roundTrips = async (backend: 'auto' | 'rq') => {
    const { section } = await runLive(liveOptions(redis.url, { backend }));
    return { roundTrips: section.roundTrips!, backend: section.backend, sidekiq: section.sidekiq };
  };

  it('an RQ Redis (RQ has a `rq:queues` set): Sidekiq is not read — one SCAN page besides RQ', async () => {
    await rqPopulation();
    const rq = await roundTrips('rq');
    const auto = await roundTrips('auto');
    expect(auto).toEqual({ roundTrips: rq.roundTrips + 1, backend: 'rq', sidekiq: undefined });
  });

  it("a root `stat:processed` (a Sidekiq process's heartbeat ran there) puts Sidekiq in play: its keyspace is read", async () => {
    await rqPopulation();
    const rq = await roundTrips('rq');
    await admin.set('stat:processed', '0');
    const auto = await roundTrips('auto');
    expect(auto).toEqual({ roundTrips: rq.roundTrips + 2, backend: 'both', sidekiq: { retry: 0, scheduled: 0, dead: 0 } });
  });

  it('a namespace is in play once its `processes` or `stat:processed` is there, not for a `<ns>:queues` set alone', async () => {
    await rqPopulation();
    const rq = await roundTrips('rq');
    await admin.sadd('shop:queues', 'mailers');
    await admin.lpush('shop:queue:mailers', JSON.stringify({ class: 'Mailer', queue: 'mailers', enqueued_at: 1_700_000_000 }));
    expect(await roundTrips('auto')).toEqual({ roundTrips: rq.roundTrips + 1, backend: 'rq', sidekiq: undefined });
    await admin.set('shop:stat:processed', '3');
    const { section } = await runLive(liveOptions(redis.url));
    // The SCAN page, then Sidekiq's keyspaces and its queue `mailers`.
    expect(section.roundTrips).toBe(rq.roundTrips + 3);
    expect(section.queues.find((queue) => queue.name === 'mailers')).toMatchObject({ backend: 'sidekiq', prefix: 'shop', waiting: 1 });
  });
});
