import { UNKNOWN } from '../../languages/facts.js';
import type { PythonRecognizer, QueueExpression } from '../../languages/python/calls.js';

/**
 * RQ (python-rq), as the Python analyzer recognises it: `Queue` imported from `rq` (or reached as `rq.Queue`,
 * `rq.queue.Queue`, or through django-rq, which re-exports RQ's classes), `@job(...)` decorators and `Worker(...)`
 * constructions, whose queues are consumer-side. The producer kinds it yields are `rq-queue` and `rq-job-decorator`.
 */
export const isRqModule = (module: string): boolean => /^(rq|django_rq)(\.|$)/.test(module);

/** `@job`, `@rq.job`, `@django_rq.job`: a decorator that makes a function enqueue to a queue (the prefilter's extra test). */
export const JOB_DECORATOR = /@[ \t]*(?:[A-Za-z_][\w.]*\.)?job\b/;

/** Methods that enqueue on an RQ queue object (`Queue.enqueue…`), and `delay` on a function decorated with `@job`. */
export const ENQUEUE_METHODS = new Set(['enqueue', 'enqueue_call', 'enqueue_at', 'enqueue_in', 'enqueue_many', 'delay']);

export const rqPython: PythonRecognizer = {
  constructsQueue: (callee, index) => index.isImported(callee, 'Queue', isRqModule),
  queueObject(call, at, index) {
    if (call.decorator) {
      // `@job('low')`, `@job(queue=Queue('low'))`: the decorated function enqueues there (django-rq's bare `@job`: see there).
      if (call.callee.at(-1) !== 'job') return undefined;
      const arg = index.positional(call, 0) ?? index.keyword(call, 'queue');
      const construction = index.queueConstructionIn(arg);
      let queue: QueueExpression | undefined;
      if (construction !== undefined) {
        index.consume(construction);
        queue = index.queueNameOf(index.calls[construction]!);
      } else if (arg) queue = index.valueOf(arg, UNKNOWN);
      if (!queue) return undefined;
      return { kind: 'rq-job-decorator', queue: queue.value, expression: queue.text, bindsDecorated: true };
    }
    if (!index.isImported(call.callee, 'Queue', isRqModule)) return undefined;
    if (index.consumerSide(at)) return null;
    const queue = index.queueNameOf(call);
    return { kind: 'rq-queue', queue: queue.value, expression: queue.text };
  },
  enqueueMethods: ENQUEUE_METHODS,
};
