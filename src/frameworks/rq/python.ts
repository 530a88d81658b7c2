/**
 * RQ (python-rq), as the Python analyzer recognises it: `Queue` imported from `rq` (or reached as `rq.Queue`,
 * `rq.queue.Queue`, or through django-rq, which re-exports RQ's classes), `@job(...)` decorators and `Worker(...)`
 * constructions, whose queues are consumer-side. The producer kinds it yields are `rq-queue` and `rq-job-decorator`.
 */
export const isRqModule = (module: string): boolean => /^(rq|django_rq)(\.|$)/.test(module);

/** `@job`, `@rq.job`, `@django_rq.job`: a decorator that makes a function enqueue to a queue (the prefilter's extra test). */
export const JOB_DECORATOR = /@[ \t]*(?:[A-Za-z_][\w.]*\.)?job\b/;

/**
 * Methods that enqueue on an RQ queue object (`Queue.enqueue…`), on an rq-scheduler `Scheduler` (see
 * rq-scheduler.ts), and `delay` on a function decorated with `@job`.
 */
export const ENQUEUE_METHODS = new Set([
  'enqueue', 'enqueue_call', 'enqueue_at', 'enqueue_in', 'enqueue_many', 'schedule', 'cron', 'delay',
]);
