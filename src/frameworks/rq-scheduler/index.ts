import type { QueueFramework } from '../framework.js';

/** rq-scheduler: a `Scheduler`'s `schedule`/`cron`/`enqueue_at`/`enqueue_in`; its jobs run on RQ workers. */
export const rqScheduler: QueueFramework<'rq-scheduler'> = {
  id: 'rq-scheduler',
  language: 'python',
  // `Scheduler(…)`, `.schedule(`, `.cron(`, `.enqueue_at(`/`.enqueue_in(` (and `queue_name=`).
  needles: { anywhere: ['.cron'], calls: ['queue', 'Queue'], schedulerShapes: true },
};
