/**
 * Celery consumers proven read-only (issue 25): real Celery workers (Debian's celery 5.2 / kombu 5.2) on a real Redis.
 * An idle worker sits blocked in BRPOP on its own queues; messages waiting in another queue stay put, so no connected
 * worker consumes it — an error with the evidence. A worker busy with a task (solo pool) is not blocked: unknown.
 * With --celery-inspect, that busy worker cannot answer and is "busy, unconfirmed", never a stale worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brpopNotBlocked, provenUnconsumed } from '../../src/frameworks/celery/live-proof.js';
import { celeryPython, startCeleryWorker, type CeleryWorker } from '../helpers/celery.js';
import { runJson } from '../helpers/cli.js';
import { eventually } from '../helpers/poll.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { findingsOf } from '../helpers/report.js';
import { aclLog, addReadOnlyUser } from '../helpers/topology.js';

/** A one-task app whose task sleeps: a solo worker running it is busy (its event loop does not BRPOP). */
const NAP_APP = `import os, time
from celery import Celery
app = Celery('napapp', broker=os.environ['CELERY_BROKER_URL'])

@app.task(name='nap')
def nap(seconds):
    time.sleep(seconds)
`;

const ruleQueues = (findings: { rule: string; queue?: string }[]) => findings.map((f) => `${f.rule}:${f.queue ?? ''}`).sort();

/** Waits until every BRPOP connection on db 0 is blocked (an idle worker re-issues BRPOP every second). */
async function allBlocked(admin: Redis, count: number): Promise<void> {
  await eventually(
    async () => {
      const lines = String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => / cmd=brpop /.test(line));
      return lines.length === count && lines.every((line) => / flags=b /.test(line)) ? true : undefined;
    },
    { what: `${count} BRPOP connection(s) to be blocked` },
  );
}

describe('Celery: a queue no connected worker consumes, proven without a broadcast', () => {
  let redis: RedisServer;
  let admin: Redis;
  let idle: CeleryWorker;
  let readOnlyUrl: string;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    await addReadOnlyUser(admin, 'doctor', 'proof-pw-25');
    readOnlyUrl = `redis://doctor:proof-pw-25@127.0.0.1:${redis.port}`;
    // The case: an idle worker on `high,low`, three messages in `default`.
    idle = await startCeleryWorker({ redisUrl: redis.url, name: 'idle', queues: ['high', 'low'] });
    await celeryPython(redis.url, `for n in range(3): celery.send_task('app.tasks.crunch', args=(n,), queue='default')`);
    await allBlocked(admin, 1);
    await admin.call('ACL', 'LOG', 'RESET');
  }, 90_000);

  afterAll(async () => {
    await idle?.stop('SIGKILL');
    admin?.disconnect();
    await redis?.stop();
  });

  it('an idle worker blocked on other queues: `default` is an error with the evidence, read-only', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', readOnlyUrl]);
    expect(stderr).toBe('');
    // What the run saw, should it fail (exit 0 is the proof not holding: the findings and the queue say why).
    const seen = { findings: report?.findings.map((finding) => `${finding.rule}:${finding.queue ?? ''}:${finding.severity}`), default: report?.live?.queues.find((queue) => queue.name === 'default') };
    expect(exitCode, JSON.stringify(seen)).toBe(1);
    expect(ruleQueues(report!.findings.filter((finding) => finding.severity !== 'info'))).toEqual(['live-queue-without-worker:default']);
    const [finding] = findingsOf(report, 'live-queue-without-worker', 'default');
    expect(finding!.message).toMatch(/^Queue `default` has 3 waiting jobs but no live worker listens to it\. Proven read-only: all 1 BRPOP connection of the 1 Celery worker registered on database 0 sat blocked \(idle\) while its oldest message stayed put/);
    expect(report!.live!.queues.find((queue) => queue.name === 'default')).not.toHaveProperty('consumersUnknown');
    expect(await aclLog(admin)).toEqual([]);
  });

  it('a BRPOP connection caught between two polls: the proof reads again 200 ms later, and then holds', async () => {
    // A connection whose BRPOP just timed out — as an idle worker's does every second — is not blocked at the proof's
    // CLIENT LIST, and blocks again before the second read. MONITOR shows when the proof's pipeline went out: the
    // tail of `default` (the one non-empty list) read twice in a row, CLIENT LIST between them (MONITOR leaves out
    // administrative commands such as CLIENT).
    const gap = new Redis(redis.url);
    const watcher = new Redis(redis.url);
    const monitor = await watcher.monitor();
    let blocking: Promise<unknown> | undefined;
    try {
      expect(await gap.brpop('rd-gap', 0.01)).toBeNull();
      let previous = '';
      monitor.on('monitor', (_time: string, args: string[]) => {
        const command = String(args[0]).toLowerCase();
        if (command === 'lindex' && previous === 'lindex' && !blocking) {
          blocking = gap.brpop('rd-gap', 0).catch(() => undefined);
        }
        previous = command;
      });
      const { exitCode, report } = await runJson(['live', '--redis', readOnlyUrl]);
      expect(blocking, "MONITOR saw the proof's pipeline").toBeDefined();
      expect(report!.live!.celery!.proofRepeated).toBe(true);
      expect(exitCode).toBe(1);
      expect(findingsOf(report, 'live-queue-without-worker', 'default')[0]!.message).toContain('all 2 BRPOP connections of the 1 Celery worker registered');
    } finally {
      monitor.disconnect();
      watcher.disconnect();
      gap.disconnect();
      await allBlocked(admin, 1);
    }
  });

  it('round trips do not grow with the workers: a second idle worker costs none', async () => {
    // The proof's second read (a worker caught between two BRPOPs, rarely) is one round trip more, said in the report.
    const net = (live: { roundTrips?: number; celery?: { proofRepeated?: true } }) => live.roundTrips! - (live.celery?.proofRepeated ? 1 : 0);
    const before = net((await runJson(['live', '--redis', readOnlyUrl])).report!.live!);
    const second = await startCeleryWorker({ redisUrl: redis.url, name: 'second', queues: ['low'] });
    try {
      await allBlocked(admin, 2);
      const { report } = await runJson(['live', '--redis', readOnlyUrl]);
      expect(net(report!.live!)).toBe(before);
      expect(findingsOf(report, 'live-queue-without-worker', 'default')[0]!.message).toContain('all 2 BRPOP connections of the 2 Celery workers');
    } finally {
      await second.stop('SIGKILL');
    }
  }, 60_000);
});

describe('Celery: a busy worker leaves it unknown; --celery-inspect calls it busy, not stale', () => {
  let redis: RedisServer;
  let admin: Redis;
  let busy: CeleryWorker;
  let appDir: string;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    appDir = mkdtempSync(join(tmpdir(), 'rd-napapp-'));
    writeFileSync(join(appDir, 'napapp.py'), NAP_APP);
    busy = await startCeleryWorker({ redisUrl: redis.url, name: 'busy', queues: ['default'], app: { module: 'napapp', dir: appDir }, extraArgs: ['-P', 'solo'] });
    await celeryPython(redis.url, `celery.send_task('nap', args=(120,), queue='default')\nfor n in range(3): celery.send_task('app.tasks.crunch', args=(n,), queue='reports')`);
    await eventually(async () => (/Task nap\[[^\]]+\] received/.test(busy.output()) ? true : undefined), { what: 'the busy worker to take its task', context: busy.output });
    // Taken: the worker's BRPOP connection is no longer blocked while the solo pool sleeps in the task.
    await eventually(
      async () => {
        const lines = String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => / cmd=brpop /.test(line));
        return lines.every((line) => !/ flags=b /.test(line)) ? true : undefined;
      },
      { what: 'the busy worker to stop blocking' },
    );
  }, 90_000);

  afterAll(async () => {
    await busy?.stop('SIGKILL');
    admin?.disconnect();
    await redis?.stop();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  it('read-only: the busy worker may consume `reports`, so it stays unknown (no error)', async () => {
    const { exitCode, report } = await runJson(['live', '--redis', redis.url]);
    // Its connection was not blocked, so the proof read again after the pause: still not blocked.
    expect(report!.live!.celery!.proofRepeated).toBe(true);
    expect(exitCode).toBe(0);
    expect(findingsOf(report, 'live-queue-without-worker')).toEqual([]);
    expect(ruleQueues(findingsOf(report, 'live-celery-consumers-unknown'))).toEqual(['live-celery-consumers-unknown:reports']);
  });

  it('--celery-inspect: the silent worker whose connection is still there is busy, unconfirmed; no stale-worker, no error', async () => {
    const { exitCode, report } = await runJson(['live', '--redis', redis.url, '--celery-inspect', '1']);
    expect(findingsOf(report, 'stale-worker')).toEqual([]);
    expect(findingsOf(report, 'live-queue-without-worker')).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report!.live!.workers.map((worker) => [worker.name, worker.alive, worker.liveness, worker.state])).toEqual([[busy.node, false, 'unconfirmed', 'busy, unconfirmed']]);
  });

  it('--celery-inspect after the worker is killed: its binding stays, its connections are gone, so it is stale', async () => {
    await busy.stop('SIGKILL');
    await eventually(async () => (/ flags=P /.test(String(await admin.call('CLIENT', 'LIST'))) ? undefined : true), { what: 'the killed worker\'s connections to close' });
    const { exitCode, report } = await runJson(['live', '--redis', redis.url, '--celery-inspect', '0.5']);
    expect(exitCode).toBe(1);
    expect(findingsOf(report, 'stale-worker').map((finding) => finding.worker)).toEqual([busy.node]);
  });
});

describe('the proof, on CLIENT LIST texts', () => {
  const line = (id: number, cmd: string, flags: string, db = 0) => `id=${id} addr=127.0.0.1:${5000 + id} name= age=9 idle=0 flags=${flags} db=${db} cmd=${cmd}`;
  const tails = [
    { queue: 'default', before: 'm1', after: 'm1' },
    { queue: 'moving', before: 'm2', after: 'm3' },
  ];
  const prove = (clientList: string | undefined, registered = 2) =>
    [...provenUnconsumed({ registered, db: 0, clientList, tails, idleSeconds: new Map([['default', 90]]) }).keys()];

  it('holds only while every BRPOP connection is blocked and the registered workers are all accounted for', () => {
    expect(prove([line(1, 'brpop', 'b'), line(2, 'brpop', 'b')].join('\n'))).toEqual(['default']);
    expect(prove([line(1, 'brpop', 'b'), line(2, 'brpop', 'N')].join('\n'))).toEqual([]);
    expect(prove(line(1, 'brpop', 'b'))).toEqual([]);
    expect(prove([line(1, 'brpop', 'b'), line(2, 'brpop', 'b', 3)].join('\n'))).toEqual([]);
    expect(prove(undefined)).toEqual([]);
    expect(prove([line(1, 'brpop', 'b')].join('\n'), 0)).toEqual([]);
  });

  it('tells a BRPOP connection that is not blocked (busy, or between two polls) on that database only', () => {
    expect(brpopNotBlocked([line(1, 'brpop', 'b'), line(2, 'brpop', 'N')].join('\n'), 0)).toBe(true);
    expect(brpopNotBlocked([line(1, 'brpop', 'b'), line(2, 'brpop', 'b')].join('\n'), 0)).toBe(false);
    expect(brpopNotBlocked([line(1, 'brpop', 'b'), line(2, 'brpop', 'N', 3)].join('\n'), 0)).toBe(false);
    expect(brpopNotBlocked([line(1, 'blpop', 'N'), line(2, 'get', 'N')].join('\n'), 0)).toBe(false);
  });

  it('says how long the list sat untouched', () => {
    const proof = provenUnconsumed({ registered: 1, db: 0, clientList: line(1, 'brpop', 'b'), tails, idleSeconds: new Map([['default', 90]]) }).get('default');
    expect(proof).toContain('last touched 1m30s ago, so its oldest message has waited at least that long');
  });
});
