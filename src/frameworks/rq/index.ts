import type { FrameworkLive, QueueFramework } from '../framework.js';
import { rqLive } from './live-part.js';
import { JOB_DECORATOR, rqPython } from './python.js';
import { rq as rqWorkerProgram } from './worker-program.js';

/** RQ (python-rq): `Queue(...)`, `@job`, `rq worker`; workers and queues under `rq:`. */
export const rq: QueueFramework<'rq', 'python'> & { live: FrameworkLive } = {
  id: 'rq',
  language: 'python',
  // `Queue(…)`, `.enqueue…(`; `f.delay(…)` on a `@job` function, whose decorator can have any name `import … as` gives it.
  needles: { anywhere: ['.delay'], calls: ['queue', 'Queue'], patterns: [{ needle: '@', pattern: JOB_DECORATOR }] },
  recognizer: rqPython,
  vocabulary: [
    'from rq import Queue\nNAME = Queue("QUEUE")\n',
    'import rq\nrq.Queue("QUEUE", connection=redis).enqueue(f)\n',
    'from rq import job\n@job("QUEUE")\ndef NAME():\n    pass\n',
    'from app.jobs import NAME\nNAME.delay(1)\n',
    'from app.queues import NAME\ndef f():\n    NAME.enqueue_call(func=g)\n',
  ],
  workerPrograms: [rqWorkerProgram],
  // The convention of RQ deployments (and of the incident's worker): `RQ_QUEUES=high,default` beside `rq worker $RQ_QUEUES`.
  queueVariables: ['RQ_QUEUES'],
  live: rqLive,
};
