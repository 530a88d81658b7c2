/**
 * The prefilter: a file whose text cannot contain a producer or a check is never tokenized. Every queue object the
 * analyzers accept names `Queue`, `get_queue` or `queueName` (all contain `ueue`), or is rq-scheduler's `Scheduler`
 * (`chedule`), or a language's own extra form (Python's `@job` decorator). Every enqueue site calls a method whose
 * name contains `ueue` (`enqueue…`) or `chedule` (`schedule`, `upsertJobScheduler`), or is `.cron(`, `.delay(` or
 * `.add(`/`.addBulk(` written with the dot against the name (as real code does, also across lines: `queue\n  .add(`).
 * Every check calls a function whose name contains `worker` (`orker`/`ORKER`; mixed-case spellings such as `WoRkEr`
 * are not recognised). Celery's apps, configuration modules and Django settings name `celery`/`CELERY` or set
 * `task_routes`/`beat_schedule` (`chedule`); its tasks are `.task`/`shared_task` decorators, sent with `.delay(`,
 * `.apply_async(`, `send_task(` or a signature (`.s(`, `.si(`, `.signature(`).
 */
const NEEDLES = [
  'ueue', 'orker', 'ORKER', 'chedule', '.cron', '.delay', '.add',
  'elery', 'ELERY', '.task', 'shared_task', 'task_routes', '.apply_async', 'send_task', '.s(', '.si(', '.signature(',
];
const NEEDLE_BYTES = NEEDLES.map((needle) => Buffer.from(needle));

export function hasQueueNeedle(text: string): boolean {
  return NEEDLES.some((needle) => text.includes(needle));
}

/** The same test on raw bytes: native substring search, no UTF-8 decoding for the files that fail it. */
export function bytesHaveQueueNeedle(bytes: Buffer): boolean {
  return NEEDLE_BYTES.some((needle) => bytes.indexOf(needle) >= 0);
}
