/**
 * Hostile servers, item 7 of issue 26 (partly): a fake Redis (test/hardening/redis-proxy.ts) answering
 * `CLUSTER SLOTS` with a range up to 2,000,000,000 crashed Node at 2.5 GB; one answering `SCAN` with endless
 * cursors and fresh keys grew to 2.4 GB (only the pages were bounded, 100,000 of them). Both are now exit 2 with
 * one line that says what the server did, within a tight memory bound. The RESP reader parsed a reply again from its
 * start on every chunk: a 12 MB SCAN page (95,000 keys) ran into the read timeout ("stopped answering"); it is now
 * read once. The one discovery loop (issue 32) bounds the keys of its shapes and, apart, every key the server sends.
 */
import { describe, expect, it } from 'vitest';
import { expectRobust, runBounded } from './harness.js';
import { startFakeRedis } from './redis-proxy.js';

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
const INFO_CLUSTER = '# Server\r\nredis_version:7.2.4\r\nredis_mode:cluster\r\n# Cluster\r\ncluster_enabled:1\r\n# Keyspace\r\ndb0:keys=1,expires=0\r\n';
const INFO_PLAIN = '# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n# Cluster\r\ncluster_enabled:0\r\n# Keyspace\r\ndb0:keys=1,expires=0\r\n';

describe.concurrent('hostile servers are bounded (issue 26, item 7)', () => {
  it('CLUSTER SLOTS with a range to 2,000,000,000: exit 2, no 2.5 GB slot table', async () => {
    let port = 0;
    const fake = await startFakeRedis((command) => {
      const name = command[0]!.toLowerCase();
      if (name === 'info') return bulk(INFO_CLUSTER);
      if (name === 'cluster') return `*1\r\n*3\r\n:0\r\n:2000000000\r\n*3\r\n${bulk('127.0.0.1')}:${port}\r\n${bulk('a'.repeat(40))}`;
      return '*0\r\n';
    });
    port = Number(new URL(fake.url).port);
    try {
      const run = await runBounded(['live', '--redis', fake.url, '--connect-timeout', '3000'], { timeoutMs: 20_000, maxRssMiB: 400 });
      expectRobust(run, 'cluster slots');
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/answered CLUSTER SLOTS with slot ranges outside 0–16383; is it a real Redis Cluster\?$/);
    } finally {
      await fake.close();
    }
  });

  /**
   * `live --backend bullmq` against a fake Redis answering every SCAN with a fresh cursor and `size` fresh keys
   * (`keyOf(page, index)`): exit 2 with `message`, and the number of pages it was sent.
   */
  async function endlessScan(size: number, keyOf: (page: number, index: number) => string, message: RegExp, timeoutMs: number): Promise<number> {
    let page = 0;
    const fake = await startFakeRedis((command) => {
      const name = command[0]!.toLowerCase();
      if (name === 'info') return bulk(INFO_PLAIN);
      if (name === 'scan') {
        page++;
        const keys = Array.from({ length: size }, (_, i) => bulk(keyOf(page, i))).join('');
        return `*2\r\n${bulk(String(page + 1))}*${size}\r\n${keys}`;
      }
      return '*0\r\n';
    });
    try {
      const run = await runBounded(['live', '--redis', fake.url, '--backend', 'bullmq'], { timeoutMs, maxRssMiB: 400 });
      expectRobust(run, 'endless scan');
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      return page;
    } finally {
      await fake.close();
    }
  }

  it('SCAN with endless fresh cursors and fresh keys: exit 2 at the key bound, memory flat', async () => {
    const pages = await endlessScan(
      1000,
      (page, i) => `bull:${'q'.repeat(200)}-${page}-${i}:meta`,
      /answered SCAN with more than 100000 keys matching \S+; is it a real Redis\?$/,
      30_000,
    );
    // Stopped at the key bound: 101 pages, not the 100,000 the page bound alone allowed.
    expect(pages).toBeLessThan(150);
  });

  it('SCAN with endless fresh keys of no shape looked for: exit 2 at the bound on keys sent, memory flat', async () => {
    // Keys the glob `*:meta*` lets through but that are no `…:meta` key: they never count toward the shape bound.
    const pages = await endlessScan(10_000, (page, i) => `x:metadata:${page}:${i}`, /answered SCAN with more than 1000000 keys for \S+; is it a real Redis\?$/, 60_000);
    // Stopped at the bound on keys sent: 101 pages of 10,000.
    expect(pages).toBeLessThan(110);
  });

  it('a 12 MB SCAN reply arriving in many chunks is read once, within the deadline', async () => {
    // 95,000 keys (under the SCAN bound) of 128 bytes that are no queue's: one page, read and ignored.
    const keys = Array.from({ length: 95_000 }, (_, i) => bulk(`junk:${String(i).padStart(6, '0')}:${'k'.repeat(111)}`)).join('');
    const page = `*2\r\n${bulk('0')}*95000\r\n${keys}`;
    const fake = await startFakeRedis((command) => {
      const name = command[0]!.toLowerCase();
      if (name === 'info') return bulk(INFO_PLAIN);
      if (name === 'scan') return page;
      if (name === 'client') return bulk('');
      return '*0\r\n';
    });
    try {
      const run = await runBounded(['live', '--redis', fake.url, '--backend', 'bullmq', '--format', 'json'], { timeoutMs: 30_000, maxRssMiB: 600 });
      expectRobust(run, 'huge reply');
      expect(run.stderr).not.toMatch(/stopped answering/);
      expect(run.exitCode, run.stderr).not.toBe(2);
      const report = JSON.parse(run.stdout) as { live: { queues: unknown[] } };
      expect(report.live.queues).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
