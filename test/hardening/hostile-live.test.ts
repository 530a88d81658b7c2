/**
 * Hostile Redis data and replies (issue 18, items 4, 5, 6, 10 and 12), every run bounded by the harness (a hard
 * deadline and a hard memory bound): a zlib bomb in a failed job's exc_info, compressed bytes that do not inflate,
 * terminal escapes in worker names, hostnames, states and queue names, a 100k-deep RESP array, Redis error text
 * that quotes a connection URL or echoes the password upper-cased, URLs that do not parse, and 200k workers.
 */
import { createDeflate } from 'node:zlib';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { expectNoSecret, expectRobust, runBounded } from './harness.js';
import { startFakeRedis } from './redis-proxy.js';

let redis: RedisServer;
let url: string;

const rqTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** `size` zero bytes deflated (zlib format, as RQ writes exc_info), built in chunks: ~1 MB for 512 MiB. */
async function zlibBomb(size: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const zeros = Buffer.alloc(16 * 1024 * 1024);
  for (let written = 0; written < size; written += zeros.length) {
    if (!deflate.write(zeros)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(chunks);
}

const ESC = '\x1b';
const BEL = '\x07';

beforeAll(async () => {
  redis = await startRedis();
  url = redis.url;
  const admin = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
  await admin.connect();
  const stamp = rqTime(new Date());
  const evil = `rq:worker:evil${ESC}]0;pwned${BEL}`;
  const queue = `q${ESC}[2J`;
  await admin
    .multi()
    .sadd('rq:workers', evil)
    .sadd(`rq:workers:${queue}`, evil)
    .hset(evil, { queues: queue, state: `busy${ESC}[31m`, birth: stamp, last_heartbeat: stamp, hostname: `host${ESC}[H`, pid: '7', current_job: `job${BEL}` })
    .sadd('rq:queues', `rq:queue:${queue}`, 'rq:queue:bombed', 'rq:queue:garbled')
    .rpush(`rq:queue:${queue}`, 'job-w')
    .hset('rq:job:job-w', { status: 'queued', origin: queue, enqueued_at: stamp, created_at: stamp })
    .zadd('rq:failed:bombed', String(Date.now() / 1000 + 3600), 'job-bomb')
    .hset('rq:job:job-bomb', { status: 'failed', origin: 'bombed', exc_info: await zlibBomb(512 * 1024 * 1024) })
    .zadd('rq:failed:garbled', String(Date.now() / 1000 + 3600), 'job-garbled')
    // A zlib header, then bytes that do not inflate: printing them as text was the bug.
    .hset('rq:job:job-garbled', {
      status: 'failed',
      origin: 'garbled',
      exc_info: Buffer.concat([Buffer.from([0x78, 0x9c]), Buffer.from('GARBAGE-MARKER'), Buffer.from([0xff, 0xfe, 0x9c, 0x00])]),
    })
    .exec();
  admin.disconnect();
}, 60_000);

afterAll(async () => {
  await redis?.stop();
});

describe.concurrent('hostile data in Redis', () => {
  it('a 1 MB zlib bomb inflating to 512 MiB in exc_info: bounded memory, the exception is not shown (item 5)', async () => {
    const run = await runBounded(['live', '--redis', url, '--format', 'json'], { maxRssMiB: 300 });
    expectRobust(run, 'zlib bomb');
    const report = JSON.parse(run.stdout) as { findings: { rule: string; queue?: string; message: string }[] };
    const failed = report.findings.filter((finding) => finding.rule === 'failed-jobs');
    expect(failed.map((finding) => finding.queue).sort()).toEqual(['bombed', 'garbled']);
    for (const finding of failed) expect(finding.message).not.toMatch(/failed with/);
    // Compressed bytes are never printed as text.
    expect(run.stdout).not.toContain('GARBAGE-MARKER');
  });

  it('terminal escapes in worker names, hostnames, states and queue names are shown escaped in every format (item 12)', async () => {
    for (const format of ['table', 'json', 'markdown', 'github', 'junit', 'sarif']) {
      const run = await runBounded(['live', '--redis', url, '--format', format, '--verbose'], { maxRssMiB: 300 });
      expectRobust(run, `escapes (${format})`);
      expect(run.stdout, format).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
      expect(run.stderr, format).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
    const run = await runBounded(['live', '--redis', url, '--format', 'json']);
    // Escaped visibly, not dropped: the worker is still named.
    expect(run.stdout).toContain('evil\\\\x1b]0;pwned\\\\x07');
  });
});

describe.concurrent('hostile replies and error text', () => {
  it('a 100k-deep RESP array is exit 2 with one clear line, not a stack overflow (item 6)', async () => {
    const fake = await startFakeRedis(() => `${'*1\r\n'.repeat(100_000)}:1\r\n`);
    try {
      const run = await runBounded(['live', '--redis', fake.url]);
      expectRobust(run, 'deep RESP');
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/not valid RESP/);
    } finally {
      await fake.close();
    }
  });

  it('Redis error text: URLs in it are redacted, a password echoed back in another case is scrubbed (item 12)', async () => {
    const password = 'lower-Secret-pw-7788';
    const fake = await startFakeRedis(() => `-NOPERM user default (password ${password.toUpperCase()}) cannot read; see redis://admin:LeakedPw-42@10.0.0.9:6379\r\n`);
    try {
      const run = await runBounded(['live', '--redis', fake.url.replace('redis://', `redis://:${password}@`)]);
      expectRobust(run, 'error text');
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/permission denied/);
      expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, [password, password.toUpperCase(), 'LeakedPw-42'], 'error text');
    } finally {
      await fake.close();
    }
  });

  it('URLs that do not parse are never echoed; the message names the part that is wrong (item 10)', async () => {
    const secret = 'Zm9v/YmFy+c2VjcmV0PW==';
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['live', '--redis', `redis://:${secret}@127.0.0.1:6379`], {}, /percent-encoded/],
      [['check', '--redis', `redis://:${secret}@127.0.0.1:6379`], {}, /percent-encoded/],
      [['live'], { REDIS_URL: `redis://:${secret}@127.0.0.1:6379` }, /percent-encoded/],
      [['serve', '--redis', `redis://:${secret}@127.0.0.1:6379`], {}, /percent-encoded/],
      [['live', '--redis', `rediss:/u:${secret}@host`], {}, /must be followed by two slashes/],
    ];
    for (const [args, env, reason] of cases) {
      const run = await runBounded(args, { env, cwd: REPO_ROOT });
      expectRobust(run, args.join(' '));
      expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(reason);
      expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, [secret, 'Zm9v', 'YmFy', 'c2VjcmV0'], args.join(' '));
    }
  });
});

describe('issue 25: where the keys are, meta keys and scrubbing stay linear on hostile text', () => {
  it('key prefixes, meta keys, INFO keyspace and secret values of megabyte texts end within a hard deadline', async () => {
    const script = `
      const { queueLikePrefixes, parseKeyspace } = await import(${JSON.stringify(`${REPO_ROOT}/dist/live/nothing-found.js`)});
      const { splitMetaKey } = await import(${JSON.stringify(`${REPO_ROOT}/dist/frameworks/bullmq/live-keys.js`)});
      const { redactSecretValues } = await import(${JSON.stringify(`${REPO_ROOT}/dist/redact.js`)});
      const colons = ':a'.repeat(500000);
      const keys = [...Array.from({ length: 199 }, (_, i) => colons + (i % 2 ? ':meta' : ':x')), 'acme:emails:meta'];
      console.log(queueLikePrefixes(keys).join(' '), splitMetaKey(colons + ':meta').queue);
      console.log(parseKeyspace('db0:keys=' + '1'.repeat(1000000) + '\\n' + 'db1:keys=2,'.repeat(100000)).length);
      const text = 'password' + ' '.repeat(1000000) + '-a' + ' '.repeat(1000000) + "'" + 'AUTH '.repeat(200000);
      console.log(redactSecretValues(text).length > 0);
    `;
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, timeout: 15_000, killSignal: 'SIGKILL' });
    expect(run.timedOut, 'the hostile texts did not end within 15 s').toBe(false);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual(['`acme:` (BullMQ) a', '2', 'true']);
  });
});

describe('live at scale (item 4)', () => {
  it('attachConsumers with 200k workers on one queue ends within a hard deadline (it copied a list per worker)', async () => {
    const script = `
      const { attachConsumers } = await import(${JSON.stringify(`${REPO_ROOT}/dist/live/analysis.js`)});
      const workers = Array.from({ length: 200000 }, (_, i) => ({ name: 'w' + i, backend: 'rq', alive: true, queues: ['default', 'q' + (i % 10)] }));
      const queues = [{ name: 'default', backend: 'rq', consumers: [] }, { name: 'q3', backend: 'rq', consumers: [] }];
      attachConsumers(workers, queues);
      console.log(queues[0].consumers.length, queues[1].consumers.length);
    `;
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, timeout: 15_000, killSignal: 'SIGKILL' });
    expect(run.timedOut, 'attachConsumers did not end within 15 s').toBe(false);
    expect(run.stdout.trim()).toBe('200000 20000');
  });
});
