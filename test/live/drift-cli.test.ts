import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runJson } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startRqWorker, type RqWorker } from '../helpers/rq.js';

// End to end through the compose loader and the scanner: passes once the static stage is merged.
describe('live <dir>: prosaas prod config vs a worker started from the old RQ_QUEUES', () => {
  let redis: RedisServer;
  let worker: RqWorker;

  beforeAll(async () => {
    redis = await startRedis();
    worker = await startRqWorker({ redisUrl: redis.url, queues: ['high', 'low'], via: 'module' });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await redis?.stop();
  });

  it('reports config-live-drift for the prod queues no live worker listens to', async () => {
    const { exitCode, report, stderr } = await runJson([
      'live',
      fixture('prosaas'),
      '--redis',
      redis.url,
      '--environment',
      'prod',
      '--var',
      'API_TOKEN=x',
    ]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    const drift = report!.findings.filter((f) => f.rule === 'config-live-drift');
    expect(drift.map((f) => f.queue).sort()).toEqual(['default', 'receipts_sync']);
    expect(drift.every((f) => f.environment === 'prod' && f.service === 'worker')).toBe(true);
    expect(drift[0]!.related?.some((related) => related.file === 'docker-compose.prod.yml')).toBe(true);
    // The code enqueues to `default`: it is an expected queue too.
    expect(report!.findings.some((f) => f.rule === 'live-queue-without-worker' && f.queue === 'default')).toBe(true);
  });
});
