import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLive, type LiveOptions } from '../../src/live/index.js';
import { renderLive } from '../../src/report/table-live.js';
import { palette } from '../../src/report/style.js';
import type { Consumer } from '../../src/types.js';
import { liveOptions } from '../helpers/live.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startRqWorker, type RqWorker } from '../helpers/rq.js';

const consumer = (service: string, queues: string[], extra: Partial<Consumer> = {}): Consumer => ({
  environment: 'prod',
  service,
  active: true,
  queues,
  queueSource: 'environment',
  variable: 'RQ_QUEUES',
  location: { file: 'docker-compose.prod.yml', line: 11, column: 7 },
  detectedBy: 'RQ_QUEUES',
  ...extra,
});

describe('config-live-drift: the selected environment says a queue is consumed, the live workers disagree', () => {
  let redis: RedisServer;
  let worker: RqWorker;
  const options = (config: LiveOptions['config']): LiveOptions => liveOptions(redis.url, config ? { config } : {});

  beforeAll(async () => {
    redis = await startRedis();
    // The incident: the running worker was started from the old RQ_QUEUES, without `default`.
    worker = await startRqWorker({ redisUrl: redis.url, queues: ['high', 'low'], via: 'module' });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await redis?.stop();
  });

  it('reports each configured queue no live worker listens to, pointing at the config line', async () => {
    const { findings, section } = await runLive(
      options({ environment: 'prod', reason: 'it is the production environment', consumers: [consumer('worker', ['high', 'default', 'low', 'receipts_sync'])] }),
    );
    const drift = findings.filter((f) => f.rule === 'config-live-drift');
    expect(drift.map((f) => f.queue).sort()).toEqual(['default', 'receipts_sync']);
    for (const finding of drift) {
      expect(finding).toMatchObject({ severity: 'error', stage: 'live', environment: 'prod', service: 'worker' });
      expect(finding.hint).toContain('it is the production environment');
      expect(finding.related?.[0]).toMatchObject({ file: 'docker-compose.prod.yml', line: 11 });
    }
    // Configured queues get rows even when nothing was ever enqueued to them.
    expect(section.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['default', 'receipts_sync']));
  });

  it('ignores inactive services and other environments, and is quiet when live matches config', async () => {
    const { findings } = await runLive(
      options({
        environment: 'prod',
        reason: 'it was chosen with --environment',
        consumers: [
          consumer('worker', ['high', 'low']),
          consumer('reports', ['reports'], { active: false, inactiveReason: 'it has `deploy.replicas: 0`' }),
          consumer('worker', ['default'], { environment: 'default' }),
        ],
      }),
    );
    expect(findings.filter((f) => f.rule === 'config-live-drift')).toEqual([]);
  });

  it('renders workers and queues tables with the problems first', async () => {
    const { section } = await runLive(options({ environment: 'prod', reason: 'x', consumers: [consumer('worker', ['default'])] }));
    const text = renderLive(section, palette(false)).join('\n');
    expect(text).toContain('Workers 1 alive, 0 stale');
    expect(text).toMatch(/high, low/);
    const lines = text.split('\n');
    const header = lines.findIndex((line) => line.includes('live consumers'));
    expect(lines[header + 2]).toMatch(/default/);
    expect(lines[header + 2]).toMatch(/none/);
    const coloured = renderLive(section, palette(true)).join('\n');
    expect(coloured).toContain('\u001b[');
  });
});
