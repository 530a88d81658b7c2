/**
 * `--format openmetrics` for the live stage, validated by real parsers: Prometheus's `promtool check metrics`
 * (Debian's `prometheus` package) and the strict OpenMetrics parser of the Python client
 * (`prometheus_client.openmetrics.parser`, Debian's `python3-prometheus-client`), against a real Redis with real RQ
 * and BullMQ workers and queue names that need escaping.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelValue } from '../../src/report/openmetrics.js';
import { runCli } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { parseOpenMetrics, promtoolCheckMetrics } from '../helpers/metrics.js';
import { enqueue, startRqWorker, type RqWorker } from '../helpers/rq.js';

/** Every sample as the strict OpenMetrics parser reads it: [name, labels, value]. */
const parsedSamples = async (text: string) => (await parseOpenMetrics(text)).flatMap((family) => family.samples);

describe('--format openmetrics (live)', () => {
  let redis: RedisServer;
  let rqWorker: RqWorker;
  const closers: (() => Promise<unknown>)[] = [];
  const WEIRD = 'we"ird\\queue\nnext';

  beforeAll(async () => {
    redis = await startRedis();
    rqWorker = await startRqWorker({ redisUrl: redis.url, name: 'om-worker', queues: ['high'] });
    await enqueue(redis.url, 'default', 'os.getcwd', [], 3);
    const connection = { host: '127.0.0.1', port: redis.port };
    const weird = new Queue(WEIRD, { connection });
    const emails = new Queue('emails', { connection });
    await weird.add('x', {});
    const worker = new Worker('emails', async () => 'ok', { connection, name: 'mailer' });
    await worker.waitUntilReady();
    closers.push(() => worker.close(), () => weird.close(), () => emails.close());
  });

  afterAll(async () => {
    for (const close of closers) await close();
    await rqWorker?.stop('SIGKILL');
    await redis?.stop();
  });

  it('passes promtool and the strict OpenMetrics parser, with the no-consumer gauge per queue', async () => {
    const result = await runCli(['live', '--redis', redis.url, '--format', 'openmetrics']);
    const { exitCode, stderr } = result;
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    // The test runner strips the final line break; the text ends with `# EOF` and one.
    expect(result.stdout.endsWith('\n# EOF')).toBe(true);
    const stdout = `${result.stdout}\n`;
    const lint = await promtoolCheckMetrics(stdout);
    expect(lint.output).toBe('');
    expect(lint.exitCode).toBe(0);
    const samples = await parsedSamples(stdout);
    const value = (name: string, labels: Record<string, string>) =>
      samples.find(([sample, sampleLabels]) => sample === name && Object.entries(labels).every(([key, wanted]) => sampleLabels[key] === wanted))?.[2];
    expect(value('receipts_doctor_queue_no_consumer', { backend: 'rq', queue: 'default' })).toBe(1);
    expect(value('receipts_doctor_queue_waiting', { backend: 'rq', queue: 'default' })).toBe(3);
    expect(value('receipts_doctor_queue_oldest_waiting_age_seconds', { backend: 'rq', queue: 'default' })).toBeGreaterThanOrEqual(0);
    expect(value('receipts_doctor_queue_no_consumer', { backend: 'rq', queue: 'high' })).toBe(0);
    expect(value('receipts_doctor_queue_workers', { backend: 'rq', queue: 'high' })).toBe(1);
    expect(value('receipts_doctor_queue_no_consumer', { backend: 'bullmq', queue: 'emails' })).toBe(0);
    // The name from Redis round-trips through the label escaping exactly, with its control character (the newline)
    // shown as `\x0a`, as in every format: untrusted text never carries raw control characters.
    expect(value('receipts_doctor_queue_no_consumer', { backend: 'bullmq', queue: WEIRD.replace('\n', '\\x0a') })).toBe(1);
    expect(value('receipts_doctor_worker_up', { backend: 'rq', worker: 'om-worker' })).toBe(1);
    expect(value('receipts_doctor_worker_up', { backend: 'bullmq', worker: 'mailer' })).toBe(1);
    expect(value('receipts_doctor_findings', { rule: 'live-queue-without-worker', severity: 'error' })).toBe(2);
  });

  it('--output replaces the file whole (for a textfile collector); without a live stage only the findings are metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-om-'));
    try {
      const file = join(dir, 'receipts.prom');
      const { exitCode, stderr } = await runCli(['live', '--redis', redis.url, '--format', 'openmetrics', '--output', file, '--quiet']);
      expect(exitCode).toBe(1);
      expect(stderr).toBe('');
      const written = readFileSync(file, 'utf8');
      expect(written.endsWith('\n# EOF\n')).toBe(true);
      expect((await promtoolCheckMetrics(written)).exitCode).toBe(0);
      expect((await parsedSamples(written)).length).toBeGreaterThan(0);
      const noLive = await runCli(['check', '--url', 'http://127.0.0.1:1', '--format', 'openmetrics']);
      expect(noLive.exitCode).toBe(1);
      const text = `${noLive.stdout}\n`;
      expect((await promtoolCheckMetrics(text)).exitCode).toBe(0);
      expect(await parsedSamples(text)).toEqual([['receipts_doctor_findings', { rule: 'smoke-unreachable', severity: 'error' }, 1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escapes label values and drops control characters', () => {
    expect(labelValue('a"b\\c\nd\u001b[31m\u0007')).toBe('a\\"b\\\\c\\nd[31m');
  });
});
