/**
 * BullMQ prefixes discovered (issue 25): any `<prefix>:<queue>:meta` hash is a queue, whatever the prefix — `acme` on
 * a standalone Redis, `{bull}` (hash-tagged, as a Cluster needs) on every master of a real 3-master Cluster;
 * `--prefix` narrows; `check` hands the prefixes the code names to the live stage. Real BullMQ queues and workers.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMetaKey } from '../../src/frameworks/bullmq/live-keys.js';
import { runJson } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { findingsOf } from '../helpers/report.js';
import { aclLog, addReadOnlyUser, startCluster, type LocalCluster } from '../helpers/topology.js';

const rows = (queues: { name: string; prefix?: string; waiting: number; consumers: string[] }[]) =>
  queues.map((queue) => `${queue.prefix ?? '-'}/${queue.name}: ${queue.waiting} waiting, consumers ${queue.consumers.join(',') || 'none'}`).sort();

describe('BullMQ under the prefix `acme` next to the default `bull`', () => {
  let redis: RedisServer;
  let admin: Redis;
  let readOnlyUrl: string;
  let project: string;
  const closers: (() => Promise<unknown>)[] = [];
  const connection = () => ({ host: '127.0.0.1', port: redis.port });

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    await addReadOnlyUser(admin, 'doctor', 'bull-pw-25');
    readOnlyUrl = `redis://doctor:bull-pw-25@127.0.0.1:${redis.port}`;
    const billing = new Queue('billing', { connection: connection(), prefix: 'acme' });
    const acmeMail = new Queue('mail', { connection: connection(), prefix: 'acme' });
    const bullMail = new Queue('mail', { connection: connection() });
    closers.push(() => billing.close(), () => acmeMail.close(), () => bullMail.close());
    await billing.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
    await bullMail.add('m', {});
    await acmeMail.add('warm-up', {});
    await acmeMail.drain();
    // acme's mailer consumes acme's `mail` only: `bull:mail` keeps its job. `invoices` has a worker under the prefix
    // `ledger` and no job yet, so no key at all under that prefix.
    for (const [name, prefix, worker] of [['mail', 'acme', 'acme-mailer'], ['invoices', 'ledger', 'ledger-invoicer']] as const) {
      const consumer = new Worker(name, async () => 'ok', { connection: connection(), prefix, name: worker });
      await consumer.waitUntilReady();
      closers.push(() => consumer.close());
    }
    // BullMQ 5's Worker writes its queue's meta hash; an older one did not, and a worker may wait before any job was
    // added: without that key, only the prefix the code names (check) makes the worker seen.
    await admin.del('ledger:invoices:meta');
    // An application's own keys that end in `:meta` are not queues.
    await admin.set('user:42:meta', 'not a queue');
    await admin.hset('session:7:meta', 'seen', '1');

    project = mkdtempSync(join(tmpdir(), 'rd-bull-prefix-'));
    mkdirSync(join(project, 'src'));
    writeFileSync(
      join(project, 'docker-compose.yml'),
      'services:\n  api:\n    build: .\n    command: node dist/api.js\n  worker:\n    build: .\n    command: node dist/worker.js\n',
    );
    writeFileSync(
      join(project, 'src', 'api.ts'),
      "import { Queue } from 'bullmq';\n\nconst connection = { url: process.env.REDIS_URL };\nconst invoices = new Queue('invoices', { connection, prefix: 'ledger' });\n\nexport async function bill(id: string) {\n  await invoices.add('bill', { id });\n}\n",
    );
    writeFileSync(
      join(project, 'src', 'worker.ts'),
      "import { Worker } from 'bullmq';\n\nconst connection = { url: process.env.REDIS_URL };\nnew Worker('invoices', async (job) => job.data, { connection, prefix: 'ledger' });\n",
    );
    await admin.call('ACL', 'LOG', 'RESET');
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    admin?.disconnect();
    await redis?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('without --prefix every prefix in use is read; a worker of one prefix does not serve the other\'s queue', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', readOnlyUrl]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(rows(report!.live!.queues)).toEqual([
      'acme/billing: 2 waiting, consumers none',
      'acme/mail: 0 waiting, consumers acme-mailer',
      'bull/mail: 1 waiting, consumers none',
    ]);
    expect(report!.live!.workers.map((worker) => `${worker.prefix}/${worker.name}`).sort()).toEqual(['acme/acme-mailer']);
    expect(findingsOf(report, 'live-queue-without-worker').map((finding) => finding.queue).sort()).toEqual(['billing', 'mail']);
    expect(findingsOf(report, 'live-nothing-found')).toEqual([]);
    expect(await aclLog(admin)).toEqual([]);
  });

  it('--prefix acme narrows to that prefix', async () => {
    const { report } = await runJson(['live', '--redis', readOnlyUrl, '--prefix', 'acme']);
    expect(rows(report!.live!.queues)).toEqual([
      '-/billing: 2 waiting, consumers none',
      '-/mail: 0 waiting, consumers acme-mailer',
    ]);
  });

  it('check hands the prefix the code names: the invoices worker under `ledger` is seen before its first job', async () => {
    expect(await admin.exists('ledger:invoices:meta')).toBe(0);
    // Without the project nothing names `ledger`: the worker is not seen and the expected queue looks unconsumed.
    const alone = await runJson(['live', '--redis', readOnlyUrl, '--queue', 'invoices']);
    expect(findingsOf(alone.report, 'live-queue-without-worker', 'invoices')).toHaveLength(1);
    const { report } = await runJson(['check', project, '--redis', readOnlyUrl]);
    expect(report!.static!.producers.map((producer) => producer.queue)).toEqual(['invoices']);
    expect(findingsOf(report, 'live-queue-without-worker', 'invoices')).toEqual([]);
    expect(report!.live!.queues.find((queue) => queue.name === 'invoices')).toMatchObject({ prefix: 'ledger', consumers: ['ledger-invoicer'] });
    expect(await aclLog(admin)).toEqual([]);
  });

  it('splits meta keys at the last two colons (BullMQ refuses `:` in a queue name)', () => {
    expect(splitMetaKey('acme:billing:meta')).toEqual({ prefix: 'acme', queue: 'billing' });
    expect(splitMetaKey('{bull}:orders:meta')).toEqual({ prefix: '{bull}', queue: 'orders' });
    expect(splitMetaKey('app:jobs:emails:meta')).toEqual({ prefix: 'app:jobs', queue: 'emails' });
    expect(splitMetaKey('meta')).toBeUndefined();
    expect(splitMetaKey(':x:meta')).toBeUndefined();
    expect(splitMetaKey('acme::meta')).toBeUndefined();
  });
});

describe('BullMQ with the hash-tagged prefix `{bull}` on a 3-master Cluster', () => {
  let cluster: LocalCluster;
  let admins: Redis[];
  const closers: (() => Promise<unknown>)[] = [];
  const connection = () => new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), { redisOptions: { maxRetriesPerRequest: null } });

  beforeAll(async () => {
    cluster = await startCluster();
    admins = cluster.nodes.map((node) => new Redis(node.url));
    for (const admin of admins) await addReadOnlyUser(admin, 'doctor', 'cl-pw-25', ['+cluster|slots']);
    const orders = new Queue('orders', { connection: connection(), prefix: '{bull}' });
    const payments = new Queue('payments', { connection: connection(), prefix: '{bull}' });
    closers.push(() => orders.close(), () => payments.close());
    await orders.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }, { name: 'c', data: {} }]);
    await payments.add('warm-up', {});
    await payments.drain();
    const worker = new Worker('payments', async () => 'ok', { connection: connection(), prefix: '{bull}', name: 'payer' });
    await worker.waitUntilReady();
    closers.push(() => worker.close());
    for (const admin of admins) await admin.call('ACL', 'LOG', 'RESET');
  }, 120_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const admin of admins ?? []) admin.disconnect();
    await cluster?.stop();
  });

  it('the default run finds the `{bull}` queues on their master and the worker; read-only on every master', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', `redis://doctor:cl-pw-25@127.0.0.1:${cluster.nodes[0]!.port}`]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(report!.live!.targets![0]!.topology).toBe('cluster');
    expect(rows(report!.live!.queues)).toEqual(['{bull}/orders: 3 waiting, consumers none', '{bull}/payments: 0 waiting, consumers payer']);
    expect(findingsOf(report, 'live-queue-without-worker').map((finding) => finding.queue)).toEqual(['orders']);
    expect(findingsOf(report, 'live-nothing-found')).toEqual([]);
    for (const admin of admins) expect(await aclLog(admin)).toEqual([]);
  });
});
