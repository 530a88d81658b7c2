/**
 * A real local Redis Cluster (three masters, `redis-cli --cluster create`) with BullMQ queues whose names carry hash
 * tags (`{emails}`), so their keys spread over the masters, and real BullMQ workers on an ioredis Cluster connection.
 */
import { Queue, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLive } from '../../src/live/index.js';
import { keySlot } from '../../src/live/topology/cluster.js';
import { runCli, runJson } from '../helpers/cli.js';
import { liveOptions } from '../helpers/live.js';
import { findingsOf } from '../helpers/report.js';
import { aclLog, addReadOnlyUser, startCluster, type LocalCluster } from '../helpers/topology.js';

const QUEUES = ['{emails}', '{reports}', '{sms}', '{exports}'];

describe('live on a Redis Cluster of three masters', () => {
  let cluster: LocalCluster;
  let admins: Redis[];
  const closers: (() => Promise<unknown>)[] = [];
  const connection = () => new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), { redisOptions: { maxRetriesPerRequest: null } });
  /** Which master holds a key, from the Cluster itself. */
  const ownerOf = async (key: string) => {
    const slot = Number(await admins[0]!.call('CLUSTER', 'KEYSLOT', key));
    const slots = (await admins[0]!.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    return slots.find(([start, end]) => slot >= start && slot <= end)![2][1];
  };

  beforeAll(async () => {
    cluster = await startCluster();
    admins = cluster.nodes.map((node) => new Redis(node.url));
    // ACL users are per node; discovery also needs CLUSTER SLOTS.
    for (const admin of admins) await addReadOnlyUser(admin, 'doctor', 'cluster-pw-9', ['+cluster|slots']);
    const queues = QUEUES.map((name) => new Queue(name, { connection: connection() }));
    closers.push(...queues.map((queue) => () => queue.close()));
    await queues[1]!.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }, { name: 'c', data: {} }]);
    await queues[3]!.add('x', {});
    await queues[3]!.drain();
    for (const name of ['{emails}', '{sms}']) {
      const worker = new Worker(name, async () => 'ok', { connection: connection(), name: `w-${name.slice(1, -1)}` });
      await worker.waitUntilReady();
      closers.push(() => worker.close());
    }
    await queues[0]!.add('welcome', {});
    for (const admin of admins) await admin.call('ACL', 'LOG', 'RESET');
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    for (const admin of admins ?? []) admin.disconnect();
    await cluster?.stop();
  });

  it('the keys really are spread: the hash slots are the Cluster\'s own, over more than one master', async () => {
    for (const key of ['bull:{emails}:meta', 'bull:{sms}:wait', 'rq:workers', 'plain-key']) {
      expect(keySlot(key)).toBe(Number(await admins[0]!.call('CLUSTER', 'KEYSLOT', key)));
    }
    const owners = new Set(await Promise.all(QUEUES.map((name) => ownerOf(`bull:${name}:meta`))));
    expect(owners.size).toBeGreaterThan(1);
  });

  it('detects the Cluster from one node, scans every master and lists every worker, read-only', async () => {
    const url = `redis://doctor:cluster-pw-9@127.0.0.1:${cluster.nodes[1]!.port}`;
    const { exitCode, report, stderr } = await runJson(['live', '--redis', url]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    const target = report!.live!.targets![0]!;
    expect(target.topology).toBe('cluster');
    expect([...target.nodes!].sort()).toEqual(cluster.nodes.map((node) => `127.0.0.1:${node.port}`).sort());
    expect(report!.live!.queues.map((queue) => queue.name).sort()).toEqual([...QUEUES].sort());
    const byName = new Map(report!.live!.workers.map((worker) => [worker.name, worker]));
    expect(byName.get('w-emails')).toMatchObject({ alive: true, queues: ['{emails}'] });
    expect(byName.get('w-sms')).toMatchObject({ alive: true, queues: ['{sms}'] });
    expect(report!.live!.queues.find((queue) => queue.name === '{reports}')).toMatchObject({ waiting: 3, consumers: [] });
    expect(findingsOf(report, 'live-queue-without-worker').map((finding) => finding.queue)).toEqual(['{reports}']);
    expect(findingsOf(report, 'live-known-queue-without-worker').map((finding) => finding.queue)).toEqual(['{exports}']);
    for (const admin of admins) expect(await aclLog(admin)).toEqual([]);
  });

  it('round trips per node stay the same with 2 or 20 more workers', async () => {
    const before = await runLive(liveOptions(cluster.url));
    const extra: Worker[] = [];
    for (let index = 0; index < 20; index++) {
      // On the queues that already have workers: the data read stays the same, only the workers grow.
      const worker = new Worker(index % 2 ? '{emails}' : '{sms}', async () => 'ok', { connection: connection(), name: `extra-${index}` });
      extra.push(worker);
    }
    await Promise.all(extra.map((worker) => worker.waitUntilReady()));
    closers.push(...extra.map((worker) => () => worker.close()));
    const after = await runLive(liveOptions(cluster.url));
    expect(after.section.workers.filter((worker) => worker.name.startsWith('extra-'))).toHaveLength(20);
    expect(after.section.targets![0]!.roundTrips).toBe(before.section.targets![0]!.roundTrips);
  });

  it('RQ on a Cluster, which RQ does not support: exit 2 with one line saying so', async () => {
    const { exitCode, stderr, stdout } = await runCli(['live', '--redis', cluster.url, '--backend', 'rq']);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('RQ does not support Redis Cluster');
  });

  it('a user without +cluster|slots: exit 2 naming the permission', async () => {
    await addReadOnlyUser(admins[0]!, 'noslots', 'cluster-pw-9');
    const { exitCode, stderr } = await runCli(['live', '--redis', `redis://noslots:cluster-pw-9@127.0.0.1:${cluster.nodes[0]!.port}`]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('grant the user +cluster|slots');
    expect(stderr).not.toContain('cluster-pw-9');
  });
});
