/**
 * rq-scheduler: `Scheduler(queue_name='x', connection=…)` (or `Scheduler(queue=Queue('x'))`; `default` when neither)
 * builds a queue object whose `schedule(…)`, `cron(…)`, `enqueue_at(…)` and `enqueue_in(…)` calls are enqueue sites
 * (producer kind `rq-scheduler`); a `queue_name=` keyword on one of those calls names the queue for that call.
 */
export const isRqSchedulerModule = (module: string): boolean => /^rq_scheduler(\.|$)/.test(module);

/** Methods of an rq-scheduler `Scheduler` that enqueue (and accept `queue_name=`). */
export const SCHEDULER_METHODS = new Set(['schedule', 'cron', 'enqueue_at', 'enqueue_in']);
