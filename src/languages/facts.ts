import type { ProducerKind } from '../types.js';
import type { LanguageId } from './index.js';
import type { CeleryModuleFacts } from './python/frameworks/celery.js';

/**
 * A queue-name expression as the recogniser saw it: a literal, a reference to a name (resolved later through
 * module constants and imports, possibly across modules), or something that cannot be known statically.
 */
export type ValueExpr =
  | { kind: 'literal'; value: string }
  | { kind: 'ref'; name: string }
  /** Read from the environment at run time (`os.getenv('X', 'd')`, `process.env.X ?? 'd'`); resolved per environment. */
  | { kind: 'env'; name: string; fallback: ValueExpr | null }
  | { kind: 'unknown' };

/** Where a module-level name comes from. */
export type Binding =
  | { kind: 'value'; value: ValueExpr }
  | { kind: 'import'; module: string; name: string }
  /**
   * A queue object (`receipts_queue = Queue(...)`, `export const q = new Queue(...)`, a `@job` function) or, with
   * `factory`, a function that returns one: index into the module's `queues`.
   */
  | { kind: 'queue'; object: number; factory: boolean };

export interface Position {
  line: number;
  column: number;
}

/** What a queue object points at, as far as the code says (for connection-mismatch). */
export interface RawConnection {
  /** BullMQ's `prefix` option. */
  prefix?: ValueExpr;
}

/**
 * A queue object built in this module (a construction: `Queue('x')`, `new Queue('x')`, `get_queue('x')`,
 * `Scheduler(queue_name='x')`, a `@job('x')` decorator). Enqueue sites that use it are producers located where they
 * enqueue; one never enqueued to is a producer at its construction.
 */
export interface RawQueueObject {
  kind: ProducerKind;
  queue: ValueExpr;
  expression: string;
  position: Position;
  scope?: string;
  connection?: RawConnection;
  /** A Celery task: its name (`name=`, else `<module>.<function>` made by the scan); `routed` when no queue is given. */
  celeryTask?: CeleryTaskRef;
}

/** A Celery task as a queue object or a `send_task` site: without its own queue it goes through the app's routes. */
export interface CeleryTaskRef {
  name?: string;
  function?: string;
  routed: boolean;
}

/**
 * A producer. A direct one carries its queue (`django_rq.enqueue`, FlowProducer children). An enqueue site on a queue
 * object names it: `object` (built in this module, reached through a local, a class attribute or `self.x`) or
 * `receiver` (a module-level name, resolved through the module's bindings and imports; with `factoryCall` the name
 * is a function called for its queue: `get_queue().enqueue`). One whose receiver resolves to no queue object is
 * not a producer.
 */
export interface RawProducer {
  kind: ProducerKind;
  queue: ValueExpr;
  /** Source text of the queue expression (for producer-unresolved). */
  expression: string;
  position: Position;
  scope?: string;
  /** The method that enqueues (`enqueue`, `enqueue_at`, `add`, `schedule`, `delay`, …). */
  via?: string;
  object?: number;
  receiver?: string;
  factoryCall?: boolean;
  /** The site names its own queue over the object's (rq-scheduler's `queue_name=`). */
  override?: boolean;
  /** `send_task('name')`: the task, routed when the call names no queue. */
  celeryTask?: CeleryTaskRef;
}

export interface RawCheck {
  queue: ValueExpr;
  position: Position;
  scope?: string;
  callee: string;
}

/** What one module contributes: its producers, queue objects and checks, and its module-level bindings. */
export interface ModuleFacts {
  language: LanguageId;
  bindings: Map<string, Binding>;
  producers: RawProducer[];
  /** Queue objects built in this module (absent: none). */
  queues?: RawQueueObject[];
  /** Consumer-side constructions (`new Worker(...)`) and their connection options, for connection-mismatch. */
  workers?: RawConnection[];
  checks: RawCheck[];
  /** What the module says about a Celery app's configuration (Python only; absent: nothing). */
  celery?: CeleryModuleFacts;
}

export const literal = (value: string): ValueExpr => ({ kind: 'literal', value });
export const UNKNOWN: ValueExpr = { kind: 'unknown' };

/** Records a module-level binding; a name bound twice is ambiguous and resolves to nothing. */
export function bind(bindings: Map<string, Binding>, name: string, binding: Binding, seen: Set<string>): void {
  if (seen.has(name)) {
    bindings.set(name, { kind: 'value', value: UNKNOWN });
    return;
  }
  seen.add(name);
  bindings.set(name, binding);
}

/** Index of the bracket closing the one at `openIndex` (last token when unbalanced); shared by both languages. */
export function matchingBracket(tokens: readonly { type: string; value: string }[], openIndex: number): number {
  let depth = 0;
  for (let j = openIndex; j < tokens.length; j++) {
    const token = tokens[j]!;
    if (token.type !== 'op') continue;
    if (token.value === '(' || token.value === '[' || token.value === '{') depth++;
    else if (token.value === ')' || token.value === ']' || token.value === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return tokens.length - 1;
}
