import type { ServiceModel } from '../compose/model.js';
import type { FileSystem } from '../fs.js';
import type { Location, QueueSource } from '../types.js';

export interface WorkerContext {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  /** Queue variables to honour; `RQ_QUEUES` plus any `--queue-var`. */
  queueVariables: string[];
}

/** What makes a service a worker and which queues it consumes. */
export interface WorkerDetection {
  queues: string[];
  queueSource: QueueSource;
  /** The queue variable, when the queues come from one (set, or unset with a code default). */
  variable?: string;
  /** Where the queue list is written (env entry, command, or the code default in the worker script). */
  location?: Location;
  /** How it was recognised: `rq worker`, `manage.py rqworker`, `celery worker`, `RQ_QUEUES`, `python -m server.worker`, … */
  detectedBy: string;
  /** Unset variables with no default interpolated into the queue variable (queue-var-unset). */
  unsetVariables?: string[];
}

/** Decides whether a service is a worker and which queues it listens to; null when it is not a worker. */
export function detectWorker(_service: ServiceModel, _context: WorkerContext): WorkerDetection | null {
  return null;
}
