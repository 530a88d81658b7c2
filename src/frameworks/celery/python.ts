import { UNKNOWN, literal } from '../../languages/facts.js';
import type { PyArg, PyCall, PythonCallIndex, PythonRecognizer } from '../../languages/python/calls.js';
import { celeryModuleFacts } from './module-facts.js';
import { dictGet, parseLiteral } from '../../languages/python/evaluate.js';

/**
 * Celery, as the Python analyzer recognises it: `@app.task(...)`/`@shared_task(...)` functions are queue objects
 * (producer kind `celery-task`) whose `delay`/`apply_async`/`s`/`si`/`signature` calls are enqueue sites (a
 * `queue=` or `options={'queue': …}` there, or on a chained `.set(…)`/`.apply_async(…)`, names the queue of that
 * call); `app.send_task('name', …)` is a direct producer (`celery-send-task`); `beat_schedule` entries are producers
 * (`celery-beat`). A task without a queue goes where the app's `task_routes` send its name, else to
 * `task_default_queue` (Celery's default `celery`): the app configuration is read per module here and joined for
 * the project by `celeryProject`.
 */


/** Methods of a task that send it (or build the signature that is sent). */
export const CELERY_SITE_METHODS = new Set(['delay', 'apply_async', 's', 'si', 'signature']);
/** Methods chained on a signature that may name its queue. */
export const CELERY_CHAIN_METHODS = new Set(['set', 'apply_async', 'delay']);

export const isCeleryModule = (module: string): boolean => /^celery(\.|$)/.test(module);

/** `@app.task`, `@celery.task(...)`, `@shared_task(...)` (Celery imported in the module or the app imported). */
function isCeleryTask(callee: readonly string[], index: PythonCallIndex): boolean {
  const last = callee.at(-1);
  if (last === 'shared_task') return index.isImported(callee, 'shared_task', isCeleryModule);
  if (last !== 'task' || callee.length !== 2 || callee[0] === '()') return false;
  return celeryMentioned(index) || index.importOf(callee[0]!) !== undefined || index.bindings.get(callee[0]!)?.kind === 'value';
}

/** Whether the module imports Celery, or an app module (`proj.celery`, `celery_app`). */
const mentioned = new WeakMap<PythonCallIndex, boolean>();
function celeryMentioned(index: PythonCallIndex): boolean {
  let found = mentioned.get(index);
  if (found === undefined) {
    found = index.imports.some((binding) => isCeleryModule(binding.module) || /(^|\.)celery(_app)?$/.test(binding.module));
    mentioned.set(index, found);
  }
  return found;
}

/** A call's `queue=` argument, or the `queue` of its `options={…}` dict literal. */
function celeryQueueArg(call: PyCall, index: PythonCallIndex): PyArg | undefined {
  const direct = index.keyword(call, 'queue');
  if (direct) return direct;
  const options = index.keyword(call, 'options');
  if (!options) return undefined;
  const { tokens } = index;
  const queue = dictGet(parseLiteral(tokens, options.from, options.to), 'queue');
  if (!queue || queue.kind !== 'str') return undefined;
  const from = tokens.findIndex((token, k) => k >= options.from && k < options.to && token.line === queue.position.line && token.column === queue.position.column);
  return from < 0 ? undefined : { star: false, from, to: from + 1, value: literal(queue.value) };
}

export const celeryPython: PythonRecognizer = {
  queueObject(call, _at, index) {
    if (!call.decorator || !isCeleryTask(call.callee, index)) return undefined;
    // `@app.task(queue='x', name='n')`, `@shared_task`: a queue object; no queue → routed by the task's name.
    const arg = index.keyword(call, 'queue');
    const queue = arg ? index.valueOf(arg, UNKNOWN) : { value: UNKNOWN, text: '' };
    const name = index.keyword(call, 'name');
    const task = {
      routed: !arg,
      ...(call.callee.at(-1) === 'shared_task' ? { shared: true as const } : call.callee.length === 2 ? { app: call.callee[0]! } : {}),
      ...(name?.value.kind === 'literal' ? { name: name.value.value } : {}),
      ...(call.decorates !== undefined ? { function: call.decorates } : {}),
    };
    return { kind: 'celery-task', queue: queue.value, expression: queue.text, task, bindsDecorated: true };
  },
  enqueueMethods: CELERY_SITE_METHODS,
  producer(call, index) {
    // `app.send_task('proj.tasks.add', queue='x')`: by name; no queue → routed by that name.
    if (call.callee.at(-1) !== 'send_task' || call.callee.length < 2 || call.callee[0] === '()') return undefined;
    const task = index.positional(call, 0) ?? index.keyword(call, 'name');
    if (!task || task.value.kind !== 'literal') return undefined;
    const queueArg = celeryQueueArg(call, index);
    const queue = queueArg ? index.valueOf(queueArg, UNKNOWN) : { value: UNKNOWN, text: '' };
    return { kind: 'celery-send-task', queue: queue.value, expression: queue.text, task: { name: task.value.value, routed: !queueArg, app: call.callee.slice(0, -1).join('.') } };
  },
  siteQueue(call, index) {
    // `queue=` (or `options={'queue': …}`) on the call or on a chained `.set(…)`/`.apply_async(…)`.
    if (!CELERY_SITE_METHODS.has(call.callee.at(-1) ?? '')) return undefined;
    let queueArg = celeryQueueArg(call, index);
    for (let link = call, next = index.chained(link); next && CELERY_CHAIN_METHODS.has(next.callee.at(-1) ?? ''); link = next, next = index.chained(link)) {
      queueArg = celeryQueueArg(next, index) ?? queueArg;
    }
    return queueArg;
  },
  moduleData: celeryModuleFacts,
};
