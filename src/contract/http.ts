/**
 * The HTTP sync contract (docs/CONTRACT.md §6): the incident's API, which `smoke` drives and the embedded pair
 * (`serve`, `demo`) implements. Paths, body and defaults are spelled here only; smoke's paths and body are options
 * whose defaults come from here. No imports, so the CLI's help texts can use it at no start-up cost.
 */

/** `POST` with `Authorization: Bearer <token>` and a JSON body → 202 `{success, message, job_id, status: "queued"}`. */
export const SYNC_PATH = '/api/receipts/sync';
/** `GET ?job_id=…` → `{job_id, status, …}` (plus `result` or `error`); 404 for an unknown job. */
export const STATUS_PATH = '/api/receipts/sync/status';
/** The query parameter of the status endpoint that names the job. */
export const JOB_ID_PARAM = 'job_id';
/** `GET` → `{workers: [{name, queues, state}], queues: {name: length}, default_queue_has_worker}`. */
export const DIAGNOSTICS_PATH = '/api/receipts/queue/diagnostics';

/** The body's `mode` when it names none (the embedded pair knows more modes: src/embedded/sync-job.ts). */
export const DEFAULT_SYNC_MODE = 'incremental';
/** The body smoke posts unless told otherwise. */
export const DEFAULT_SYNC_BODY = JSON.stringify({ mode: DEFAULT_SYNC_MODE });

/** The statuses of a job, as the status endpoint names them (RQ's names; BullMQ's are mapped onto them). */
export const JOB_STATUSES = ['queued', 'started', 'finished', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The incident's 503 text, verbatim (clients match on the status, people on the text). */
export const WORKER_OFFLINE = 'Receipt sync worker is not online';

/** How long smoke waits for a final status unless `--timeout` says otherwise. */
export const DEFAULT_SMOKE_TIMEOUT_SECONDS = 60;

/** The paths and body smoke uses by default, in the shape of its options. */
export const CONTRACT_DEFAULTS = {
  body: DEFAULT_SYNC_BODY,
  syncPath: SYNC_PATH,
  statusPath: STATUS_PATH,
  diagnosticsPath: DIAGNOSTICS_PATH,
} as const;
