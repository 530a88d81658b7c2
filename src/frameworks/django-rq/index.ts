import type { QueueFramework } from '../framework.js';
import { JOB_DECORATOR } from '../rq/python.js';
import { rqworker } from './worker-program.js';

/** django-rq: `django_rq.get_queue`/`enqueue`/`@job`, `manage.py rqworker` (and an app's own override of it); RQ in Redis. */
export const djangoRq: QueueFramework<'django-rq'> = {
  id: 'django-rq',
  language: 'python',
  // `get_queue(…)`, `enqueue(…)`, `@job`; `get_scheduler(…)` builds a queue object even when nothing enqueues on it.
  needles: { calls: ['queue'], anywhere: ['get_scheduler'], patterns: [{ needle: '@', pattern: JOB_DECORATOR }] },
  workerPrograms: [rqworker],
};
