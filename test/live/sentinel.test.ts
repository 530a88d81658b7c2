/**
 * redis+sentinel:// against Debian's redis-sentinel: a real master, a replica and three sentinels with their own
 * password; a BullMQ worker connected through the sentinels (ioredis follows the failover), RQ data on the master;
 * `SENTINEL FAILOVER` between two inspections.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLive } from '../../src/live/index.js';
import { startFaultProxy, type FaultProxy } from '../hardening/redis-proxy.js';
import { runCli, runJson } from '../helpers/cli.js';
import { liveOptions } from '../helpers/live.js';
import { eventually } from '../helpers/poll.js';
import { findingsOf } from '../helpers/report.js';
import { enqueue, python } from '../helpers/rq.js';
import { aclLog, addReadOnlyUser, failover, startSentinelSetup, type SentinelSetup } from '../helpers/topology.js';

describe('live through Redis Sentinel, across a failover', () => {
  let setup: SentinelSetup;
  let worker: Worker;
  const admins: Redis[] = [];

  beforeAll(async () => {
    setup = await startSentinelSetup();
    // ACL users are not replicated: the read-only user exists on both servers, as an operator would set it up.
    for (const server of [setup.master, setup.replica]) {
      const admin = new Redis(server.url);
      admins.push(admin);
      await addReadOnlyUser(admin, 'doctor', 'master-pw-55');
    }
    // RQ: `default` had a job that a burst worker ran (known, empty), `reports` has a waiting job.
    await enqueue(setup.master.url, 'reports', 'os.getcwd');
    await python(
      setup.master.url,
      `import os
from redis import Redis
from rq import Queue, Worker
r = Redis.from_url(os.environ['REDIS_URL'])
q = Queue('default', connection=r)
q.enqueue('os.getcwd')
Worker([q], connection=r, name='burst').work(burst=True)`,
    );
    worker = new Worker('emails', async () => 'sent', {
      connection: {
        sentinels: setup.sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port })),
        name: setup.masterName,
        sentinelPassword: setup.sentinelPassword,
      },
      name: 'mailer',
    });
    await worker.waitUntilReady();
    for (const admin of admins) await admin.call('ACL', 'LOG', 'RESET');
  });

  afterAll(async () => {
    await worker?.close(true).catch(() => undefined);
    for (const admin of admins) admin.disconnect();
    await setup?.stop();
  });

  const sentinelUrl = () =>
    `redis+sentinel://doctor:master-pw-55@${setup.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',')}/${setup.masterName}`;

  it('resolves the master through the sentinels, reads it, then follows a failover to the new master', async () => {
    const first = await runJson(['live', '--redis', sentinelUrl(), '--sentinel-password', setup.sentinelPassword]);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(1);
    expect(first.stdout).not.toContain('master-pw-55');
    expect(first.stdout).not.toContain(setup.sentinelPassword);
    expect(first.report!.live!.targets).toEqual([
      expect.objectContaining({ topology: 'sentinel', nodes: [`127.0.0.1:${setup.master.port}`], redis: expect.stringContaining('redis+sentinel://doctor:***@') }),
    ]);
    expect(first.report!.live!.workers.find((w) => w.name === 'mailer')).toMatchObject({ alive: true, backend: 'bullmq', queues: ['emails'] });
    expect(findingsOf(first.report, 'live-queue-without-worker').map((f) => f.queue)).toEqual(['reports']);
    expect(findingsOf(first.report, 'live-known-queue-without-worker').map((f) => f.queue)).toEqual(['default']);

    const newMaster = await failover(setup);
    expect(newMaster).toBe(`127.0.0.1:${setup.replica.port}`);
    // ioredis re-resolves the master through the sentinels and reconnects the worker there (the sentinels also cut
    // the promoted server's clients once while they reconfigure it): the doctor, through the sentinels, sees it
    // there once it has. The password comes from the environment this time.
    const second = await eventually(
      async () => {
        const run = await runJson(['live', '--redis', sentinelUrl()], { env: { RECEIPTS_DOCTOR_SENTINEL_PASSWORD: setup.sentinelPassword } });
        return run.report?.live?.workers.some((w) => w.name === 'mailer' && w.alive) ? run : undefined;
      },
      { what: 'the doctor to see the BullMQ worker on the new master', timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(second.stderr).toBe('');
    expect(second.report!.live!.targets![0]!.nodes).toEqual([newMaster]);
    expect(second.report!.live!.workers.find((w) => w.name === 'mailer')).toMatchObject({ alive: true });
    // The replicated data reads the same on the new master.
    expect(findingsOf(second.report, 'live-queue-without-worker').map((f) => f.queue)).toEqual(['reports']);
    expect(findingsOf(second.report, 'live-known-queue-without-worker').map((f) => f.queue)).toEqual(['default']);
    // Read-only on both servers: nothing was denied (discovery used only SENTINEL on the sentinels and INFO).
    for (const admin of admins) expect(await aclLog(admin)).toEqual([]);
  }, 150_000);

  it('a wrong sentinel password: exit 2, one line that says so without any password', async () => {
    const { exitCode, stderr, stdout } = await runCli(['live', '--redis', sentinelUrl(), '--sentinel-password', 'not-the-pw']);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('refused the sentinel password');
    expect(stderr).not.toContain('not-the-pw');
    expect(stderr).not.toContain('master-pw-55');
  });

  it('an unknown master name: exit 2 naming it', async () => {
    const url = sentinelUrl().replace(`/${setup.masterName}`, '/nosuchmaster');
    const { exitCode, stderr } = await runCli(['live', '--redis', url, '--sentinel-password', setup.sentinelPassword]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('does not know a master named `nosuchmaster`');
  });
});

describe('a failover during the inspection', () => {
  let setup: SentinelSetup;
  let proxy: FaultProxy;

  beforeAll(async () => {
    // The sentinels know the master by a proxy's address, so the test can freeze the doctor's read on it.
    setup = await startSentinelSetup('cache-master', 'sentinel-pw-78', async (master) => {
      proxy = await startFaultProxy(master.port);
      return proxy.port;
    });
    await enqueue(setup.master.url, 'reports', 'os.getcwd', [], 2);
  });

  afterAll(async () => {
    await proxy?.close();
    await setup?.stop();
  });

  it('the read on the old master is cut by the failover; the new master is resolved and read again, and the report says so', async () => {
    const url = `redis+sentinel://${setup.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',')}/cache-master`;
    expect(await setup.currentMaster()).toBe(`127.0.0.1:${proxy.port}`);
    // The doctor's first RQ read (SMEMBERS rq:workers) gets no answer from the old master …
    proxy.setFault({ kind: 'hang-when', pattern: /smembers/i });
    const inspection = runLive(liveOptions(url, { sentinelPassword: 'sentinel-pw-78' }));
    await eventually(async () => (proxy.log.some((chunk) => /smembers/i.test(chunk)) ? true : undefined), { what: 'the inspection to start reading' });
    // … while the sentinels fail over. The frozen read ends when the old master's clients are cut as it becomes a
    // replica, or at the latest at the doctor's read timeout (10 s): either way, an UnreachableError mid-inspection.
    const newMaster = await failover(setup);
    const { section, findings } = await inspection;
    const target = section.targets![0]!;
    expect(target.nodes).toEqual([newMaster]);
    expect(target.failover).toBe(
      `the master moved from 127.0.0.1:${proxy.port} to ${newMaster} during the inspection; everything was read again from ${newMaster}`,
    );
    expect(findings.filter((finding) => finding.rule === 'live-queue-without-worker').map((finding) => finding.queue)).toEqual(['reports']);
  }, 120_000);
});
