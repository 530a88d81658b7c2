import type { ProducerKind } from '../types.js';
import type { LanguageId } from './language-id.js';

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

/**
 * A queue name as far as the code knows it once resolved across modules (the Resolver's answer): a string, or a
 * variable read at run time with its code default.
 */
export type SymbolicName = { kind: 'literal'; value: string } | { kind: 'env'; variable: string; fallback: string | null };

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
  /** A task (Celery's): its name (`name=`, else its function's, named by its framework's project step); `routed` when no queue is given. */
  task?: TaskSend;
}

/**
 * A task as a queue object or a by-name send (a Celery task, `send_task('name')`): without its own queue it goes
 * where its framework's project step routes it (Celery: the app's routes).
 */
export interface TaskSend {
  name?: string;
  /** The function it decorates, when it has no `name=` (Celery names it `<module>.<function>`). */
  function?: string;
  routed: boolean;
  /** The app object it is bound to or sent through, as written (`billing_app` of `@billing_app.task`, `app.send_task`). */
  app?: string;
  /** Bound to every app (`@shared_task`): sent through whichever is current in the sending process. */
  shared?: true;
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
  /** A by-name send (`send_task('name')`): the task, routed when the call names no queue. */
  task?: TaskSend;
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
  /**
   * Modules whose every public name this module takes (`from m import *`), as written, in order (absent: none); a
   * name the module does not bind itself is looked up in them (the Resolver follows them, bounded).
   */
  starImports?: string[];
  /**
   * What the module says at project level, by framework id (a recognizer's `moduleData`: Celery's app configuration),
   * read by that framework's project step; absent: nothing.
   */
  frameworks?: Readonly<Record<string, unknown>>;
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

/**
 * How deep strings may nest inside f-string fields / template substitutions before a tokenizer gives up on the file
 * (far beyond hand-written code; the scanners recurse per level, so a hostile file must not reach the stack limit).
 */
export const MAX_STRING_NESTING = 500;

/** A module nested too deeply to tokenize: the file is a reported skip, never a crash of the whole run. */
export class NestingTooDeepError extends Error {
  override name = 'NestingTooDeepError';
  constructor() {
    super(`strings nested more than ${MAX_STRING_NESTING} levels deep`);
  }
}

type BracketToken = { type: string; value: string };

/** The bracket matches of one token array, computed once (one pass with a stack) and reused by every call site. */
const bracketMatchCache = new WeakMap<readonly BracketToken[], Int32Array>();

/**
 * For each bracket, the index of its partner (any kind closes any kind, as a depth count would): an opener never
 * closed gets the last token, a closer never opened gets 0; -1 for other tokens.
 */
function bracketMatches(tokens: readonly BracketToken[]): Int32Array {
  let matches = bracketMatchCache.get(tokens);
  if (matches) return matches;
  matches = new Int32Array(tokens.length).fill(-1);
  const open: number[] = [];
  for (let j = 0; j < tokens.length; j++) {
    const token = tokens[j]!;
    if (token.type !== 'op') continue;
    if (token.value === '(' || token.value === '[' || token.value === '{') open.push(j);
    else if (token.value === ')' || token.value === ']' || token.value === '}') {
      const opener = open.pop();
      matches[j] = opener ?? 0;
      if (opener !== undefined) matches[opener] = j;
    }
  }
  for (const index of open) matches[index] = tokens.length - 1;
  bracketMatchCache.set(tokens, matches);
  return matches;
}

/**
 * Index of the bracket closing the one at `openIndex` (last token when unbalanced); shared by both languages.
 * Linear over a whole module: the matches are computed once per token array, so a file of 300k unclosed `Queue(`
 * calls costs one pass, not one pass per call.
 */
export function matchingBracket(tokens: readonly BracketToken[], openIndex: number): number {
  const match = bracketMatches(tokens)[openIndex];
  return match === undefined || match < 0 ? tokens.length - 1 : match;
}

/** Index of the bracket opening the one closed at `closeIndex` (0 when unbalanced); linear like matchingBracket. */
export function matchingOpenBracket(tokens: readonly BracketToken[], closeIndex: number): number {
  const match = bracketMatches(tokens)[closeIndex];
  return match === undefined || match < 0 ? 0 : match;
}
