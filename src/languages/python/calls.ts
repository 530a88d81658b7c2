import type { Binding, Position, RawProducer, RawQueueObject, ValueExpr } from '../facts.js';
import type { PyToken } from './tokenizer.js';

/**
 * The Python call index: what the analyzer's first pass finds in one module (its calls with their arguments
 * evaluated, its bindings and functions) and the lookups over it, as a queue framework's Python recognizer reads
 * them. Interfaces only: the analyzer builds the index, the frameworks (src/frameworks/<id>/python.ts) read it.
 */

/** A call site. */
export interface PyCall {
  /** Callee segments (`rq.Queue` → ['rq', 'Queue']); empty when the callee is not a dotted name (`f()()`); `()` first when the receiver is an expression (`Queue('x').enqueue`). */
  callee: string[];
  calleeStart: number;
  open: number;
  close: number;
  args: PyArg[];
  scope: string | undefined;
  /** What the innermost scope is: module level, a class body or a function. */
  scopeKind: 'module' | 'class' | 'def';
  /** Dotted name of the class whose body or method holds the call (`self.x` refers to it). */
  className?: string;
  /** Target of the enclosing simple assignment statement (`q = Queue(...)` → `q`). */
  assignTarget?: string;
  /** The call is the whole value of that assignment (`q = Queue(...)`, not `q = Queue(...).enqueue(...)`). */
  wholeValue?: boolean;
  /** The call is the whole value of a `return` statement (a factory function). */
  returned?: boolean;
  /** A decorator call: the function or class it decorates. */
  decorates?: string;
  /** Index (in calls) of the innermost call whose arguments contain this one. */
  parent?: number;
  decorator: boolean;
}

export interface PyArg {
  keyword?: string;
  star: boolean;
  /** Token range of the value [from, to). */
  from: number;
  to: number;
  /** The value, evaluated with the locals in scope at the call. */
  value: ValueExpr;
}

/** A parameter of a module-level function: its position and default (for helpers called without the queue). */
export interface PyParam {
  name: string;
  index: number;
  default?: ValueExpr;
}

/** A queue expression and its source text (for producer-unresolved). */
export interface QueueExpression {
  value: ValueExpr;
  text: string;
}

/** One module's calls and the lookups a recognizer uses over them. */
export interface PythonCallIndex {
  source: string;
  tokens: readonly PyToken[];
  calls: readonly PyCall[];
  /** The module-level bindings (imports, constants; queue objects once pass 2 binds them). */
  bindings: ReadonlyMap<string, Binding>;
  /** The module's imports as the first pass bound them (before pass 2 binds any queue object). */
  imports: readonly Extract<Binding, { kind: 'import' }>[];
  /** Module-level functions and their parameters. */
  functions: ReadonlyMap<string, readonly PyParam[]>;
  positional(call: PyCall, index: number): PyArg | undefined;
  keyword(call: PyCall, ...names: string[]): PyArg | undefined;
  hasStar(call: PyCall): boolean;
  /** An argument's value and text; `fallback` when the argument is absent, unknown when it is starred. */
  valueOf(arg: PyArg | undefined, fallback: ValueExpr): QueueExpression;
  location(tokenIndex: number): Position;
  /** The import a module-level name is bound to. */
  importOf(name: string): Extract<Binding, { kind: 'import' }> | undefined;
  /** `Name` imported from a module `isModule` accepts, or reached as `module.Name` / `module.sub.Name`. */
  isImported(callee: readonly string[], name: string, isModule: (module: string) => boolean): boolean;
  /** The call chained after `call` (`call(…).set(…)`), when there is one. */
  chained(call: PyCall): PyCall | undefined;
  /** A queue construction (see PythonRecognizer.constructsQueue) that is the whole of `arg`: its index in calls. */
  queueConstructionIn(arg: PyArg | undefined): number | undefined;
  /** The queue a construction names (its first argument or `name=`; `default` when none). */
  queueNameOf(call: PyCall): QueueExpression;
  /** Marks a queue construction as naming the queue of another call (a check, a decorator): it is no queue object itself. */
  consume(callIndex: number): void;
  /** A construction that is consumer-side: consumed, inside a `Worker(…)` call or handed to one. */
  consumerSide(callIndex: number): boolean;
}

/** What a recognizer says a call builds: a queue object (the analyzer records and binds it). */
export type RecognizedObject = Omit<RawQueueObject, 'position' | 'scope'> & {
  /** `@job(...) def f` / `@app.task def f` at module level: `f.delay(...)` enqueues, from this module or one that imports `f`. */
  bindsDecorated?: boolean;
};

/**
 * A queue framework's Python part, called by the analyzer's second pass in registry order. Each phase runs over
 * every call before the next phase starts:
 * 1. `queueObject` for every call, in source order (a call is claimed by the first framework that returns an object);
 * 2. `producer` (a direct send: `django_rq.enqueue(f)`, `app.send_task('t')`), else an enqueue site when the method
 *    is one of some framework's `enqueueMethods` and the receiver names a queue object; then every framework's
 *    `siteQueue` may name that one site's queue (rq-scheduler's `queue_name=`, Celery's `queue=`);
 * 3. `moduleData`, once: what the module says at project level (Celery's app configuration), kept under the
 *    framework's id in ModuleFacts.frameworks for its project step.
 * Availability checks (`Worker.all(queue=…)`, `has_worker_for('x')`) are the language's, not a framework's.
 */
export interface PythonRecognizer {
  /** Whether a callee builds a queue that a check, a decorator or a Worker may take as an argument (RQ's `Queue`). */
  constructsQueue?(callee: readonly string[], index: PythonCallIndex): boolean;
  /** The queue object a call builds; null when the call is the framework's but builds none here (consumer-side). */
  queueObject?(call: PyCall, callIndex: number, index: PythonCallIndex): RecognizedObject | null | undefined;
  /** Methods that enqueue when called on a queue object (`enqueue`, `delay`, `apply_async`, …). */
  enqueueMethods?: ReadonlySet<string>;
  /** A call that sends by itself, without a queue object; undefined when the call is not one. */
  producer?(call: PyCall, index: PythonCallIndex): Omit<RawProducer, 'position' | 'scope' | 'via'> | undefined;
  /** The queue one enqueue site names over its object's (`scheduler.cron(…, queue_name='x')`). */
  siteQueue?(call: PyCall, index: PythonCallIndex): PyArg | undefined;
  moduleData?(index: PythonCallIndex): unknown;
}
