import { DEFAULT_SYNC_MODE } from '../contract/http.js';

/** The job name the API enqueues and the worker runs (the incident's `sync_receipts`). */
export const SYNC_JOB_NAME = 'sync_receipts';

/** Sync modes the job knows; anything else is a 400 at the API. `fail` exercises the failure path. */
export const SYNC_MODES = [DEFAULT_SYNC_MODE, 'full', 'fail'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** The error a `fail` sync ends with, as the status endpoint reports it. */
export const PROVIDER_REJECTED = 'Receipt provider rejected the credentials';

export interface SyncJobData {
  mode: SyncMode;
  business_id?: number;
}

export interface SyncResult {
  fetched: number;
  created: number;
  updated: number;
}

/** How much simulated work one sync does: `batches` steps of `batchDelayMs` each (bounded by construction). */
export interface SyncWorkOptions {
  batches: number;
  batchDelayMs: number;
}

export const DEFAULT_SYNC_WORK: SyncWorkOptions = { batches: 5, batchDelayMs: 20 };

/** The part of a BullMQ job the sync needs (keeps the processor testable without a queue). */
export interface SyncJobLike {
  data: SyncJobData;
  updateProgress(progress: number): Promise<unknown>;
}

/** Thrown into a sync that serve abandons at shutdown (never recorded: Redis is disconnected first). */
export class SyncAbandoned extends Error {
  override name = 'SyncAbandoned';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new SyncAbandoned('serve stopped before the sync finished'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SyncAbandoned('serve stopped before the sync finished'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Simulates a receipts sync: fetches receipts from a provider in batches, reporting progress after each.
 * A full sync fetches more per batch than an incremental one; `fail` is rejected by the provider after
 * the first batch, so a failed job has shown progress first, as a real one would.
 */
export async function runSyncJob(job: SyncJobLike, work: SyncWorkOptions = DEFAULT_SYNC_WORK, abandon?: AbortSignal): Promise<SyncResult> {
  const perBatch = job.data.mode === 'full' ? 50 : 20;
  const result: SyncResult = { fetched: 0, created: 0, updated: 0 };
  const batches = Math.max(1, work.batches);
  for (let batch = 0; batch < batches; batch += 1) {
    if (job.data.mode === 'fail' && batch === 1) throw new Error(PROVIDER_REJECTED);
    await sleep(work.batchDelayMs, abandon);
    result.fetched += perBatch;
    result.created += perBatch / 4;
    result.updated += perBatch - perBatch / 4;
    await job.updateProgress(Math.round(((batch + 1) / batches) * 100));
  }
  if (job.data.mode === 'fail') throw new Error(PROVIDER_REJECTED);
  return result;
}
