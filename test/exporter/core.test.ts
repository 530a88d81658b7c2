/**
 * The exporter's pure parts: content negotiation, the series cap, and the read loop (one read at a time, scrapes never
 * read, a failed read keeps the last good series), with an injected read.
 */
import { describe, expect, it } from 'vitest';
import { boundedReportFamilies, renderSnapshot } from '../../src/exporter/metrics.js';
import { negotiateFlavor } from '../../src/exporter/negotiate.js';
import { Reads } from '../../src/exporter/reads.js';
import { buildReport } from '../../src/report/build.js';
import type { LiveQueue, LiveWorker, Report } from '../../src/types.js';
import { samples, sampleValue } from '../helpers/metrics.js';
import { eventually, sleep } from '../helpers/poll.js';

/** A live report with `queues` RQ queues (every third without a consumer, the others with `waiting` = index) and `workers` workers. */
function liveReport(queueCount: number, workerCount: number): Report {
  const queues: LiveQueue[] = Array.from({ length: queueCount }, (_, index) => ({
    name: `q${String(index).padStart(3, '0')}`,
    backend: 'rq',
    waiting: index,
    active: 0,
    failed: 0,
    oldestWaitingAgeMs: 1000,
    consumers: index % 3 === 0 ? [] : ['w0000'],
  }));
  const workers: LiveWorker[] = Array.from({ length: workerCount }, (_, index) => ({
    name: `w${String(index).padStart(4, '0')}`,
    backend: 'rq',
    queues: ['q001'],
    alive: index % 10 !== 0,
    heartbeatAgeMs: 2000,
  }));
  return buildReport([], { live: { backend: 'rq', workers, queues, durationMs: 12, roundTrips: 3 } });
}

describe('negotiateFlavor', () => {
  it('gives OpenMetrics when the Accept header prefers it, the text format 0.0.4 otherwise', () => {
    expect(negotiateFlavor(undefined)).toBe('prometheus');
    expect(negotiateFlavor('*/*')).toBe('prometheus');
    expect(negotiateFlavor('text/plain')).toBe('prometheus');
    expect(negotiateFlavor('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe(
      'openmetrics',
    );
    expect(negotiateFlavor('Application/OpenMetrics-Text; version=0.0.1')).toBe('openmetrics');
    expect(negotiateFlavor('text/plain;version=0.0.4,application/openmetrics-text;q=0.5')).toBe('prometheus');
    expect(negotiateFlavor('application/openmetrics-text;q=0')).toBe('prometheus');
    expect(negotiateFlavor('application/openmetrics-text;q=nonsense, text/plain;q=0.1')).toBe('prometheus');
  });
});

describe('the series cap', () => {
  const sampleCount = (families: ReturnType<typeof boundedReportFamilies>['families']) => families.reduce((sum, family) => sum + family.size, 0);

  it('keeps everything under the cap', () => {
    const { families, dropped } = boundedReportFamilies(liveReport(10, 20), 10_000);
    expect(dropped).toBe(0);
    expect(families.map((family) => family.name)).toContain('receipts_doctor_worker_up');
  });

  it('drops the per-worker families first; the stale count stays', () => {
    const report = liveReport(10, 500);
    const whole = sampleCount(boundedReportFamilies(report, 1_000_000).families);
    const { families, dropped } = boundedReportFamilies(report, 200);
    expect(families.map((family) => family.name).filter((name) => name.startsWith('receipts_doctor_worker_'))).toEqual([]);
    expect(sampleCount(families)).toBeLessThanOrEqual(200);
    expect(sampleCount(families) + dropped).toBe(whole);
    const text = renderSnapshot({ report, up: true, readErrors: 0, expected: [], maxSeries: 200 }, 'prometheus');
    expect(sampleValue(text, 'receipts_doctor_stale_workers', { backend: 'rq' })).toBe(50);
    expect(sampleValue(text, 'receipts_doctor_series_dropped')).toBe(dropped);
  });

  it('then keeps the queues without a consumer, then the fullest', () => {
    const report = liveReport(300, 100);
    const { families, dropped } = boundedReportFamilies(report, 120);
    expect(sampleCount(families)).toBeLessThanOrEqual(120);
    expect(dropped).toBeGreaterThan(0);
    const text = families.flatMap((family) => family.render('prometheus')).join('\n');
    const kept = samples(text).filter((sample) => sample.name === 'receipts_doctor_queue_no_consumer');
    expect(kept.length).toBeGreaterThan(10);
    // 100 queues have no consumer; every one kept before any consumed queue.
    expect(kept.every((sample) => sample.value === 1)).toBe(true);
    // The fullest of them first: q297 (waiting 297) is kept, q000 (empty) is not.
    expect(kept.map((sample) => sample.labels.queue)).toContain('q297');
    expect(kept.map((sample) => sample.labels.queue)).not.toContain('q000');
  });

  it('counts the expected queues and the exporter’s own series within the cap', () => {
    const report = liveReport(50, 50);
    const expected = Array.from({ length: 30 }, (_, index) => ({ queue: `e${index}`, environment: 'prod' }));
    const text = renderSnapshot({ report, up: true, lastReadSeconds: 1, readErrors: 0, expected, maxSeries: 100 }, 'openmetrics');
    const own = 4; // up, last read, read errors, series dropped
    expect(samples(text).length).toBeLessThanOrEqual(100 + own);
    expect(samples(text).filter((sample) => sample.name === 'receipts_doctor_queue_expected')).toHaveLength(30);
  });
});

describe('Reads', () => {
  it('never reads twice at once, even when a read is slower than the interval; scrapes never read; stop waits for the read', async () => {
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const reads = new Reads({
      read: async () => {
        calls += 1;
        inFlight += 1;
        most = Math.max(most, inFlight);
        await sleep(20);
        inFlight -= 1;
        return liveReport(2, 2);
      },
      intervalMs: 0,
      maxSeries: 1000,
      expected: [],
      onError: () => {},
    });
    reads.start(0);
    await eventually(async () => (calls >= 5 ? true : undefined), { what: 'five reads' });
    const before = calls;
    for (let scrape = 0; scrape < 100; scrape++) reads.text(scrape % 2 ? 'openmetrics' : 'prometheus');
    expect(calls).toBe(before);
    await reads.stop();
    expect(inFlight).toBe(0);
    expect(most).toBe(1);
    const stoppedAt = calls;
    await sleep(50);
    expect(calls).toBe(stoppedAt);
  });

  it('keeps the last good report when a read fails, with up 0 and the error counted; the next good read replaces it', async () => {
    const results: (Report | Error)[] = [liveReport(3, 1), new Error('gone'), new Error('gone'), liveReport(1, 0)];
    const errors: number[] = [];
    let recovered = 0;
    let clock = 1_000_000;
    const reads = new Reads({
      read: async () => {
        const next = results.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
      intervalMs: 1000,
      maxSeries: 1000,
      expected: [{ queue: 'q000', environment: 'prod' }],
      onError: (_error, consecutive) => errors.push(consecutive),
      onRecovered: (failures) => (recovered = failures),
      now: () => (clock += 1000),
    });
    await reads.readOnce();
    const good = reads.text('prometheus');
    expect(sampleValue(good, 'receipts_doctor_up')).toBe(1);
    await reads.readOnce();
    await reads.readOnce();
    const failed = reads.text('prometheus');
    expect(errors).toEqual([1, 2]);
    expect(sampleValue(failed, 'receipts_doctor_up')).toBe(0);
    expect(sampleValue(failed, 'receipts_doctor_read_errors_total')).toBe(2);
    expect(sampleValue(failed, 'receipts_doctor_last_read_timestamp_seconds')).toBe(sampleValue(good, 'receipts_doctor_last_read_timestamp_seconds'));
    expect(samples(failed).filter((sample) => sample.name === 'receipts_doctor_queue_waiting')).toHaveLength(3);
    await reads.readOnce();
    const back = reads.text('prometheus');
    expect(recovered).toBe(2);
    expect(sampleValue(back, 'receipts_doctor_up')).toBe(1);
    expect(sampleValue(back, 'receipts_doctor_read_errors_total')).toBe(2);
    expect(samples(back).filter((sample) => sample.name === 'receipts_doctor_queue_waiting')).toHaveLength(1);
    expect(sampleValue(back, 'receipts_doctor_queue_expected', { queue: 'q000', environment: 'prod' })).toBe(1);
  });

  it('rethrows a failure the caller calls fatal (the first read’s input errors)', async () => {
    const reads = new Reads({
      read: async () => {
        throw new TypeError('bad backend');
      },
      intervalMs: 1000,
      maxSeries: 1000,
      expected: [],
      onError: () => {},
    });
    await expect(reads.readOnce((error) => error instanceof TypeError)).rejects.toThrow('bad backend');
  });
});
