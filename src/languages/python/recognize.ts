import { recognizersOf } from '../../frameworks/index.js';
import { UNKNOWN, type Binding, type ModuleFacts, type RawCheck, type RawProducer, type RawQueueObject, type ValueExpr } from '../facts.js';
import { innermostBinding } from '../scopes.js';
import type { PyArg, PyCall, PythonCallIndex, PythonRecognizer } from './calls.js';
import { isWorkerConstructor, pythonCallIndex, type FirstPass } from './call-index.js';

/** The Python frameworks' recognizers, in registry order. */
const RECOGNIZERS: readonly { id: string; recognizer: PythonRecognizer }[] = recognizersOf('python');

/** A queue object's name in a scope: an object's index, a factory function it comes from, or -1 when bound to several. */
type Named = number | { factory: string };

/**
 * Pass 2: decides which calls build queue objects, enqueue, are consumer-side or are availability checks. The
 * frameworks' recognizers say what their calls build and send; this binds the objects to names, finds the enqueue
 * sites' receivers, and reads the checks (those are the language's: any `…worker…(queue)` helper).
 */
export function recognizePython(pass: FirstPass & { bindings: Map<string, Binding>; moduleAssignments: ReadonlyMap<string, number> }): ModuleFacts {
  const { tokens, calls, bindings, moduleAssignments } = pass;
  const index = pythonCallIndex(pass, RECOGNIZERS.map(({ recognizer }) => recognizer));
  const { keyword, positional, hasStar, valueOf, location, queueConstructionIn, queueNameOf } = index;
  const producers: RawProducer[] = [];
  const queues: RawQueueObject[] = [];
  const checks: RawCheck[] = [];

  // 1. Availability checks and the argument that names their queue; an inline Queue(...) there is consumed.
  const checkArgs: { call: PyCall; arg?: PyArg; fallback?: ValueExpr }[] = [];
  calls.forEach((call) => {
    const last = call.callee[call.callee.length - 1] ?? '';
    const receiver = call.callee[call.callee.length - 2] ?? '';
    let arg: PyArg | undefined;
    let fallback: ValueExpr | undefined;
    if ((last === 'all' || last === 'count') && /Worker$/.test(receiver)) arg = keyword(call, 'queue');
    else if (/worker/i.test(last) && !isWorkerConstructor(call.callee) && !call.decorator) {
      arg = keyword(call, 'queue_name', 'queue');
      // A helper defined in this module: the argument in its queue parameter's place, or that parameter's default.
      const param = call.callee.length === 1 ? pass.functions.get(last)?.find((p) => /queue/i.test(p.name)) : undefined;
      if (!arg && param) {
        arg = keyword(call, param.name) ?? (hasStar(call) ? undefined : positional(call, param.index));
        if (!arg && !hasStar(call)) fallback = param.default;
      }
      if (!arg && !fallback) {
        arg = call.args.find((candidate) => {
          if (candidate.keyword || candidate.star) return false;
          const t = tokens[candidate.from]!;
          if (t.type === 'string') return true;
          if (t.type === 'name' && candidate.to === candidate.from + 1 && /queue/i.test(t.value)) return true;
          return queueConstructionIn(candidate) !== undefined;
        });
      }
    } else return;
    if (!arg && !fallback) return;
    const construction = queueConstructionIn(arg);
    if (construction !== undefined) index.consume(construction);
    checkArgs.push({ call, ...(arg ? { arg } : {}), ...(fallback ? { fallback } : {}) });
  });

  // 2. Queue objects: where they are built, and the names they are bound to.
  /** Local (`scope\0name`) and class attribute (`Class\0.attr`) names → object. */
  const named = new Map<string, Named>();
  const objectOfCall = new Map<number, number>();
  const nameObject = (key: string, object: Named) => {
    named.set(key, named.has(key) ? -1 : object);
  };
  /** `assigned`: `name = Queue(...)`; `factory`: `def name(): return Queue(...)`; `function`: `@job(...) def name`. */
  const bindModule = (name: string, object: number, how: 'assigned' | 'factory' | 'function') => {
    const existing = bindings.get(name);
    const factory = how === 'factory';
    // A name assigned more than once, or a factory returning several queues, is no single object.
    if (existing?.kind === 'queue' || (how === 'assigned' ? moduleAssignments.get(name) !== 1 : existing !== undefined)) {
      bindings.set(name, { kind: 'value', value: UNKNOWN });
      return;
    }
    bindings.set(name, { kind: 'queue', object, factory });
  };
  const addObject = (at: number, object: RawQueueObject) => {
    const call = calls[at]!;
    if (call.scope) object.scope = call.scope;
    queues.push(object);
    const id = queues.length - 1;
    objectOfCall.set(at, id);
    const target = call.assignTarget;
    if (call.wholeValue && target !== undefined) {
      const parts = target.split('.');
      if (parts.length === 1) {
        if (call.scopeKind === 'module') bindModule(target, id, 'assigned');
        else if (call.scopeKind === 'class') nameObject(`${call.className}\0.${target}`, id);
        else nameObject(`${call.scope}\0${target}`, id);
      } else if (parts.length === 2 && parts[0] === 'self' && call.className !== undefined) {
        nameObject(`${call.className}\0.${parts[1]}`, id);
      }
    }
    // `def receipts_queue(): return Queue(...)` at module level: a factory.
    if (call.returned && call.scopeKind === 'def' && call.scope !== undefined && !call.scope.includes('.')) {
      bindModule(call.scope, id, 'factory');
    }
  };
  calls.forEach((call, at) => {
    for (const { recognizer } of RECOGNIZERS) {
      const recognized = recognizer.queueObject?.(call, at, index);
      if (recognized === undefined) continue;
      // null: the framework's call, building no queue object here (a consumer-side construction).
      if (recognized === null) return;
      const { bindsDecorated, ...object } = recognized;
      addObject(at, { ...object, position: location(call.calleeStart) });
      if (bindsDecorated && call.decorates !== undefined && call.scopeKind === 'module') bindModule(call.decorates, queues.length - 1, 'function');
      return;
    }
    // `q = receipts_queue_factory()` in a function: `q.enqueue(...)` goes through the factory's queue.
    if (!call.decorator && call.wholeValue && call.assignTarget && !call.assignTarget.includes('.') && call.scopeKind === 'def' && call.callee.length === 1) {
      nameObject(`${call.scope}\0${call.assignTarget}`, { factory: call.callee[0]! });
    }
  });

  /** The queue object a receiver written as tokens names, seen from `call`: local, class attribute, or module name. */
  const lookup = (parts: string[], call: PyCall): { object: number } | { receiver: string; factory: boolean } | undefined => {
    const target = (found: Named | undefined) => {
      if (found === undefined || found === -1) return undefined;
      return typeof found === 'number' ? { object: found } : { receiver: found.factory, factory: true };
    };
    if (parts.length === 1) {
      // The innermost enclosing function that binds the name, then the module.
      const found = innermostBinding(named, call.scope, parts[0]!);
      return found === undefined ? { receiver: parts[0]!, factory: false } : target(found);
    }
    if (parts.length === 2) {
      const owner = parts[0] === 'self' || parts[0] === 'cls' ? call.className : parts[0];
      if (owner === undefined) return undefined;
      return target(named.get(`${owner}\0.${parts[1]}`));
    }
    return undefined;
  };

  // 3. Enqueue sites.
  const enqueueMethods = new Set(RECOGNIZERS.flatMap(({ recognizer }) => [...(recognizer.enqueueMethods ?? [])]));
  const callByClose = new Map(calls.map((call, at) => [call.close, at]));
  calls.forEach((call) => {
    const last = call.callee[call.callee.length - 1] ?? '';
    if (call.decorator) return;
    const site = (sent: Omit<RawProducer, 'position' | 'scope' | 'via'>): RawProducer => {
      const producer: RawProducer = { ...sent, position: location(call.calleeStart), via: last };
      if (call.scope) producer.scope = call.scope;
      return producer;
    };
    for (const { recognizer } of RECOGNIZERS) {
      const sent = recognizer.producer?.(call, index);
      if (sent === undefined) continue;
      producers.push(site(sent));
      return;
    }
    if (!enqueueMethods.has(last) || call.callee.length < 2) return;
    let target: { object: number } | { receiver: string; factory: boolean } | undefined;
    if (call.callee[0] === '()') {
      if (call.callee.length !== 2) return;
      const receiverCall = callByClose.get(call.calleeStart - 2);
      if (receiverCall === undefined) return;
      const object = objectOfCall.get(receiverCall);
      if (object !== undefined) target = { object };
      else if (calls[receiverCall]!.callee.length === 1) target = { receiver: calls[receiverCall]!.callee[0]!, factory: true };
    } else target = lookup(call.callee.slice(0, -1), call);
    if (!target) return;
    const producer = site({ kind: 'rq-queue', queue: UNKNOWN, expression: '' });
    if ('object' in target) {
      producer.object = target.object;
      producer.kind = queues[target.object]!.kind;
    } else {
      producer.receiver = target.receiver;
      if (target.factory) producer.factoryCall = true;
    }
    // A site that names its own queue over its object's (`scheduler.cron(…, queue_name='x')`, `task.apply_async(queue='x')`).
    for (const { recognizer } of RECOGNIZERS) {
      const named = recognizer.siteQueue?.(call, index);
      if (!named) continue;
      const queue = valueOf(named, UNKNOWN);
      Object.assign(producer, { queue: queue.value, expression: queue.text, override: true });
    }
    producers.push(producer);
  });

  // 4. Checks, now that queue objects are known: `Worker.all(queue=receipts_queue)` asks about its queue.
  for (const { call, arg, fallback } of checkArgs) {
    const callee = call.callee.filter((part) => part !== '()').join('.');
    let value: ValueExpr;
    const construction = queueConstructionIn(arg);
    if (construction !== undefined) value = queueNameOf(calls[construction]!).value;
    else if (!arg) value = fallback!;
    else {
      value = valueOf(arg, UNKNOWN).value;
      const parts: string[] = [];
      for (let j = arg.from; j < arg.to; j += 2) {
        if (tokens[j]!.type !== 'name' || (j + 1 < arg.to && tokens[j + 1]!.value !== '.')) break;
        parts.push(tokens[j]!.value);
      }
      const found = parts.length * 2 - 1 === arg.to - arg.from ? lookup(parts, call) : undefined;
      if (found && 'object' in found) value = queues[found.object]!.queue;
    }
    const check: RawCheck = { queue: value, position: location(call.calleeStart), callee };
    if (call.scope) check.scope = call.scope;
    checks.push(check);
  }

  const frameworks: Record<string, unknown> = {};
  for (const { id, recognizer } of RECOGNIZERS) {
    const data = recognizer.moduleData?.(index);
    if (data !== undefined) frameworks[id] = data;
  }
  return { language: 'python', bindings, producers, queues, checks, ...(Object.keys(frameworks).length ? { frameworks } : {}) };
}
