import type { QueueFramework } from '../framework.js';
import { rqworker } from './worker-program.js';

/** django-rq: `django_rq.get_queue`/`enqueue`/`@job`, `manage.py rqworker` (and an app's own override of it); RQ in Redis. */
export const djangoRq: QueueFramework<'django-rq'> = {
  id: 'django-rq',
  language: 'python',
  workerPrograms: [rqworker],
};
