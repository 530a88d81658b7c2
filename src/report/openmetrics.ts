import type { LiveQueue, LiveWorker, Report } from '../types.js';

/**
 * The live stage as OpenMetrics text (https://openmetrics.io), for a node_exporter textfile collector or a scrape
 * of `live --watch --output FILE`: gauges per queue (live workers, waiting, active, failed, oldest waiting age, and
 * `receipts_doctor_queue_no_consumer`, which no queue exporter offers: 1 when no live worker consumes a queue, even an
 * empty one), per worker (up, heartbeat age), and the findings per rule and severity (the only family without a
 * live stage). Label values come from Redis:
 * control characters are dropped and `\`, `"` and line breaks escaped as the format requires.
 */

/** A label value as OpenMetrics wants it: no control characters, `\`, `"` and `\n` escaped. */
export function labelValue(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '');
  return clean.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export type Labels = Record<string, string | undefined>;

/**
 * The two texts a scrape may ask for. `openmetrics`: OpenMetrics 1.0 (`# UNIT`, a counter family named without
 * `_total` and its sample with it, `# EOF` last). `prometheus`: the Prometheus text format 0.0.4, which has no UNIT
 * or EOF line and names a counter's family as its sample, `_total` included.
 */
export type MetricsFlavor = 'openmetrics' | 'prometheus';

/** One metric family: its samples, rendered in either flavor. */
export class Family {
  private readonly samples: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    /** The family's name; a counter's samples add `_total` to it. */
    readonly name: string,
    private readonly help: string,
    private readonly unit?: string,
    readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}

  get size(): number {
    return this.samples.length;
  }

  add(labels: Labels, value: number): void {
    const text = Object.entries(labels)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, raw]) => `${key}="${labelValue(raw)}"`)
      .join(',');
    // A label set appears once per family (two workers of one name on one host would repeat it).
    if (this.seen.has(text)) return;
    this.seen.add(text);
    const sample = this.type === 'counter' ? `${this.name}_total` : this.name;
    this.samples.push(`${sample}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 0}`);
  }

  render(flavor: MetricsFlavor = 'openmetrics'): string[] {
    const name = flavor === 'prometheus' && this.type === 'counter' ? `${this.name}_total` : this.name;
    return [
      `# TYPE ${name} ${this.type}`,
      ...(this.unit && flavor === 'openmetrics' ? [`# UNIT ${name} ${this.unit}`] : []),
      `# HELP ${name} ${this.help}`,
      ...this.samples,
    ];
  }
}

/** The families as one text of the flavor asked for (OpenMetrics ends with `# EOF`). */
export function renderFamilies(families: readonly Family[], flavor: MetricsFlavor): string {
  const lines = families.flatMap((family) => family.render(flavor));
  return `${lines.join('\n')}\n${flavor === 'openmetrics' ? '# EOF\n' : ''}`;
}

const queueLabels = (queue: LiveQueue): Labels => ({ backend: queue.backend, queue: queue.name, redis: queue.redis, broker: queue.broker });
const workerLabels = (worker: LiveWorker): Labels => ({ backend: worker.backend, worker: worker.name, host: worker.hostname, redis: worker.redis, broker: worker.broker });

export function formatOpenMetrics(report: Report): string {
  return renderFamilies(reportFamilies(report), 'openmetrics');
}

/** The families of `--format openmetrics`, in order; the exporter serves these and its own. */
export function reportFamilies(report: Report): Family[] {
  const findings = findingsFamily(report);
  const live = report.live;
  // Without a live stage (static, smoke, check without --redis) only the findings are metrics.
  if (!live) return [findings];
  const workers = new Family('receipts_doctor_queue_workers', 'Live workers that consume the queue.');
  const noConsumer = new Family(
    'receipts_doctor_queue_no_consumer',
    'Whether no live worker consumes the queue (1), even when it is empty; 0 when one does.',
  );
  const waiting = new Family('receipts_doctor_queue_waiting', 'Jobs waiting in the queue.');
  const active = new Family('receipts_doctor_queue_active', 'Jobs being processed from the queue.');
  const failed = new Family('receipts_doctor_queue_failed', 'Jobs in the failed registry of the queue.');
  const oldest = new Family('receipts_doctor_queue_oldest_waiting_age_seconds', 'Age of the oldest waiting job of the queue.', 'seconds');
  const utilisation = new Family(
    'receipts_doctor_queue_consumer_utilisation_ratio',
    "RabbitMQ: the share of time the queue could deliver to its consumers at once (low: the consumers are saturated).",
    'ratio',
  );
  for (const queue of live.queues) {
    const labels = queueLabels(queue);
    const consumed = queue.consumers.length > 0 || queue.liveness !== undefined;
    // A Celery queue without the broadcast: no sample rather than a made-up 0 or 1.
    if (!queue.consumersUnknown) {
      const unnamed = queue.liveness === 'broker-count' ? (queue.consumerCount ?? 1) : queue.liveness === 'stalled-check' ? 1 : 0;
      workers.add(labels, queue.consumers.length === 0 ? unnamed : queue.consumers.length);
      noConsumer.add(labels, consumed ? 0 : 1);
    }
    waiting.add(labels, queue.waiting);
    active.add(labels, queue.active);
    failed.add(labels, queue.failed);
    if (queue.oldestWaitingAgeMs !== undefined && queue.waiting > 0) oldest.add(labels, queue.oldestWaitingAgeMs / 1000);
    if (queue.consumerUtilisation !== undefined) utilisation.add(labels, queue.consumerUtilisation);
  }
  const up = new Family('receipts_doctor_worker_up', 'Whether a registered worker is alive (1) or stale (0); a stale one consumes nothing.');
  const heartbeat = new Family('receipts_doctor_worker_heartbeat_age_seconds', "Age of the worker's last heartbeat.", 'seconds');
  for (const worker of live.workers) {
    if (worker.liveness !== 'unconfirmed') up.add(workerLabels(worker), worker.alive ? 1 : 0);
    if (worker.heartbeatAgeMs !== undefined) heartbeat.add(workerLabels(worker), worker.heartbeatAgeMs / 1000);
  }
  const stale = new Family('receipts_doctor_stale_workers', 'Registered workers that are not alive.');
  for (const backend of new Set(live.workers.map((worker) => worker.backend))) {
    stale.add({ backend }, live.workers.filter((worker) => worker.backend === backend && !worker.alive && !worker.liveness).length);
  }
  const unacked = new Family('receipts_doctor_celery_unacked', 'Celery messages delivered to a worker and not acknowledged yet (kombu `unacked`).');
  if (live.celery) unacked.add({}, live.celery.unacked);
  const sidekiqSets = new Family('receipts_doctor_sidekiq_jobs', "Sidekiq's jobs outside the queues, by sorted set: `retry` (failed, waiting to retry), `scheduled`, `dead`.");
  if (live.sidekiq) for (const set of ['retry', 'scheduled', 'dead'] as const) sidekiqSets.add({ set }, live.sidekiq[set]);
  const roundTrips = new Family('receipts_doctor_live_round_trips', 'Round trips to Redis the inspection made (the most to any one Redis).');
  if (live.roundTrips !== undefined) roundTrips.add({}, live.roundTrips);
  const duration = new Family('receipts_doctor_live_duration_seconds', 'How long the inspection took.', 'seconds');
  duration.add({}, live.durationMs / 1000);
  const rabbitmq = live.queues.some((queue) => queue.consumerUtilisation !== undefined) ? [utilisation] : [];
  return [workers, noConsumer, waiting, active, failed, oldest, ...rabbitmq, up, heartbeat, stale, ...(live.celery ? [unacked] : []), ...(live.sidekiq ? [sidekiqSets] : []), findings, roundTrips, duration];
}

/** The findings by rule and severity (every stage's). */
function findingsFamily(report: Report): Family {
  const findings = new Family('receipts_doctor_findings', 'Findings of this run, by rule and severity.');
  const counts = new Map<string, { rule: string; severity: string; count: number }>();
  for (const finding of report.findings) {
    const key = `${finding.rule}\0${finding.severity}`;
    const entry = counts.get(key) ?? { rule: finding.rule, severity: finding.severity, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  for (const { rule, severity, count } of [...counts.values()].sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0))) {
    findings.add({ rule, severity }, count);
  }
  return findings;
}
