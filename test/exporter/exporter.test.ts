/**
 * `receipts-doctor exporter` as a real process against a real, password-protected redis-server with real RQ workers:
 * content negotiation (validated by promtool and the strict OpenMetrics parser), the same families as
 * `live --format openmetrics`, one read per interval whatever the scrape rate (counted by Redis itself), a failed read
 * keeping the last good series, series of vanished workers and queues dropped, SIGHUP, signals and bad flags.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { familyNames, parseOpenMetrics, promtoolCheckMetrics, sampleValue, samples } from '../helpers/metrics.js';
import { eventually } from '../helpers/poll.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { enqueue, startRqWorker, type RqWorker } from '../helpers/rq.js';

const PASSWORD = 'exp0rter-sekrit';
/** What Prometheus 2.42 sends when its scrape config allows OpenMetrics (the default). */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
/** The exporter's own families; every other family is the `openmetrics` formatter's. */
const OWN = ['receipts_doctor_queue_expected', 'receipts_doctor_up', 'receipts_doctor_last_read_timestamp_seconds', 'receipts_doctor_read_errors', 'receipts_doctor_series_dropped'];

/** Connections Redis accepted so far: every read of the exporter opens one. */
async function connectionsReceived(admin: Redis): Promise<number> {
  const stats = await admin.info('stats');
  return Number(/total_connections_received:(\d+)/.exec(stats)?.[1]);
}

describe('receipts-doctor exporter', () => {
  let redis: RedisServer;
  let url: string;
  let admin: Redis;
  let worker: RqWorker;
  const started: Exporter[] = [];
  const start = async (args: string[]) => {
    const exporter = await startExporter(args);
    started.push(exporter);
    return exporter;
  };

  beforeAll(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
    url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    admin = new Redis(url);
    worker = await startRqWorker({ redisUrl: url, name: 'exp-worker', queues: ['high', 'default'] });
  });

  afterAll(async () => {
    for (const exporter of started) await exporter.stop('SIGKILL');
    await worker?.stop('SIGKILL');
    admin?.disconnect();
    await redis?.stop();
  });

  it('serves the text format 0.0.4 by default and OpenMetrics when the scrape asks; /healthz; 404 and 405 elsewhere', async () => {
    const exporter = await start(['--redis', url, '--queue', 'reports']);
    const text = await exporter.get();
    expect(text.status).toBe(200);
    expect(text.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    // 0.0.4 has no UNIT or EOF line, and a counter's TYPE names its sample (`_total`).
    expect(text.body).not.toMatch(/^# (UNIT|EOF)/m);
    expect(text.body).toMatch(/^# TYPE receipts_doctor_read_errors_total counter$/m);
    expect(text.body).toMatch(/^receipts_doctor_read_errors_total 0$/m);
    const lint = await promtoolCheckMetrics(text.body);
    expect(lint.output).toBe('');
    expect(lint.exitCode).toBe(0);
    expect(sampleValue(text.body, 'receipts_doctor_up')).toBe(1);
    expect(sampleValue(text.body, 'receipts_doctor_queue_no_consumer', { backend: 'rq', queue: 'high' })).toBe(0);
    expect(sampleValue(text.body, 'receipts_doctor_queue_no_consumer', { backend: 'rq', queue: 'reports' })).toBe(1);
    expect(sampleValue(text.body, 'receipts_doctor_queue_expected', { queue: 'reports' })).toBe(1);
    expect(sampleValue(text.body, 'receipts_doctor_worker_up', { backend: 'rq', worker: 'exp-worker' })).toBe(1);

    const open = await exporter.get('/metrics', { accept: PROMETHEUS_ACCEPT });
    expect(open.status).toBe(200);
    expect(open.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(open.body.endsWith('\n# EOF\n')).toBe(true);
    expect(open.body).toMatch(/^# TYPE receipts_doctor_read_errors counter$/m);
    expect(open.body).toMatch(/^# UNIT receipts_doctor_last_read_timestamp_seconds seconds$/m);
    const parsed = await parseOpenMetrics(open.body);
    expect(parsed.find((family) => family.name === 'receipts_doctor_read_errors')?.samples).toEqual([['receipts_doctor_read_errors_total', {}, 0]]);
    // Both texts carry the same samples, from the same read.
    expect(samples(open.body)).toEqual(samples(text.body));
    // A scraper that prefers the text format gets it.
    expect((await exporter.get('/metrics', { accept: 'text/plain;version=0.0.4,application/openmetrics-text;q=0.2' })).type).toMatch(/^text\/plain/);

    expect(await exporter.get('/healthz')).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
    expect((await exporter.get('/')).status).toBe(404);
    expect((await exporter.get('/metricsx')).status).toBe(404);
    expect((await exporter.get('/metrics', { method: 'POST' })).status).toBe(405);
    const head = await exporter.get('/metrics', { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
    // The password never appears, in the metrics or the log.
    expect(text.body + open.body + exporter.output()).not.toContain(PASSWORD);
    expect(await exporter.signal('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(exporter.output()).toMatch(/SIGTERM: stopping\n$/);
  });

  it('serves the families of `live --format openmetrics` plus its own, with the project’s expected queues', async () => {
    const project = fixture('prosaas');
    const exporter = await start([project, '--redis', url]);
    const served = (await exporter.get('/metrics', { accept: PROMETHEUS_ACCEPT })).body;
    const live = await runCli(['live', project, '--redis', url, '--format', 'openmetrics']);
    expect(live.stderr).toBe('');
    const formatted = familyNames(`${live.stdout}\n`);
    expect(formatted.length).toBeGreaterThan(5);
    expect(familyNames(served).filter((name) => !OWN.includes(name))).toEqual(formatted);
    expect(familyNames(served).filter((name) => OWN.includes(name))).toEqual(OWN);
    // prosaas enqueues to `default` (the sync) and `high` (notifications); its prod environment is the default choice.
    const expected = samples(served).filter((sample) => sample.name === 'receipts_doctor_queue_expected');
    expect(expected.map((sample) => sample.labels)).toEqual([
      { queue: 'default', environment: 'prod' },
      { queue: 'high', environment: 'prod' },
    ]);
    await exporter.signal('SIGINT');
  });

  it('reads at most once per interval whatever the scrape rate (Redis counts the connections)', async () => {
    const exporter = await start(['--redis', url, '--interval', '3600']);
    const before = await connectionsReceived(admin);
    const first = await exporter.get();
    const scrapes = await Promise.all(Array.from({ length: 200 }, () => exporter.get()));
    expect(scrapes.every((scrape) => scrape.status === 200 && scrape.body === first.body)).toBe(true);
    // 201 scrapes, no read: they are answered from the read made at start.
    expect(await connectionsReceived(admin)).toBe(before);
    await exporter.signal('SIGTERM');
  });

  it('drops the series of workers and queues that disappear', async () => {
    const leaving = await startRqWorker({ redisUrl: url, name: 'leaving-worker', queues: ['transient'] });
    const exporter = await start(['--redis', url, '--interval', '0.2']);
    await eventually(async () => (sampleValue((await exporter.get()).body, 'receipts_doctor_worker_up', { worker: 'leaving-worker' }) === 1 ? true : undefined), {
      what: 'the leaving worker to be exported',
    });
    await leaving.stop();
    // RQ keeps the queue registered after its worker left; the test removes it as `rq empty` + deletion would.
    await admin.del('rq:queue:transient');
    await admin.srem('rq:queues', 'rq:queue:transient');
    const after = await eventually(
      async () => {
        const body = (await exporter.get()).body;
        return body.includes('leaving-worker') || body.includes('transient') ? undefined : body;
      },
      { what: 'the series of the worker and queue to go', timeoutMs: 20_000 },
    );
    expect(sampleValue(after, 'receipts_doctor_worker_up', { worker: 'exp-worker' })).toBe(1);
    await exporter.signal('SIGTERM');
  });

  it('reads the project again on SIGHUP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-exporter-project-'));
    try {
      cpSync(fixture('prosaas'), dir, { recursive: true });
      const exporter = await start([dir, '--redis', url, '--interval', '3600']);
      expect(sampleValue((await exporter.get()).body, 'receipts_doctor_queue_expected', { queue: 'reports' })).toBeUndefined();
      writeFileSync(
        join(dir, 'server', 'reports.py'),
        'from rq import Queue\nfrom server.redis_conn import redis_conn\n\ndef monthly(report_id):\n    Queue("reports", connection=redis_conn).enqueue("server.jobs.build", report_id)\n',
      );
      exporter.process.kill('SIGHUP');
      await eventually(async () => (/SIGHUP: project read again; 3 expected queue\(s\) in prod/.test(exporter.output()) ? true : undefined), {
        what: 'the reload line',
        context: exporter.output,
      });
      const body = (await exporter.get()).body;
      expect(sampleValue(body, 'receipts_doctor_queue_expected', { queue: 'reports', environment: 'prod' })).toBe(1);
      // A project that no longer loads: logged, and the previous one kept.
      writeFileSync(join(dir, 'docker-compose.yml'), 'services: [unclosed\n');
      exporter.process.kill('SIGHUP');
      await eventually(async () => (/SIGHUP: the project could not be read, keeping the previous one: .*docker-compose\.yml/.test(exporter.output()) ? true : undefined), {
        what: 'the failed reload line',
        context: exporter.output,
      });
      expect(sampleValue((await exporter.get()).body, 'receipts_doctor_queue_expected', { queue: 'reports', environment: 'prod' })).toBe(1);
      expect(await exporter.signal('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the last good series when a read fails (up 0, error counted, one log line without the password), and recovers', async () => {
    const own = await startRedis(['--requirepass', PASSWORD]);
    const ownUrl = `redis://:${PASSWORD}@127.0.0.1:${own.port}`;
    let restarted: RedisServer | undefined;
    let ownStopped = false;
    try {
      await enqueue(ownUrl, 'orphans', 'os.getcwd', [], 2);
      const exporter = await start(['--redis', ownUrl, '--interval', '0.2', '--connect-timeout', '500']);
      const good = (await exporter.get()).body;
      expect(sampleValue(good, 'receipts_doctor_queue_waiting', { queue: 'orphans' })).toBe(2);
      const firstRead = sampleValue(good, 'receipts_doctor_last_read_timestamp_seconds');
      await own.stop();
      ownStopped = true;
      const failed = await eventually(
        async () => {
          const body = (await exporter.get()).body;
          return sampleValue(body, 'receipts_doctor_up') === 0 ? body : undefined;
        },
        { what: 'up 0 after Redis stopped', timeoutMs: 20_000, context: exporter.output },
      );
      const errors = sampleValue(failed, 'receipts_doctor_read_errors_total')!;
      expect(errors).toBeGreaterThanOrEqual(1);
      // Another failed read later: the series are still the last good read's, and so is its timestamp.
      const later = await eventually(
        async () => {
          const body = (await exporter.get()).body;
          return sampleValue(body, 'receipts_doctor_read_errors_total')! > errors ? body : undefined;
        },
        { what: 'another failed read', timeoutMs: 20_000, context: exporter.output },
      );
      expect(sampleValue(later, 'receipts_doctor_up')).toBe(0);
      expect(sampleValue(later, 'receipts_doctor_queue_waiting', { queue: 'orphans' })).toBe(2);
      expect(sampleValue(later, 'receipts_doctor_queue_no_consumer', { queue: 'orphans' })).toBe(1);
      const lastGood = sampleValue(failed, 'receipts_doctor_last_read_timestamp_seconds')!;
      expect(lastGood).toBeGreaterThanOrEqual(firstRead!);
      expect(sampleValue(later, 'receipts_doctor_last_read_timestamp_seconds')).toBe(lastGood);
      const lines = exporter.output().split('\n').filter((line) => line.includes('read failed'));
      expect(lines[0]).toMatch(/^receipts-doctor exporter: read failed: .*redis:\/\/:\*\*\*@127\.0\.0\.1:\d+.* \(serving the last good read, receipts_doctor_up 0\)$/);
      expect(exporter.output()).not.toContain(PASSWORD);
      restarted = await startRedis(['--requirepass', PASSWORD], own.port);
      await enqueue(ownUrl, 'fresh', 'os.getcwd');
      const recovered = await eventually(
        async () => {
          const body = (await exporter.get()).body;
          // A read may land between the restart and the enqueue of `fresh` (every 0.2 s): wait for one after it.
          return sampleValue(body, 'receipts_doctor_up') === 1 && sampleValue(body, 'receipts_doctor_queue_waiting', { queue: 'fresh' }) === 1 ? body : undefined;
        },
        { what: 'up 1 and `fresh` read after Redis came back', timeoutMs: 20_000, context: exporter.output },
      );
      // The new read replaced the old series: the restarted Redis has no `orphans` queue.
      expect(sampleValue(recovered, 'receipts_doctor_queue_waiting', { queue: 'orphans' })).toBeUndefined();
      expect(sampleValue(recovered, 'receipts_doctor_queue_waiting', { queue: 'fresh' })).toBe(1);
      expect(sampleValue(recovered, 'receipts_doctor_last_read_timestamp_seconds')).toBeGreaterThan(lastGood);
      expect(exporter.output()).toMatch(/read succeeded again after \d+ failed read\(s\)/);
      await exporter.signal('SIGTERM');
    } finally {
      await restarted?.stop();
      if (!ownStopped) await own.stop();
    }
  });

  it('starts when Redis is unreachable (up 0) and ends with exit 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const exporter = await start(['--redis', `redis://:${PASSWORD}@127.0.0.1:1`, '--connect-timeout', '300']);
      const body = (await exporter.get()).body;
      expect(sampleValue(body, 'receipts_doctor_up')).toBe(0);
      expect(sampleValue(body, 'receipts_doctor_read_errors_total')).toBe(1);
      expect(sampleValue(body, 'receipts_doctor_last_read_timestamp_seconds')).toBeUndefined();
      expect((await promtoolCheckMetrics(body)).exitCode).toBe(0);
      expect(await exporter.signal(signal)).toEqual({ code: 0, signal: null });
      expect(exporter.output()).not.toContain(PASSWORD);
    }
  });

  it('exits 2 with one line for bad flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--redis', url, '--listen', 'nowhere'], /--listen expects HOST:PORT/],
      [['--redis', url, '--listen', '127.0.0.1:70000'], /--listen expects HOST:PORT/],
      [['--redis', url, '--interval', '0'], /--interval expects a number ≥ 0.01/],
      [['--redis', url, '--max-series', '1.5'], /--max-series expects an integer ≥ 1/],
      [['--redis', url, '--celery-inspect'], /the exporter only reads/],
      [[], /exporter needs --redis URL/],
      [['--redis', url, '--environment', 'prod'], /--environment prod needs a project dir/],
      [[fixture('prosaas'), '--redis', url, '--environment', 'staging'], /--environment staging: no such environment/],
      [['--redis', 'redis://127.0.0.1:1', '--listen', `127.0.0.1:${redis.port}`, '--connect-timeout', '200'], /--listen 127\.0\.0\.1:\d+: cannot listen \(EADDRINUSE\)/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['exporter', ...args]);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(result.stderr.includes('read failed') ? 2 : 1);
      expect(result.stderr).not.toContain(PASSWORD);
    }
  });
});
