/**
 * Several Redis in one run (django-rq can put each queue on its own connection): `--redis` repeated, or a list per
 * environment in the config file; each worker and queue says which Redis it came from, and a worker on one Redis
 * does not consume the same queue name on another.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { findingsOf } from '../helpers/report.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { enqueue, startRqWorker, type RqWorker } from '../helpers/rq.js';

describe('live with several Redis', () => {
  let a: RedisServer;
  let b: RedisServer;
  const workers: RqWorker[] = [];
  let project: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRedis(), startRedis()]);
    workers.push(
      ...(await Promise.all([
        startRqWorker({ redisUrl: a.url, name: 'on-a', queues: ['high', 'default'] }),
        startRqWorker({ redisUrl: b.url, name: 'on-b', queues: ['low'] }),
      ])),
    );
    // `default` has jobs on B, whose worker does not listen to it; A's worker listens to `default` on A only.
    await enqueue(b.url, 'default', 'os.getcwd', [], 2);
    project = mkdtempSync(join(tmpdir(), 'rd-several-'));
    writeFileSync(join(project, 'docker-compose.yml'), 'services:\n  api:\n    image: api\n');
    writeFileSync(join(project, 'receipts-doctor.config.yml'), `live:\n  redis:\n    default: [${a.url}, ${b.url}]\n    staging: ${a.url}\n`);
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await Promise.all([a?.stop(), b?.stop()]);
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('--redis twice: workers and queues carry their Redis; waiting jobs on B are not served by A\'s worker', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', a.url, '--redis', b.url, '--queue', 'high']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(report!.live!.targets!.map((target) => [target.redis, target.topology])).toEqual([
      [`${a.url}`, 'standalone'],
      [`${b.url}`, 'standalone'],
    ]);
    const worker = (name: string) => report!.live!.workers.find((w) => w.name === name);
    expect(worker('on-a')).toMatchObject({ alive: true, redis: a.url });
    expect(worker('on-b')).toMatchObject({ alive: true, redis: b.url });
    const defaults = report!.live!.queues.filter((queue) => queue.name === 'default');
    const order = [a.url, b.url];
    defaults.sort((x, y) => order.indexOf(x.redis!) - order.indexOf(y.redis!));
    expect(defaults.map((queue) => [queue.redis, queue.waiting, queue.consumers])).toEqual([
      [a.url, 0, ['on-a']],
      [b.url, 2, []],
    ]);
    const missing = findingsOf(report, 'live-queue-without-worker');
    expect(missing.map((finding) => finding.queue)).toEqual(['default']);
    expect(missing[0]!.message).toContain(`on ${b.url}`);
    // `high` is expected and A serves it: no finding although B has no `high` worker.
    expect(findingsOf(report, 'live-queue-without-worker', 'high')).toEqual([]);
    // The table says where each row came from.
    const table = await runCli(['live', '--redis', a.url, '--redis', b.url]);
    const row = table.stdout.split('\n').find((line) => line.includes('on-b'))!;
    expect(row).toContain(b.url);
    expect(table.stdout).toMatch(/│ worker +│ redis +│/);
  });

  it('the config file lists Redis per environment; --environment picks the list', async () => {
    const both = await runJson(['live', project]);
    expect(both.stderr).toBe('');
    expect(both.report!.live!.targets!.map((target) => target.redis)).toEqual([a.url, b.url]);
    const staging = await runJson(['live', project, '--environment', 'staging', '--env', `staging=${join(project, 'docker-compose.yml')}`]);
    expect(staging.stderr).toBe('');
    expect(staging.report!.live!.redis).toBe(a.url);
    expect(staging.report!.live!.targets).toBeUndefined();
  });
});
