/**
 * The live reader's pipeline on a real redis-server: `hgetBuffer` (HGET whose reply stays bytes, for RQ's zlib'd
 * exc_info) next to ordinary commands in one round trip, and what a plain `live --format json` run loads: none of
 * node:crypto (only --output and fix --write use it) nor chalk's node:tty (only the table formats colour).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReader, type Command } from '../../src/live/redis.js';
import { BIN } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { execa } from 'execa';

let redis: RedisServer;
const BYTES = Buffer.from([0x78, 0x9c, 0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a]);

beforeAll(async () => {
  redis = await startRedis();
  const admin = new Redis(redis.url);
  await admin.hset('rq:job:j1', { enqueued_at: '2026-12-07T10:00:00.000000Z', exc_info: BYTES });
  await admin.rpush('rq:queue:default', 'j1', 'j2');
  await admin.sadd('rq:queues', 'rq:queue:default');
  admin.disconnect();
});

afterAll(async () => {
  await redis?.stop();
});

describe('the read pipeline', () => {
  it('answers hgetBuffer with the exact bytes and every other command as text, in order, in one round trip, without changing the commands given', async () => {
    const reader = await connectReader(redis.url, 5000);
    try {
      const commands: Command[] = [
        ['hget', 'rq:job:j1', 'enqueued_at'],
        ['hgetBuffer', 'rq:job:j1', 'exc_info'],
        ['llen', 'rq:queue:default'],
        ['hgetBuffer', 'rq:job:missing', 'exc_info'],
        ['hget', 'rq:job:j1', 'exc_info'],
      ];
      const given = JSON.stringify(commands);
      const before = reader.roundTrips;
      const replies = await reader.pipeline(commands);
      expect(reader.roundTrips - before).toBe(1);
      expect(replies[0]!.value).toBe('2026-12-07T10:00:00.000000Z');
      expect(Buffer.isBuffer(replies[1]!.value)).toBe(true);
      expect((replies[1]!.value as Buffer).equals(BYTES)).toBe(true);
      expect(replies[2]!.value).toBe(2);
      expect(replies[3]!.value).toBeNull();
      // The same field through plain HGET is text (the bytes decoded as UTF-8): only hgetBuffer keeps them.
      expect(typeof replies[4]!.value).toBe('string');
      expect(JSON.stringify(commands)).toBe(given);
    } finally {
      await reader.close();
    }
  });
});

describe('what a live run loads', () => {
  it('live --format json loads neither node:crypto nor node:tty (chalk), and still reports the queue without a worker', async () => {
    // Printed at exit by the process itself: the built-in modules it loaded.
    const probe = "process.on('exit', () => process.stderr.write('\\nLOADED ' + process.moduleLoadList.join(',') + '\\n'))";
    const result = await execa(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(probe)}`, '--', BIN, 'live', '--redis', redis.url, '--format', 'json'], {
      reject: false,
      env: { NO_COLOR: '1', REDIS_URL: undefined },
    });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as { findings: { rule: string; queue?: string }[]; live: { queues: { name: string; waiting: number }[] } };
    expect(report.live.queues.find((queue) => queue.name === 'default')?.waiting).toBe(2);
    expect(report.findings.map((finding) => [finding.rule, finding.queue])).toContainEqual(['live-queue-without-worker', 'default']);
    const loaded = /LOADED (.*)/.exec(String(result.stderr))?.[1]?.split(',') ?? [];
    expect(loaded).toContain('NativeModule net');
    expect(loaded).not.toContain('NativeModule crypto');
    expect(loaded).not.toContain('NativeModule tty');
  });
});
