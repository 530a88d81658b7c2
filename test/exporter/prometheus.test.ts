/**
 * The whole chain on real parts: a real RQ worker on a real Redis, the exporter reading it every half second, and a
 * real Prometheus (Debian's `prometheus`) on a loopback port with a temp storage dir, scraping the exporter every
 * second and evaluating the rules `receipts-doctor alerts --for 2s` prints. Stopping the worker makes
 * ReceiptsQueueWithoutConsumer fire for the queues the project (fixtures/prosaas) enqueues to, although they are empty;
 * starting it again resolves them. Read from Prometheus's own /api/v1/alerts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { eventually } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { exitedReason, launch, requireTool, startRqWorker, type Managed, type RqWorker } from '../helpers/rq.js';

const PROMETHEUS = '/usr/bin/prometheus';

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

describe('exporter + alerts + a real Prometheus', () => {
  let redis: RedisServer;
  let worker: RqWorker | undefined;
  let exporter: Exporter;
  let prometheus: Managed;
  let api: string;
  const dir = mkdtempSync(join(tmpdir(), 'rd-prometheus-'));

  const alerts = async (): Promise<Alert[]> => {
    const response = await fetch(`${api}/api/v1/alerts`);
    const body = (await response.json()) as { status: string; data: { alerts: Alert[] } };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data.alerts;
  };
  const noConsumerAlerts = async () =>
    (await alerts())
      .filter((alert) => alert.labels.alertname === 'ReceiptsQueueWithoutConsumer')
      .map((alert) => ({ queue: alert.labels.queue, state: alert.state, summary: alert.annotations.summary }))
      .sort((a, b) => (a.queue! < b.queue! ? -1 : 1));
  const query = async (promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return ((await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };

  beforeAll(async () => {
    requireTool(PROMETHEUS, 'prometheus');
    redis = await startRedis();
    worker = await startRqWorker({ redisUrl: redis.url, name: 'prom-worker', queues: ['high', 'default'] });
    exporter = await startExporter([fixture('prosaas'), '--redis', redis.url, '--interval', '0.5']);
    const rules = await runCli(['alerts', '--for', '2s']);
    expect(rules.exitCode).toBe(0);
    writeFileSync(join(dir, 'receipts-doctor.rules.yml'), `${rules.stdout}\n`);
    const target = new URL(exporter.metricsUrl).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - receipts-doctor.rules.yml\nscrape_configs:\n  - job_name: receipts-doctor\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = launch(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      {},
      dir,
    );
    // Scraped, and the exporter's series are in Prometheus.
    await eventually(async () => ((await query('receipts_doctor_up{job="receipts-doctor"} == 1')).length === 1 ? true : undefined), {
      what: 'Prometheus to scrape the exporter',
      timeoutMs: 60_000,
      intervalMs: 250,
      stopIf: exitedReason(prometheus),
      context: prometheus.output,
    });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop('SIGKILL');
    await worker?.stop('SIGKILL');
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires ReceiptsQueueWithoutConsumer for the expected empty queues when the worker stops, and resolves it when it is back', async () => {
    // The worker consumes both expected queues: none of them alerts (prod's low and receipts_sync have no consumer,
    // but nothing enqueues to them and they are empty: quiet, not an incident).
    await eventually(async () => ((await query('receipts_doctor_queue_no_consumer{queue="default"} == 0')).length === 1 ? true : undefined), {
      what: 'default to be consumed',
    });
    expect((await query('receipts_doctor_queue_no_consumer{queue="low"}'))[0]?.value[1]).toBe('1');
    expect(await noConsumerAlerts()).toEqual([]);

    await worker!.stop();
    worker = undefined;
    const seen = new Set<string>();
    const firing = await eventually(
      async () => {
        const current = await noConsumerAlerts();
        for (const alert of current) seen.add(`${alert.queue}:${alert.state}`);
        return current.length === 2 && current.every((alert) => alert.state === 'firing') ? current : undefined;
      },
      { what: 'the no-consumer alerts to fire', timeoutMs: 60_000, intervalMs: 100, context: exporter.output },
    );
    expect(firing).toEqual([
      { queue: 'default', state: 'firing', summary: 'Queue default has no consumer' },
      { queue: 'high', state: 'firing', summary: 'Queue high has no consumer' },
    ]);
    // No alert for the quiet queues, before or after.
    expect([...seen].filter((entry) => !/^(default|high):/.test(entry))).toEqual([]);

    worker = await startRqWorker({ redisUrl: redis.url, name: 'prom-worker-2', queues: ['high', 'default'] });
    await eventually(async () => ((await noConsumerAlerts()).length === 0 ? true : undefined), {
      what: 'the no-consumer alerts to resolve',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    // The exporter itself was up throughout.
    expect((await alerts()).filter((alert) => alert.labels.alertname?.startsWith('ReceiptsDoctor') && alert.state === 'firing')).toEqual([]);
  }, 180_000);
});
