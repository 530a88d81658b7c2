import { byCodeUnits } from '../order.js';
import { Family, renderFamilies, reportFamilies, type MetricsFlavor } from '../report/openmetrics.js';
import type { LiveQueue, Report } from '../types.js';

/** A queue the exporter expects a consumer for: from the project's code in `environment`, or `--queue` (no environment). */
export interface ExpectedQueue {
  queue: string;
  environment?: string;
}

/** What a scrape is answered from: the last good read and how the reads went since. */
export interface ExporterSnapshot {
  /** The report of the last read that succeeded; its series stay while later reads fail. */
  report?: Report;
  /** Whether the last read succeeded. */
  up: boolean;
  /** Unix time (seconds) of the last read that succeeded. */
  lastReadSeconds?: number;
  readErrors: number;
  expected: readonly ExpectedQueue[];
  /** The most series one scrape carries (--max-series). */
  maxSeries: number;
}

/** Samples per queue at most (workers, no consumer, waiting, active, failed, oldest age). */
const SERIES_PER_QUEUE = 6;
const isQueueFamily = (family: Family) => family.name.startsWith('receipts_doctor_queue_');
const isWorkerFamily = (family: Family) => family.name.startsWith('receipts_doctor_worker_');
const countSeries = (families: readonly Family[]) => families.reduce((sum, family) => sum + family.size, 0);

/** The queues that matter most when not all fit: without a consumer first, then the fullest, then by name. */
function byImportance(a: LiveQueue, b: LiveQueue): number {
  const orphan = (queue: LiveQueue) => (queue.consumers.length === 0 && queue.liveness !== 'stalled-check' && !queue.consumersUnknown ? 0 : 1);
  return orphan(a) - orphan(b) || b.waiting - a.waiting || byCodeUnits(a.name, b.name) || byCodeUnits(a.backend, b.backend);
}

/**
 * The report's families within `maxSeries` series. Past the cap the per-worker families go first (the per-backend
 * `receipts_doctor_stale_workers` still counts stale workers), then the per-queue families keep the queues that
 * matter most (no consumer, then the fullest). Returns how many series were left out.
 */
export function boundedReportFamilies(report: Report, maxSeries: number): { families: Family[]; dropped: number } {
  const families = reportFamilies(report);
  const total = countSeries(families);
  if (total <= maxSeries) return { families, dropped: 0 };
  const withoutWorkers = families.filter((family) => !isWorkerFamily(family));
  if (countSeries(withoutWorkers) <= maxSeries || !report.live) return { families: withoutWorkers, dropped: total - countSeries(withoutWorkers) };
  const others = countSeries(withoutWorkers.filter((family) => !isQueueFamily(family)));
  const keep = Math.max(0, Math.floor((maxSeries - others) / SERIES_PER_QUEUE));
  const queues = [...report.live.queues].sort(byImportance).slice(0, keep);
  const trimmed = reportFamilies({ ...report, live: { ...report.live, queues } }).filter((family) => !isWorkerFamily(family));
  return { families: trimmed, dropped: total - countSeries(trimmed) };
}

/** The exporter's own families, then the report's: the text one scrape gets. */
export function renderSnapshot(snapshot: ExporterSnapshot, flavor: MetricsFlavor): string {
  const expected = new Family(
    'receipts_doctor_queue_expected',
    'A queue the project enqueues to in the environment (or given with --queue): it needs a consumer even while empty.',
  );
  for (const entry of snapshot.expected) expected.add({ queue: entry.queue, environment: entry.environment }, 1);
  const up = new Family('receipts_doctor_up', 'Whether the last read of Redis succeeded (1) or failed (0; the other series are from the last good read).');
  up.add({}, snapshot.up ? 1 : 0);
  const lastRead = new Family('receipts_doctor_last_read_timestamp_seconds', 'When the last good read finished (Unix time).', 'seconds');
  if (snapshot.lastReadSeconds !== undefined) lastRead.add({}, snapshot.lastReadSeconds);
  const errors = new Family('receipts_doctor_read_errors', 'Reads of Redis that failed since the exporter started.', undefined, 'counter');
  errors.add({}, snapshot.readErrors);
  const budget = Math.max(0, snapshot.maxSeries - expected.size);
  const { families, dropped } = snapshot.report ? boundedReportFamilies(snapshot.report, budget) : { families: [], dropped: 0 };
  const droppedFamily = new Family('receipts_doctor_series_dropped', 'Series left out of this scrape to stay within --max-series (per-worker ones first).');
  droppedFamily.add({}, dropped);
  return renderFamilies([...families, expected, up, lastRead, errors, droppedFamily], flavor);
}
