import type { QueueFramework } from '../framework.js';
import { rqSchedulerPython } from './python.js';

/** rq-scheduler: a `Scheduler`'s `schedule`/`cron`/`enqueue_at`/`enqueue_in`; its jobs run on RQ workers. */
export const rqScheduler: QueueFramework<'rq-scheduler', 'python'> = {
  id: 'rq-scheduler',
  language: 'python',
  // `Scheduler(…)`, `.schedule(`, `.cron(`, `.enqueue_at(`/`.enqueue_in(` (and `queue_name=`).
  needles: { anywhere: ['.cron'], calls: ['queue', 'Queue'], schedulerShapes: true },
  recognizer: rqSchedulerPython,
  vocabulary: [
    'from rq_scheduler import Scheduler\nNAME = Scheduler(queue_name="QUEUE")\n',
    'from app.x import NAME\ndef f():\n    NAME.schedule(when, g)\n',
    'from app.x import NAME\ndef f():\n    NAME.cron("* * * * *", func=g, queue_name="QUEUE")\n',
  ],
};
