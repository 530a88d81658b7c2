import { matchingBracket, matchingOpenBracket, UNKNOWN, type Binding, type ModuleFacts, type RawProducer, type RawQueueObject } from '../facts.js';
import { ACTIVEJOB_DEFAULT_QUEUE, ACTIVEJOB_ENQUEUE_METHODS, ACTIVEJOB_SUPERCLASSES, MAILER_DEFAULT_QUEUE, MAILER_DELIVER_METHODS } from '../../frameworks/activejob/ruby.js';
import { SIDEKIQ_CLIENT_METHODS, SIDEKIQ_ENQUEUE_METHODS, SIDEKIQ_JOB_MODULES } from '../../frameworks/sidekiq/ruby.js';
import { readSidekiqRedisConfigs } from '../../frameworks/sidekiq/initializer.js';
import { tokenizeRuby, type RbToken } from './tokenizer.js';
import { bareArgumentsEnd, constPath, hashValue, readValue, type RubyValue } from './values.js';
import { autoloadSpecifier } from './resolve.js';

/** A `class`/`module` being read, or another construct closed by `end` (`def`, `do`, `if` at a statement's start…). */
interface Frame {
  kind: 'class' | 'module' | 'other';
  /** Class and module frames: the qualified name (`Billing::InvoiceJob`). */
  name?: string;
  job?: JobClass;
  /** The innermost class or module name at this frame (its own, or the enclosing one's): O(1) per lookup. */
  namespace?: string;
  /** The innermost class name at this frame. */
  enclosingClass?: string;
}

/** What a class body says about it as a job. */
interface JobClass {
  name: string;
  superclass?: string;
  line: number;
  column: number;
  sidekiq: boolean;
  sidekiqQueue?: RubyValue;
  queueAs?: RubyValue;
}

/** The longest qualified class name kept (`A::B::C`); real ones are a few dozen characters. */
const MAX_QUALIFIED_NAME = 256;

/** Keywords that open a construct closed by `end` wherever they appear. */
const ALWAYS_OPENS = new Set(['class', 'module', 'def', 'do', 'begin', 'case']);
/** Keywords that open one only at the start of a statement (elsewhere they are modifiers: `x if y`). */
const OPENS_AT_STATEMENT_START = new Set(['if', 'unless', 'while', 'until', 'for']);

/** Whether the token before a keyword puts the keyword at the start of a statement (or an expression). */
function statementStart(previous: RbToken | undefined): boolean {
  if (!previous || previous.type === 'nl') return true;
  if (previous.type === 'op') return previous.value !== ')' && previous.value !== ']' && previous.value !== '}';
  return previous.type === 'name' && (previous.value === 'then' || previous.value === 'else' || previous.value === 'do' || previous.value === 'begin');
}

/**
 * Ruby: job classes (`include Sidekiq::Job` with `sidekiq_options queue:`; ActiveJob classes with `queue_as`), their
 * enqueue sites (`.perform_async/.perform_in/.perform_at`, `.perform_later`, `.set(queue:)` before either),
 * `Sidekiq::Client.push/enqueue_to/enqueue`, ActionMailer's `deliver_later`, and module constants. A constant used
 * but not defined in the file is bound to the file Rails' autoloader would load it from (resolved by `resolve.ts`).
 */
export function analyzeRuby(text: string): ModuleFacts {
  const tokens = tokenizeRuby(text);
  const bindings = new Map<string, Binding>();
  const producers: RawProducer[] = [];
  const queues: RawQueueObject[] = [];
  const stack: Frame[] = [];
  const jobs: JobClass[] = [];
  const defined = new Set<string>();
  const namespace = () => stack.at(-1)?.namespace;
  /** Pushes a frame, carrying the enclosing names down (a hostile file may nest 100k deep: no walk per lookup). */
  const enter = (frame: Frame) => {
    const outer = stack.at(-1);
    frame.namespace = frame.name ?? outer?.namespace;
    frame.enclosingClass = frame.kind === 'class' ? frame.name : outer?.enclosingClass;
    stack.push(frame);
  };
  const currentClass = () => {
    const top = stack.at(-1);
    return top?.kind === 'class' ? top.job : undefined;
  };
  const useConstant = (path: string) => {
    if (!defined.has(path) && !bindings.has(path)) {
      const specifier = autoloadSpecifier(path);
      if (specifier) bindings.set(path, { kind: 'import', module: specifier, name: path });
    }
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    const afterDot = previous?.value === '.' || previous?.value === '&.';
    if (token.type === 'name' && !afterDot) {
      if (token.value === 'end') {
        stack.pop();
        continue;
      }
      if ((token.value === 'class' || token.value === 'module') && tokens[i + 1]?.value !== '<<') {
        const path = constPath(tokens, i + 1);
        if (!path) {
          enter({ kind: 'other' });
          continue;
        }
        const outer = namespace();
        // Qualified names grow with the nesting: past a real namespace's length (a hostile file nests 100k deep,
        // which would make the names quadratic), a class is known by its own path only.
        const name = outer && outer.length + path.path.length < MAX_QUALIFIED_NAME ? `${outer}::${path.path}` : path.path;
        defined.add(name);
        defined.add(path.path);
        if (token.value === 'module') {
          enter({ kind: 'module', name });
          i = path.end - 1;
          continue;
        }
        const job: JobClass = { name, line: token.line, column: token.column, sidekiq: false };
        if (tokens[path.end]?.value === '<') {
          const superclass = constPath(tokens, path.end + 1);
          if (superclass) job.superclass = superclass.path;
        }
        jobs.push(job);
        enter({ kind: 'class', name, job });
        i = path.end - 1;
        continue;
      }
      if (ALWAYS_OPENS.has(token.value) || (OPENS_AT_STATEMENT_START.has(token.value) && statementStart(previous))) {
        // An endless method (`def x = 1`) has no `end`.
        if (token.value === 'def' && endlessDef(tokens, i)) continue;
        enter({ kind: 'other' });
        continue;
      }
      const job = currentClass();
      if (job && statementStart(previous)) readClassStatement(tokens, i, job);
    }
    if (token.type === 'const' && previous?.value !== '::' && statementStart(previous) && tokens[i + 1]?.value === '=' ) {
      // `QUEUE = 'critical'` (module level, or in a class/module: bound qualified too).
      const value = readValue(tokens, i + 2);
      const outer = namespace();
      bindings.set(token.value, { kind: 'value', value: value.value });
      if (outer) bindings.set(`${outer}::${token.value}`, { kind: 'value', value: value.value });
      continue;
    }
    if (token.value === '.' && tokens[i + 1]?.type === 'name') readCall(i);
  }

  for (const job of jobs) {
    const activeJob = job.queueAs !== undefined || (job.superclass !== undefined && ACTIVEJOB_SUPERCLASSES.has(job.superclass));
    // Rails' generated abstract base (`class ApplicationJob < ActiveJob::Base`) is never enqueued itself.
    if ((!job.sidekiq && !activeJob) || ACTIVEJOB_SUPERCLASSES.has(job.name)) continue;
    const given = job.sidekiq ? job.sidekiqQueue : job.queueAs;
    const fallback = job.sidekiq ? 'default' : ACTIVEJOB_DEFAULT_QUEUE;
    const object: RawQueueObject = {
      kind: job.sidekiq ? 'sidekiq-job' : 'activejob-job',
      queue: given?.value ?? { kind: 'literal', value: fallback },
      expression: given?.expression ?? job.name,
      position: { line: job.line, column: job.column },
      scope: job.name,
    };
    queues.push(object);
    const binding: Binding = { kind: 'queue', object: queues.length - 1, factory: false };
    bindings.set(job.name, binding);
    const short = job.name.split('::').at(-1)!;
    if (!bindings.has(short) || bindings.get(short)!.kind === 'import') bindings.set(short, binding);
  }
  // Constants named as queues (`sidekiq_options queue: Queues::CRITICAL`) are looked up where Rails autoloads them.
  for (const { queue } of [...queues, ...producers]) {
    const named = queue.kind === 'env' ? queue.fallback : queue;
    if (named?.kind === 'ref') useConstant(named.name);
  }
  // A Rails initializer's `Sidekiq.configure_server/client { |c| c.redis = {…} }` (connection-mismatch).
  const redis = readSidekiqRedisConfigs(tokens);
  return { language: 'ruby', bindings, producers, queues, checks: [], ...(redis.length ? { frameworks: { sidekiq: { redis } } } : {}) };

  /** `.method` at `dot`: an enqueue site when the method is one and its receiver a constant (maybe through `.set(…)`). */
  function readCall(dot: number): void {
    const method = tokens[dot + 1]!.value;
    const position = { line: tokens[dot + 1]!.line, column: tokens[dot + 1]!.column };
    const scope = namespace();
    if (!MAILER_DELIVER_METHODS.has(method) && !SIDEKIQ_ENQUEUE_METHODS.has(method) && !ACTIVEJOB_ENQUEUE_METHODS.has(method) && !SIDEKIQ_CLIENT_METHODS.has(method)) return;
    const args = MAILER_DELIVER_METHODS.has(method) || SIDEKIQ_CLIENT_METHODS.has(method) ? callArguments(dot + 2) : undefined;
    if (MAILER_DELIVER_METHODS.has(method)) {
      const queue = args ? hashValue(tokens, args.from, args.to, 'queue') : undefined;
      producers.push({
        kind: 'actionmailer-deliver-later',
        queue: queue?.value ?? { kind: 'literal', value: MAILER_DEFAULT_QUEUE },
        expression: queue?.expression ?? method,
        position,
        via: method,
        ...(scope ? { scope } : {}),
      });
      return;
    }
    const receiverEnd = dot - 1;
    if (SIDEKIQ_ENQUEUE_METHODS.has(method) || ACTIVEJOB_ENQUEUE_METHODS.has(method)) {
      let override: RubyValue | undefined;
      let end = receiverEnd;
      // `Job.set(queue: 'x').perform_async`: the site names its own queue.
      if (tokens[end]?.value === ')') {
        const open = matchingOpenBracket(tokens, end);
        if (tokens[open - 1]?.value === 'set' && tokens[open - 2]?.value === '.') {
          override = hashValue(tokens, open + 1, end, 'queue');
          end = open - 3;
        } else return;
      }
      const receiver = receiverPath(end);
      if (!receiver) return;
      useConstant(receiver);
      producers.push({
        kind: SIDEKIQ_ENQUEUE_METHODS.has(method) ? 'sidekiq-job' : 'activejob-job',
        queue: override?.value ?? UNKNOWN,
        expression: override?.expression ?? receiver,
        position,
        via: method,
        receiver,
        ...(override ? { override: true } : {}),
        ...(scope ? { scope } : {}),
      });
      return;
    }
    if (SIDEKIQ_CLIENT_METHODS.has(method) && receiverPath(receiverEnd) === 'Sidekiq::Client' && args) {
      if (method === 'push' || method === 'push_bulk') {
        const queue = hashValue(tokens, args.from, args.to, 'queue', true);
        const klass = hashValue(tokens, args.from, args.to, 'class', true);
        if (!queue && klass?.value.kind === 'ref') {
          useConstant(klass.value.name);
          producers.push({ kind: 'sidekiq-job', queue: UNKNOWN, expression: klass.value.name, position, via: method, receiver: klass.value.name, ...(scope ? { scope } : {}) });
          return;
        }
        // Sidekiq::Client#normalize_item: an item without 'queue' (and no class options) goes to `default`.
        const value = queue ?? { value: { kind: 'literal' as const, value: 'default' }, expression: 'default', end: args.from };
        producers.push({ kind: 'sidekiq-client', queue: value.value, expression: value.expression, position, via: method, ...(scope ? { scope } : {}) });
        return;
      }
      const first = readValue(tokens, args.from);
      if (method === 'enqueue_to' || method === 'enqueue_to_in') {
        producers.push({ kind: 'sidekiq-client', queue: first.value, expression: first.expression, position, via: method, ...(scope ? { scope } : {}) });
        return;
      }
      // `enqueue(Klass, …)`, `enqueue_in(interval, Klass, …)`: the class's queue.
      const klassAt = method === 'enqueue' ? args.from : nextArgument(args.from, args.to);
      const klass = klassAt === undefined ? undefined : constPath(tokens, klassAt);
      if (klass) {
        useConstant(klass.path);
        producers.push({ kind: 'sidekiq-job', queue: UNKNOWN, expression: klass.path, position, via: method, receiver: klass.path, ...(scope ? { scope } : {}) });
      }
    }
  }

  /** The constant path that ends at token `end` (`Billing::InvoiceJob`), or the current class for `self`/`self.class`. */
  function receiverPath(end: number): string | undefined {
    const token = tokens[end];
    if (!token) return undefined;
    if (token.type === 'name' && token.value === 'self') return currentClass()?.name;
    if (token.type === 'name' && token.value === 'class' && tokens[end - 1]?.value === '.' && tokens[end - 2]?.value === 'self') return enclosingClass();
    if (token.type !== 'const') return undefined;
    let start = end;
    while (tokens[start - 1]?.value === '::' && tokens[start - 2]?.type === 'const') start -= 2;
    if (tokens[start - 1]?.value === '.' || tokens[start - 1]?.value === '::') return undefined;
    return constPath(tokens, start)!.path;
  }

  function enclosingClass(): string | undefined {
    return stack.at(-1)?.enclosingClass;
  }

  /** The call's arguments after the method name at `at`: parenthesised, or bare to the end of the line. */
  function callArguments(at: number): { from: number; to: number } | undefined {
    const token = tokens[at];
    if (!token || token.type === 'nl') return undefined;
    if (token.value === '(' && !token.spaced) return { from: at + 1, to: matchingBracket(tokens, at) };
    if (token.type === 'op' && token.value !== '::' && token.value !== '[' && token.value !== '(' && token.value !== '{') return undefined;
    return { from: at, to: bareArgumentsEnd(tokens, at) };
  }

  /** The index of the argument after the one starting at `from` (top level commas only). */
  function nextArgument(from: number, to: number): number | undefined {
    let depth = 0;
    for (let k = from; k < to; k++) {
      const value = tokens[k]!.type === 'op' ? tokens[k]!.value : '';
      if (value === '(' || value === '[' || value === '{') depth++;
      else if (value === ')' || value === ']' || value === '}') depth--;
      else if (value === ',' && depth === 0) return k + 1;
    }
    return undefined;
  }
}

/** `def name(args) = expr`, `def name = expr`: Ruby 3's endless methods have no `end`. */
function endlessDef(tokens: readonly RbToken[], at: number): boolean {
  let k = at + 1;
  // The name, maybe `self.name`.
  while (k < tokens.length && k < at + 6 && tokens[k]!.type !== 'nl' && tokens[k]!.value !== '(' && tokens[k]!.value !== '=') k++;
  if (tokens[k]?.value === '(') k = matchingBracket(tokens, k) + 1;
  return tokens[k]?.value === '=';
}

/** A statement in a class body: `include Sidekiq::Job`, `sidekiq_options queue: …`, `queue_as …`. */
function readClassStatement(tokens: readonly RbToken[], at: number, job: JobClass): void {
  const word = tokens[at]!.value;
  if (word !== 'include' && word !== 'sidekiq_options' && word !== 'queue_as') return;
  const open = tokens[at + 1]?.value === '(' && !tokens[at + 1]!.spaced;
  const from = open ? at + 2 : at + 1;
  const to = open ? matchingBracket(tokens, at + 1) : bareArgumentsEnd(tokens, from);
  if (word === 'include') {
    const path = constPath(tokens, from);
    if (path && SIDEKIQ_JOB_MODULES.has(path.path)) job.sidekiq = true;
  } else if (word === 'sidekiq_options') {
    const queue = hashValue(tokens, from, to, 'queue');
    if (queue) job.sidekiqQueue = queue;
  } else if (word === 'queue_as') {
    // `queue_as do … end` / `queue_as { … }`: chosen per job at run time.
    const block = tokens[from]?.value === 'do' || tokens[from]?.value === '{';
    job.queueAs = block || from >= to ? { value: UNKNOWN, end: from, expression: block ? 'queue_as { … }' : 'queue_as' } : readValue(tokens, from);
    if (from >= to && !block) job.queueAs = { value: { kind: 'literal', value: ACTIVEJOB_DEFAULT_QUEUE }, end: from, expression: 'queue_as' };
  }
}
