import { literal, UNKNOWN } from '../../languages/facts.js';
import type { PythonRecognizer, QueueExpression } from '../../languages/python/calls.js';

/**
 * rq-scheduler: `Scheduler(queue_name='x', connection=…)` (or `Scheduler(queue=Queue('x'))`; `default` when neither)
 * builds a queue object whose `schedule(…)`, `cron(…)`, `enqueue_at(…)` and `enqueue_in(…)` calls are enqueue sites
 * (producer kind `rq-scheduler`); a `queue_name=` keyword on one of those calls names the queue for that call.
 */
export const isRqSchedulerModule = (module: string): boolean => /^rq_scheduler(\.|$)/.test(module);

/** Methods of an rq-scheduler `Scheduler` that enqueue (and accept `queue_name=`). */
export const SCHEDULER_METHODS = new Set(['schedule', 'cron', 'enqueue_at', 'enqueue_in']);

export const rqSchedulerPython: PythonRecognizer = {
  queueObject(call, _at, index) {
    if (call.decorator || !index.isImported(call.callee, 'Scheduler', isRqSchedulerModule)) return undefined;
    // Scheduler(queue_name='x') / Scheduler('x') / Scheduler(queue=Queue('x')); `default` when none.
    const inner = index.queueConstructionIn(index.keyword(call, 'queue'));
    let queue: QueueExpression;
    if (inner !== undefined) {
      index.consume(inner);
      queue = index.queueNameOf(index.calls[inner]!);
    } else if (index.keyword(call, 'queue')) queue = index.valueOf(undefined, UNKNOWN);
    else queue = index.valueOf(index.positional(call, 0) ?? index.keyword(call, 'queue_name'), literal('default'));
    return { kind: 'rq-scheduler', queue: queue.value, expression: queue.text };
  },
  enqueueMethods: SCHEDULER_METHODS,
  siteQueue: (call, index) => (SCHEDULER_METHODS.has(call.callee.at(-1) ?? '') ? index.keyword(call, 'queue_name') : undefined),
};
