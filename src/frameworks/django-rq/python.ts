import { literal, UNKNOWN } from '../../languages/facts.js';
import type { PyCall, PythonCallIndex, PythonRecognizer } from '../../languages/python/calls.js';

/**
 * django-rq: `django_rq.get_queue(...)`, `django_rq.enqueue(...)` (the `default` queue) and `@django_rq.job`
 * (bare: `default`). The producer kind it yields is `django-rq-get-queue`; `get_queue` on any receiver counts too.
 * `django_rq.get_scheduler('x')` (`default` when none) is an rq-scheduler queue object: its `enqueue_at`,
 * `enqueue_in`, `schedule` and `cron` calls enqueue to `x`. `@job('x')` with a queue is RQ's (see rq/python.ts).
 */
export const isDjangoRqModule = (module: string): boolean => module.startsWith('django_rq');

/** `name` imported from django-rq, or called on the module (`django_rq.name`, also through an alias). */
function isDjangoRq(callee: readonly string[], name: string, index: PythonCallIndex): boolean {
  if (callee[callee.length - 1] !== name) return false;
  const imported = index.importOf(callee.length === 1 ? name : callee[0]!);
  return imported !== undefined && isDjangoRqModule(imported.module);
}

export const djangoRqPython: PythonRecognizer = {
  queueObject(call: PyCall, _at, index) {
    if (call.decorator) {
      // A bare `@job` / `@django_rq.job()`: the `default` queue.
      if (call.callee.at(-1) !== 'job' || index.positional(call, 0) || index.keyword(call, 'queue') || !isDjangoRq(call.callee, 'job', index)) return undefined;
      return { kind: 'rq-job-decorator', queue: literal('default'), expression: '', bindsDecorated: true };
    }
    if (call.callee.at(-1) === 'get_queue' && call.callee[0] !== '()') {
      const queue = index.queueNameOf(call);
      return { kind: 'django-rq-get-queue', queue: queue.value, expression: queue.text };
    }
    if (isDjangoRq(call.callee, 'get_scheduler', index)) {
      // An rq-scheduler Scheduler on queue `x` (`default` when none).
      const named = index.positional(call, 0) ?? index.keyword(call, 'name');
      const queue = !named && index.keyword(call, 'queue') ? index.valueOf(undefined, UNKNOWN) : index.valueOf(named, literal('default'));
      return { kind: 'rq-scheduler', queue: queue.value, expression: queue.text };
    }
    return undefined;
  },
  producer(call, index) {
    // `django_rq.enqueue(f)` / `enqueue(f)` imported from django_rq: the `default` queue.
    if (!isDjangoRq(call.callee, 'enqueue', index) || call.callee.length > 2) return undefined;
    if (call.callee.length === 2 && index.importOf(call.callee[0]!)?.name !== '*module*') return undefined;
    return { kind: 'django-rq-get-queue', queue: literal('default'), expression: '' };
  },
};
