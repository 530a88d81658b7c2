/**
 * Fault injection for `live` (standalone and inside `check`) through a misbehaving TCP proxy in front of a real
 * redis-server, plus authentication and ACL failures on the real server. Each run ends with a clear finding or
 * exit 2 with one line — never a hang, a crash, or the password in the output.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { expectNoSecret, expectRobust, runBounded, type BoundedRun } from './harness.js';
import { tempDir } from './projects.js';
import { seedQueues } from './redis-data.js';
import { startFakeRedis, startFaultProxy, type Fault, type FaultProxy } from './redis-proxy.js';

const PASSWORD = 'pw-SECRET-9191-zz';
const ACL_PASSWORD = 'acl-SECRET-7373-zz';
const SECRETS = [PASSWORD, ACL_PASSWORD];

let redis: RedisServer;
let admin: Redis;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  redis = await startRedis(['--requirepass', PASSWORD]);
  admin = new Redis({ port: redis.port, host: '127.0.0.1', password: PASSWORD, lazyConnect: true });
  await admin.connect();
  await seedQueues(admin);
  const reader = ['+@read', '+ping', '+hello', '+info', '+select', '+client|setname'];
  // The contract's minimal read-only user (docs/CONTRACT.md §5), without +client|list.
  await admin.call('ACL', 'SETUSER', 'reader', 'on', `>${ACL_PASSWORD}`, '~*', '&*', ...reader);
  // Reads only RQ's keys: BullMQ keys are denied.
  await admin.call('ACL', 'SETUSER', 'rqonly', 'on', `>${ACL_PASSWORD}`, '~rq:*', ...reader);
  // Reads only BullMQ's keys: RQ keys are denied.
  await admin.call('ACL', 'SETUSER', 'bullonly', 'on', `>${ACL_PASSWORD}`, '~bull:*', ...reader);
  // May connect and ping, read nothing.
  await admin.call('ACL', 'SETUSER', 'pingonly', 'on', `>${ACL_PASSWORD}`, '+ping', '+hello', '+client|setname', '+select');
  // Everything readable but no CLIENT SETNAME (the connection name is refused).
  await admin.call('ACL', 'SETUSER', 'nosetname', 'on', `>${ACL_PASSWORD}`, '~*', '+@read', '+ping', '+hello', '+info', '+select');
  // No SCAN (BullMQ discovery) although keys are readable.
  await admin.call('ACL', 'SETUSER', 'noscan', 'on', `>${ACL_PASSWORD}`, '~*', ...reader, '-scan');
  // Disabled user.
  await admin.call('ACL', 'SETUSER', 'disabled', 'off', `>${ACL_PASSWORD}`, '~*', ...reader);
});

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  admin?.disconnect();
  await redis?.stop();
});

async function proxyWith(fault: Fault): Promise<FaultProxy> {
  const proxy = await startFaultProxy(redis.port);
  proxy.setFault(fault);
  proxies.push(proxy);
  return proxy;
}

interface LiveRun {
  run: BoundedRun;
  report?: import('../../src/types.js').Report;
  rules: string[];
}

/** `live` standalone: robust, no secret, and a JSON report on 0/1. */
async function live(url: string, extra: string[], label: string, deadlineMs = 20_000): Promise<LiveRun> {
  const run = await runBounded(['live', '--redis', url, '--format', 'json', ...extra], { timeoutMs: deadlineMs });
  return judge(run, label);
}

/** `check` in an empty dir (live only): Redis problems must become a live-unreachable finding. */
async function check(url: string, extra: string[], label: string, deadlineMs = 20_000): Promise<LiveRun> {
  const run = await runBounded(['check', '--redis', url, '--format', 'json', ...extra], { timeoutMs: deadlineMs, cwd: tempDir() });
  return judge(run, label);
}

function judge(run: BoundedRun, label: string): LiveRun {
  expectRobust(run, label);
  expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, SECRETS, label);
  if (run.exitCode === 2) {
    expect(run.stdout, `${label}: exit 2 prints no report`).toBe('');
    return { run, rules: [] };
  }
  const report = JSON.parse(run.stdout) as import('../../src/types.js').Report;
  return { run, report, rules: report.findings.map((finding) => finding.rule) };
}

const auth = `:${PASSWORD}`;
const aclAuth = (user: string) => `${user}:${ACL_PASSWORD}`;

describe.concurrent('live: connection faults through the proxy', () => {
  it('control: through a passing proxy the inspection works (the seeded queues are read)', async () => {
    const proxy = await proxyWith({ kind: 'pass' });
    const { run, report } = await live(proxy.url(auth), ['--connect-timeout', '3000'], 'pass');
    expect([0, 1]).toContain(run.exitCode);
    expect(report!.live!.queues.map((queue) => queue.name)).toEqual(expect.arrayContaining(['default', 'low', 'emails']));
  });

  it('refused (nothing listens) → exit 2; inside check → live-unreachable', async () => {
    const url = `redis://:${PASSWORD}@127.0.0.1:${await freePort()}`;
    expect((await live(url, [], 'refused')).run.exitCode).toBe(2);
    const inCheck = await check(url, [], 'refused in check');
    expect(inCheck.run.exitCode).toBe(1);
    expect(inCheck.rules).toEqual(['live-unreachable']);
  });

  it('reset on accept → exit 2; inside check → live-unreachable', async () => {
    const proxy = await proxyWith({ kind: 'reset' });
    expect((await live(proxy.url(auth), [], 'reset')).run.exitCode).toBe(2);
    expect((await check(proxy.url(auth), [], 'reset in check')).rules).toEqual(['live-unreachable']);
  });

  it('accept and never answer, --connect-timeout 500 → exit 2 (killed after 15 s otherwise)', async () => {
    const proxy = await proxyWith({ kind: 'hang' });
    expect((await live(proxy.url(auth), ['--connect-timeout', '500'], 'hang', 15_000)).run.exitCode).toBe(2);
    expect((await check(proxy.url(auth), ['--connect-timeout', '500'], 'hang in check', 15_000)).rules).toEqual(['live-unreachable']);
  });

  it('every reply 1.5 s late, --connect-timeout 500 → exit 2', async () => {
    const proxy = await proxyWith({ kind: 'delay', ms: 1500 });
    expect((await live(proxy.url(auth), ['--connect-timeout', '500'], 'slow', 15_000)).run.exitCode).toBe(2);
  });

  it('replies 100 ms late within a 3 s --connect-timeout → the inspection completes', async () => {
    const proxy = await proxyWith({ kind: 'delay', ms: 100 });
    const { run } = await live(proxy.url(auth), ['--connect-timeout', '3000'], 'slightly slow');
    expect([0, 1]).toContain(run.exitCode);
  });

  it('replies trickled a byte every 20 ms → ends (exit 0/1/2), bounded', async () => {
    const proxy = await proxyWith({ kind: 'trickle', ms: 20 });
    await live(proxy.url(auth), ['--connect-timeout', '1000'], 'trickle', 60_000);
  }, 70_000);

  for (const pattern of [/SMEMBERS/i, /HGETALL|HMGET/i, /SCAN/i, /LLEN|ZCARD/i]) {
    it(`the connection dropped when the client sends ${pattern.source} → exit 2 or a clear finding`, async () => {
      const proxy = await proxyWith({ kind: 'drop-when', pattern });
      const { run } = await live(proxy.url(auth), ['--connect-timeout', '3000'], `drop at ${pattern.source}`);
      const inCheck = await check(proxy.url(auth), ['--connect-timeout', '3000'], `drop at ${pattern.source} in check`);
      // A command the inspection never sends drops nothing: the run then completes.
      if (proxy.log.some((chunk) => pattern.test(chunk))) {
        expect(run.exitCode).toBe(2);
        expect(inCheck.rules).toContain('live-unreachable');
      }
    });
  }

  it('a freeze mid-inspection (connected, then no more answers) → exit 2 after the read timeout, not a hang', async () => {
    const proxy = await proxyWith({ kind: 'hang-when', pattern: /SMEMBERS|SCAN/i });
    const { run } = await live(proxy.url(auth), ['--connect-timeout', '1000'], 'freeze mid-inspection', 60_000);
    expect(run.exitCode).toBe(2);
  }, 70_000);

  it('bytes that are not RESP → exit 2 with one line', async () => {
    const proxy = await proxyWith({ kind: 'garbage', bytes: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n<html>') });
    expect((await live(proxy.url(auth), ['--connect-timeout', '1000'], 'garbage')).run.exitCode).toBe(2);
    expect((await check(proxy.url(auth), ['--connect-timeout', '1000'], 'garbage in check')).rules).toEqual(['live-unreachable']);
  });

  it('a RESP error for everything → exit 2 with one line', async () => {
    const proxy = await proxyWith({ kind: 'garbage', bytes: Buffer.from('-ERR server is shutting down\r\n') });
    expect((await live(proxy.url(auth), ['--connect-timeout', '1000'], 'RESP errors')).run.exitCode).toBe(2);
  });

  it('a huge bulk-string reply header (claims 2 GB) → ends, bounded', async () => {
    const proxy = await proxyWith({ kind: 'garbage', bytes: Buffer.from('$2147483647\r\nxxxx') });
    const { run } = await live(proxy.url(auth), ['--connect-timeout', '1000'], 'huge bulk header');
    expect(run.exitCode).toBe(2);
  });
});

describe.concurrent('live: authentication and ACL', () => {
  it('wrong password → exit 2 naming authentication; inside check → live-unreachable', async () => {
    const url = `redis://:wrong-${PASSWORD}@127.0.0.1:${redis.port}`;
    const { run } = await live(url, [], 'wrong password');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/auth/i);
    expect((await check(url, [], 'wrong password in check')).rules).toEqual(['live-unreachable']);
  });

  it('no password against requirepass → exit 2', async () => {
    const { run } = await live(`redis://127.0.0.1:${redis.port}`, [], 'no password');
    expect(run.exitCode).toBe(2);
  });

  it('wrong password for an ACL user, and a disabled user → exit 2', async () => {
    expect((await live(`redis://reader:nope-${ACL_PASSWORD}@127.0.0.1:${redis.port}`, [], 'wrong ACL password')).run.exitCode).toBe(2);
    expect((await live(`redis://${aclAuth('disabled')}@127.0.0.1:${redis.port}`, [], 'disabled user')).run.exitCode).toBe(2);
  });

  it('a password-only URL with the password as the user part (redis://secret@host) is not printed', async () => {
    const { run } = await live(`redis://${PASSWORD}@127.0.0.1:${redis.port}`, [], 'lone password');
    expect([0, 1, 2]).toContain(run.exitCode);
  });

  it('the minimal read-only ACL user of docs/CONTRACT.md §5 (no +client|list) → a full report, BullMQ liveness inferred', async () => {
    const { run, report, rules } = await live(`redis://${aclAuth('reader')}@127.0.0.1:${redis.port}`, [], 'reader');
    expect([0, 1]).toContain(run.exitCode);
    expect(report!.live!.workers.map((worker) => worker.name)).toContain('fault-w1');
    expect(rules).toContain('live-queue-without-worker');
  });

  // A read the user may not make ends the inspection: exit 2 naming what was denied, live-unreachable in check.
  const denied: [user: string, what: RegExp][] = [
    ['rqonly', /no permissions to access one of the keys/],
    ['bullonly', /no permissions to access one of the keys/],
    ['pingonly', /no permissions to run the 'smembers' command/],
    ['noscan', /no permissions to run the 'scan' command/],
  ];
  for (const [user, what] of denied) {
    it(`ACL user \`${user}\` (a needed read denied) → exit 2 naming it; inside check → live-unreachable`, async () => {
      const url = `redis://${aclAuth(user)}@127.0.0.1:${redis.port}`;
      const { run } = await live(url, [], `ACL ${user}`);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/^receipts-doctor: Cannot use Redis at redis:\/\/\w+:\*\*\*@127\.0\.0\.1:\d+: permission denied \(NOPERM /);
      expect(run.stderr).toMatch(what);
      const inCheck = await check(url, [], `ACL ${user} in check`);
      expect(inCheck.run.exitCode).toBe(1);
      expect(inCheck.rules).toEqual(['live-unreachable']);
      expect(inCheck.report!.findings[0]!.message).toMatch(what);
    });
  }

  it('ACL user without CLIENT SETNAME (nor CLIENT LIST) → the full report, BullMQ liveness inferred, alone and in check', async () => {
    const url = `redis://${aclAuth('nosetname')}@127.0.0.1:${redis.port}`;
    for (const { run, report, rules } of [await live(url, [], 'ACL nosetname'), await check(url, [], 'ACL nosetname in check')]) {
      expect(run.exitCode).toBe(1);
      expect(report!.live!.workers.map((worker) => worker.name)).toContain('fault-w1');
      expect([...new Set(rules)].sort()).toEqual(['failed-jobs', 'live-client-list-denied', 'live-queue-without-worker']);
    }
  });

  it('a database index out of range → exit 2', async () => {
    const { run } = await live(`redis://:${PASSWORD}@127.0.0.1:${redis.port}/999`, [], 'db 999');
    expect(run.exitCode).toBe(2);
  });

  it('malformed Redis URLs → exit 2, the password never echoed', async () => {
    for (const url of [
      `redis://:${PASSWORD}@127.0.0.1:notaport`,
      `redis://:${PASSWORD}@[::1`,
      `http://:${PASSWORD}@127.0.0.1:6379`,
      `redis://:${PASSWORD}@127.0.0.1:${redis.port}/-1`,
      `redis://:${PASSWORD}@127.0.0.1:${redis.port}/abc`,
      `:${PASSWORD}@127.0.0.1`,
      // Not valid percent-encoding: decoding the password must not crash.
      `redis://:${PASSWORD}%zz@127.0.0.1:${redis.port}`,
      `redis://user%E0%A4%A@127.0.0.1:${redis.port}`,
    ]) {
      const { run } = await live(url, ['--connect-timeout', '1000'], `url ${url.replace(PASSWORD, '***')}`);
      expect([1, 2]).toContain(run.exitCode);
    }
  });

  it('serve with a Redis URL that is not valid percent-encoding → exit 2, not a URIError', async () => {
    for (const url of [`redis://:${PASSWORD}%zz@127.0.0.1:${redis.port}`, `redis://user%E0%A4%A@127.0.0.1:${redis.port}`]) {
      const run = await runBounded(['serve', '--port', '0', '--redis', url], { timeoutMs: 20_000 });
      judge(run, `serve ${url.replace(PASSWORD, '***')}`);
      expect(run.exitCode).toBe(2);
    }
  });
});

describe.concurrent('live: a fake Redis answering well-formed RESP of the wrong shape', () => {
  const answers: [string, (command: string[]) => string][] = [
    ['an integer for everything', () => ':1\r\n'],
    ['an empty array for everything', () => '*0\r\n'],
    ['nil for everything', () => '$-1\r\n'],
    ['a string for everything', () => '$3\r\nabc\r\n'],
    ['an error for everything', () => '-ERR unknown command\r\n'],
    ['arrays of arrays', () => '*2\r\n*1\r\n:1\r\n*1\r\n$-1\r\n'],
    ['a SCAN cursor that never returns to 0', (command) => (command[0]!.toLowerCase() === 'scan' ? '*2\r\n$1\r\n7\r\n*0\r\n' : '*0\r\n')],
    ['SCAN keys that are integers', (command) => (command[0]!.toLowerCase() === 'scan' ? '*2\r\n$1\r\n0\r\n*2\r\n:1\r\n:2\r\n' : ':0\r\n')],
    [
      'worker sets naming hashes of the wrong type',
      (command) => {
        const name = command[0]!.toLowerCase();
        if (name === 'smembers') return '*2\r\n$12\r\nrq:worker:w1\r\n$4\r\n\u00ff\u00fe\r\n';
        if (name === 'hgetall' || name === 'hmget') return '*3\r\n$6\r\nqueues\r\n:5\r\n$-1\r\n';
        return '$-1\r\n';
      },
    ],
  ];
  for (const [name, answer] of answers) {
    it(`${name} → a report or exit 2, never an internal error`, async () => {
      const fake = await startFakeRedis(answer);
      try {
        await live(fake.url, ['--connect-timeout', '1000'], `fake Redis: ${name}`);
        await check(fake.url, ['--connect-timeout', '1000'], `fake Redis in check: ${name}`);
      } finally {
        await fake.close();
      }
    });
  }
});
