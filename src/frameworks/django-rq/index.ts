import type { QueueFramework } from '../framework.js';
import { JOB_DECORATOR } from '../rq/python.js';
import { djangoRqPython } from './python.js';
import { rqworker } from './worker-program.js';

/** django-rq: `django_rq.get_queue`/`enqueue`/`@job`, `manage.py rqworker` (and an app's own override of it); RQ in Redis. */
export const djangoRq: QueueFramework<'django-rq', 'python'> = {
  id: 'django-rq',
  language: 'python',
  // `get_queue(…)`, `enqueue(…)`, `@job`; `get_scheduler(…)` builds a queue object even when nothing enqueues on it.
  needles: { calls: ['queue'], anywhere: ['get_scheduler'], patterns: [{ needle: '@', pattern: JOB_DECORATOR }] },
  recognizer: djangoRqPython,
  vocabulary: [
    'import django_rq\ndjango_rq.enqueue(NAME)\n',
    'import django_rq\nNAME = django_rq.get_queue("QUEUE")\n',
    'import django_rq\nNAME = django_rq.get_scheduler("QUEUE")\n',
    'from django_rq import job\n@job\ndef NAME():\n    pass\n',
  ],
  workerPrograms: [rqworker],
};
