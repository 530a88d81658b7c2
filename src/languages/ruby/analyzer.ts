import { matchingBracket, type Binding, type ModuleFacts, type RawProducer, type RawQueueObject } from '../facts.js';
import type { RecognizedJobClass, RubyCall, RubyClass } from './calls.js';
import { rubyCallIndex } from './call-index.js';
import { RUBY_RECOGNIZERS, type RubyFramework } from './recognizers.js';
import { tokenizeRuby, type RbToken } from './tokenizer.js';
import { constPath, readValue } from './values.js';
import { autoloadSpecifier } from './resolve.js';

/** A `class`/`module` being read, or another construct closed by `end` (`def`, `do`, `if` at a statement's start…). */
interface Frame {
  kind: 'class' | 'module' | 'other';
  /** Class and module frames: the qualified name (`Billing::InvoiceJob`). */
  name?: string;
  klass?: RubyClass;
  /** The innermost class or module name at this frame (its own, or the enclosing one's): O(1) per lookup. */
  namespace?: string;
  /** The innermost class name at this frame. */
  enclosingClass?: string;
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
 * Ruby: the classes (with the body statements the frameworks read), the calls the frameworks enqueue through, and
 * module constants. The Ruby frameworks' recognizers (src/frameworks/<id>/ruby.ts: Sidekiq's job classes and client,
 * ActiveJob's job classes and ActionMailer's `deliver_later`) say which classes are jobs and which calls produce, in
 * registry order. A constant used but not defined in the file is bound to the file Rails' autoloader would load it
 * from (resolved by `resolve.ts`).
 */
export function analyzeRuby(text: string, recognizers: readonly RubyFramework[] = RUBY_RECOGNIZERS): ModuleFacts {
  const tokens = tokenizeRuby(text);
  const bindings = new Map<string, Binding>();
  const producers: RawProducer[] = [];
  const queues: RawQueueObject[] = [];
  const stack: Frame[] = [];
  const classes: RubyClass[] = [];
  const defined = new Set<string>();
  const classStatements = new Set(recognizers.flatMap(({ recognizer }) => recognizer.classStatements ?? []));
  const methods = new Set(recognizers.flatMap(({ recognizer }) => [...(recognizer.methods ?? [])]));
  const baseClasses = new Set(recognizers.flatMap(({ recognizer }) => [...(recognizer.baseClasses ?? [])]));
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
    return top?.kind === 'class' ? top.klass : undefined;
  };
  const useConstant = (path: string) => {
    if (!defined.has(path) && !bindings.has(path)) {
      const specifier = autoloadSpecifier(path);
      if (specifier) bindings.set(path, { kind: 'import', module: specifier, name: path });
    }
  };
  const index = rubyCallIndex(tokens);

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
        const klass: RubyClass = { name, line: token.line, column: token.column, statements: [] };
        if (tokens[path.end]?.value === '<') {
          const superclass = constPath(tokens, path.end + 1);
          if (superclass) klass.superclass = superclass.path;
        }
        classes.push(klass);
        enter({ kind: 'class', name, klass });
        i = path.end - 1;
        continue;
      }
      if (ALWAYS_OPENS.has(token.value) || (OPENS_AT_STATEMENT_START.has(token.value) && statementStart(previous))) {
        // An endless method (`def x = 1`) has no `end`.
        if (token.value === 'def' && endlessDef(tokens, i)) continue;
        enter({ kind: 'other' });
        continue;
      }
      const klass = currentClass();
      if (klass && classStatements.has(token.value) && statementStart(previous)) klass.statements.push({ word: token.value, at: i });
    }
    if (token.type === 'const' && previous?.value !== '::' && statementStart(previous) && tokens[i + 1]?.value === '=' ) {
      // `QUEUE = 'critical'` (module level, or in a class/module: bound qualified too).
      const value = readValue(tokens, i + 2);
      const outer = namespace();
      bindings.set(token.value, { kind: 'value', value: value.value });
      if (outer) bindings.set(`${outer}::${token.value}`, { kind: 'value', value: value.value });
      continue;
    }
    if (token.value === '.' && tokens[i + 1]?.type === 'name' && methods.has(tokens[i + 1]!.value)) readCall(i);
  }

  for (const klass of classes) {
    // A framework's base class (Rails' generated `class ApplicationJob < ActiveJob::Base`) is never enqueued itself.
    if (baseClasses.has(klass.name)) continue;
    let recognized: RecognizedJobClass | undefined;
    for (const { recognizer } of recognizers) if ((recognized = recognizer.jobClass?.(klass, index))) break;
    if (!recognized) continue;
    queues.push({ ...recognized, position: { line: klass.line, column: klass.column }, scope: klass.name });
    const binding: Binding = { kind: 'queue', object: queues.length - 1, factory: false };
    bindings.set(klass.name, binding);
    const short = klass.name.split('::').at(-1)!;
    if (!bindings.has(short) || bindings.get(short)!.kind === 'import') bindings.set(short, binding);
  }
  // Constants named as queues (`sidekiq_options queue: Queues::CRITICAL`) are looked up where Rails autoloads them.
  for (const { queue } of [...queues, ...producers]) {
    const named = queue.kind === 'env' ? queue.fallback : queue;
    if (named?.kind === 'ref') useConstant(named.name);
  }
  const frameworks: Record<string, unknown> = {};
  for (const { id, recognizer } of recognizers) {
    const data = recognizer.moduleData?.(index);
    if (data !== undefined) frameworks[id] = data;
  }
  return { language: 'ruby', bindings, producers, queues, checks: [], ...(Object.keys(frameworks).length ? { frameworks } : {}) };

  /** `.method` at `dot`, one a framework enqueues through: the first framework's producer; its receiver class is looked up. */
  function readCall(dot: number): void {
    const name = tokens[dot + 1]!;
    const scope = namespace();
    const top = stack.at(-1);
    const call: RubyCall = {
      method: name.value,
      dot,
      position: { line: name.line, column: name.column },
      ...(scope ? { scope } : {}),
      ...(top?.kind === 'class' ? { selfClass: top.name } : {}),
      ...(top?.enclosingClass ? { enclosingClass: top.enclosingClass } : {}),
    };
    for (const { recognizer } of recognizers) {
      if (!recognizer.methods?.has(call.method)) continue;
      const producer = recognizer.producer?.(call, index);
      if (!producer) continue;
      if (producer.receiver !== undefined) useConstant(producer.receiver);
      producers.push(producer);
      return;
    }
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
