import { stringify } from 'yaml';
import { InputError } from '../errors.js';

/** `receipts-doctor alerts` options: how long a condition holds before it fires, the stuck age, the scrape job. */
export interface AlertOptions {
  /** A Prometheus duration (`5m`, `1h30m`, `30s`). */
  for: string;
  stuckAfterSeconds: number;
  /** The `job` label of the exporter's scrape config (for the exporter-down alert). */
  job: string;
}

/** Prometheus's duration syntax (model.ParseDuration): units from years down to milliseconds, each once, in order. */
const DURATION = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

export function parseDuration(flag: string, value: string): string {
  if (value === '' || !DURATION.test(value)) throw new InputError(`${flag} expects a Prometheus duration such as 30s, 5m or 1h30m, got \`${value}\`.`);
  return value;
}

/** A job name that can sit in a PromQL string without escaping. */
const JOB_NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

export function parseJob(value: string): string {
  if (!JOB_NAME.test(value)) throw new InputError(`--job expects the scrape job's name (letters, digits, _ . : / -), got \`${value}\`.`);
  return value;
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string };
}

/** The exporter and the Redis it reads, as an alert's description names them. */
const WHERE = 'exporter {{ $labels.instance }}{{ with $labels.redis }}, Redis {{ . }}{{ end }}';

/** The rules, in the order on-call reads them: the incident's state first. Pure. */
export function alertRules(options: AlertOptions): Rule[] {
  const job = `{job="${options.job}"}`;
  return [
    {
      alert: 'ReceiptsQueueWithoutConsumer',
      expr: [
        '(receipts_doctor_queue_no_consumer == 1 and receipts_doctor_queue_waiting > 0)',
        'or',
        '(receipts_doctor_queue_no_consumer == 1 and on (instance, job, queue) receipts_doctor_queue_expected == 1)',
      ].join('\n'),
      for: options.for,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Queue {{ $labels.queue }} has no consumer',
        description:
          'No live {{ $labels.backend }} worker consumes queue {{ $labels.queue }} (' +
          WHERE +
          '), which the code enqueues to or which holds waiting jobs: its jobs wait forever, and an API that checks for a worker answers 503. ' +
          'Start a worker that listens to {{ $labels.queue }}, or add the queue to the worker\'s queue list (RQ_QUEUES, celery -Q, the worker command) and redeploy; ' +
          '`receipts-doctor check` names the configuration that leaves it out.',
      },
    },
    {
      alert: 'ReceiptsQueueJobsStuck',
      expr: `receipts_doctor_queue_oldest_waiting_age_seconds > ${options.stuckAfterSeconds}\nunless receipts_doctor_queue_no_consumer == 1`,
      for: options.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Jobs wait in queue {{ $labels.queue }}',
        description:
          'The oldest waiting job of queue {{ $labels.queue }} (' +
          WHERE +
          `) is {{ $value | humanizeDuration }} old, over ${options.stuckAfterSeconds} s, although workers listen to the queue: they are busy, blocked or too few. ` +
          "Look at the workers' current jobs and logs (`receipts-doctor live`), and add workers if the queue keeps growing.",
      },
    },
    {
      alert: 'ReceiptsStaleWorkers',
      expr: 'receipts_doctor_stale_workers > 0',
      for: options.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value }} stale {{ $labels.backend }} worker(s)',
        description:
          '{{ $value }} registered {{ $labels.backend }} worker(s) (' +
          WHERE +
          ') stopped heartbeating without deregistering (crashed or killed): they consume nothing. ' +
          'Find them with `receipts_doctor_worker_up == 0`, find out why they died, and check that live workers still cover their queues.',
      },
    },
    {
      alert: 'ReceiptsDoctorExporterDown',
      expr: `up${job} == 0\nor absent(up${job})`,
      for: options.for,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'The receipts-doctor exporter is down{{ with $labels.instance }} ({{ . }}){{ end }}',
        description:
          `Prometheus cannot scrape the receipts-doctor exporter (job ${options.job}{{ with $labels.instance }}, {{ . }}{{ end }}): a queue without a consumer would go unnoticed. ` +
          'Check that its process runs, its log, and that its --listen address is reachable from Prometheus.',
      },
    },
    {
      alert: 'ReceiptsDoctorReadFailing',
      expr: 'receipts_doctor_up == 0',
      for: options.for,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'receipts-doctor cannot read Redis',
        description:
          'The receipts-doctor exporter {{ $labels.instance }} failed its last reads of Redis: its queue and worker series are from its last good read (receipts_doctor_last_read_timestamp_seconds). ' +
          'Its log line `read failed` gives the reason: Redis down or unreachable, a wrong password, or an ACL user without +@read.',
      },
    },
  ];
}

/** The Prometheus rules file `receipts-doctor alerts` prints. */
export function formatAlertRules(options: AlertOptions, command: string): string {
  const header = `# Prometheus alerting rules for the receipts-doctor exporter (docs/exporter.md).\n# Generated by: ${command}\n`;
  return header + stringify({ groups: [{ name: 'receipts-doctor', rules: alertRules(options) }] }, { lineWidth: 0 });
}
