import {
  bind,
  literal,
  matchingBracket,
  UNKNOWN,
  type Binding,
  type ModuleFacts,
  type RawCheck,
  type RawProducer,
  type RawQueueObject,
  type ValueExpr,
} from '../facts.js';
import { CELERY_CHAIN_METHODS, CELERY_SITE_METHODS, celeryModuleFacts, dictGet, isCeleryModule, parseLiteral } from '../../frameworks/celery/python.js';
import { isDjangoRqModule } from '../../frameworks/django-rq/python.js';
import { ENQUEUE_METHODS, isRqModule } from '../../frameworks/rq/python.js';
import { isRqSchedulerModule, SCHEDULER_METHODS } from '../../frameworks/rq-scheduler/python.js';
import { NeedleSearch } from '../needle-search.js';
import { needleTexts } from '../prefilter.js';
import { PYTHON_RULES } from './prefilter-rules.js';
import { escapeRegExp } from '../../regexp.js';
import { tokenizePython, type PyToken } from './tokenizer.js';

const KEYWORDS = new Set([
  'if', 'elif', 'else', 'while', 'for', 'return', 'and', 'or', 'not', 'in', 'is', 'with', 'assert', 'yield', 'lambda',
  'del', 'except', 'import', 'from', 'as', 'raise', 'global', 'nonlocal', 'pass', 'print_function', 'await', 'async',
  'match', 'case', 'def', 'class', 'try', 'finally', 'None', 'True', 'False',
]);

/** A call site found in pass 1. */
interface Call {
  /** Callee segments (`rq.Queue` → ['rq', 'Queue']); empty when the callee is not a dotted name (`f()()`). */
  callee: string[];
  calleeStart: number;
  open: number;
  close: number;
  args: Arg[];
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

interface Arg {
  keyword?: string;
  star: boolean;
  /** Token range of the value [from, to). */
  from: number;
  to: number;
  /** The value, evaluated with the locals in scope at the call. */
  value: ValueExpr;
}

interface Scope {
  name: string;
  kind: 'class' | 'def';
  indent: number;
  locals: Map<string, ValueExpr>;
}

/** A parameter of a module-level function: its position and default (for helpers called without the queue). */
interface Param {
  name: string;
  index: number;
  default?: ValueExpr;
}

/** Python's own environment reads: `os.getenv`, `os.environ.get`, `os.environ[...]` (and `getenv`/`environ` imported). */
const ENV_GETTERS = [
  ['os', '.', 'getenv', '('],
  ['getenv', '('],
  ['os', '.', 'environ', '.', 'get', '('],
  ['environ', '.', 'get', '('],
  ['os', '.', 'environ', '['],
  ['environ', '['],
];

/**
 * What makes a function body worth analyzing: the prefilter's needles (a body without any cannot hold a producer, a
 * check or a queue object, as a file without any cannot), plus what a body can do to the module around it — an
 * `import` binds a module-level name wherever it is written, `global`/`nonlocal` reach outside, and `conf` is a
 * Celery app configured inside a function (`app.conf.update(…)`, `config_from_object`).
 */
const BODY_NEEDLE_TEXTS = [...needleTexts(PYTHON_RULES), 'import', 'global', 'nonlocal', 'conf'];
/** Made on first use (choosing its buckets takes a millisecond). */
let bodySearch: NeedleSearch | undefined;
/** The same needles for a Node without WebAssembly (`--jitless`). */
const BODY_NEEDLES = new RegExp(BODY_NEEDLE_TEXTS.map(escapeRegExp).join('|'), 'g');

export interface PythonAnalysisOptions {
  /**
   * Analyze every function body (tests compare it with the default): by default the tokenizer leaves out the body
   * of a `def` whose line and body hold none of BODY_NEEDLES, which leaves the module's facts unchanged and most of
   * a module's functions untokenized and unvisited.
   */
  everyBody?: boolean;
}

/** Offsets where a body needle starts, ascending (one linear pass). */
export function bodyNeedles(source: string): number[] {
  const at: number[] = [];
  bodySearch ??= new NeedleSearch(BODY_NEEDLE_TEXTS);
  // latin1 makes one byte of each UTF-16 unit, so byte offsets are string offsets; a unit above U+00FF keeps its
  // low byte, which can only add a position (a body analyzed for nothing), never hide one of the ASCII needles.
  const searched = bodySearch.starts(Buffer.from(source, 'latin1'), (start) => {
    at.push(start);
    return false;
  });
  return searched === undefined ? bodyNeedlesByRegex(source) : at;
}

/** The same with a regular expression: for a Node without WebAssembly (`--jitless`), and the tests' reference. */
export function bodyNeedlesByRegex(source: string): number[] {
  const at: number[] = [];
  BODY_NEEDLES.lastIndex = 0;
  for (let match = BODY_NEEDLES.exec(source); match; match = BODY_NEEDLES.exec(source)) at.push(match.index);
  return at;
}

/** Tokenizes one Python module and collects its producers, availability checks and module-level bindings. */
export function analyzePython(source: string, options: PythonAnalysisOptions = {}): ModuleFacts {
  const tokens = tokenizePython(source, options.everyBody ? {} : { needleAt: bodyNeedles(source) });
  const bindings = new Map<string, Binding>();
  const starImports: string[] = [];
  const boundOnce = new Set<string>();
  const calls: Call[] = [];
  const scopes: Scope[] = [];
  const open: number[] = []; // stack of call indexes whose argument list is open
  let assignTarget: string | undefined;
  let valueRange: [number, number] | undefined; // the assigned value's tokens [from, to)
  let returnRange: [number, number] | undefined;
  const functions = new Map<string, Param[]>();
  const pendingDecorators: number[] = []; // decorator calls since the last definition
  /** How often each module-level name is assigned (a queue object bound twice is no single object). */
  const moduleAssignments = new Map<string, number>();

  const currentScope = () => (scopes.length ? scopes.map((scope) => scope.name).join('.') : undefined);
  const currentClass = () => {
    for (let s = scopes.length - 1; s >= 0; s--) {
      if (scopes[s]!.kind === 'class') return scopes.slice(0, s + 1).map((scope) => scope.name).join('.');
    }
    return undefined;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.indent !== undefined) {
      while (scopes.length && scopes[scopes.length - 1]!.indent >= token.indent) scopes.pop();
      open.length = 0;
      assignTarget = undefined;
      valueRange = undefined;
      returnRange = undefined;
      i = statementStart(i);
      if (i < 0) break;
      continue;
    }
    visit(i);
  }

  /** Handles the head of a logical line (def/class/import/assignment); returns the index of its last handled token. */
  function statementStart(i: number): number {
    const token = tokens[i]!;
    const indent = token.indent!;
    let first = i;
    if (token.value === 'async' && tokens[i + 1]?.value === 'def') first = i + 1;
    const head = tokens[first]!;
    if (head.value !== '@' && head.value !== 'def' && head.value !== 'class') pendingDecorators.length = 0;
    if (head.type === 'name' && (head.value === 'def' || head.value === 'class') && tokens[first + 1]?.type === 'name') {
      const name = tokens[first + 1]!.value;
      const locals = new Map<string, ValueExpr>();
      // The decorators just above belong to this definition (`@job('low')` makes `name.delay(...)` enqueue).
      for (const c of pendingDecorators) calls[c]!.decorates = name;
      pendingDecorators.length = 0;
      // Parameters are run-time values: a parameter used as a queue name is unresolvable.
      if (head.value === 'def' && tokens[first + 2]?.value === '(') {
        const params: Param[] = [];
        let depth = 0;
        let index = 0;
        for (let j = first + 2; j < tokens.length; j++) {
          const t = tokens[j]!;
          if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
          else if (t.value === ')' || t.value === ']' || t.value === '}') {
            depth--;
            if (depth === 0) break;
          } else if (depth === 1 && t.type === 'name') {
            const previous = tokens[j - 1]!.value;
            if (previous === '(' || previous === ',' || previous === '*' || previous === '**') {
              locals.set(t.value, UNKNOWN);
              const param: Param = { name: t.value, index: index++ };
              if (tokens[j + 1]?.value === '=') {
                // The default runs to the next top-level ',' or the closing ')'.
                let end = j + 2;
                for (let d = 0; end < tokens.length; end++) {
                  const v = tokens[end]!.value;
                  if (v === '(' || v === '[' || v === '{') d++;
                  else if (v === ')' || v === ']' || v === '}') {
                    if (d === 0) break;
                    d--;
                  } else if (v === ',' && d === 0) break;
                }
                param.default = evaluate(j + 2, end);
              }
              params.push(param);
            }
          }
        }
        if (scopes.length === 0) functions.set(name, params);
      }
      scopes.push({ name, kind: head.value === 'def' ? 'def' : 'class', indent, locals });
      return first + 1;
    }
    if (head.type === 'name' && head.value === 'from') return parseFromImport(first);
    if (head.type === 'name' && head.value === 'import') return parseImport(first);
    if (head.type === 'name' && head.value === 'return') returnRange = [first + 1, statementEnd(first + 1)];
    // Assignment `target = value` (or `target: T = value`).
    if (head.type === 'name' && !KEYWORDS.has(head.value)) {
      let j = first + 1;
      const target = [head.value];
      while (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'name') {
        target.push(tokens[j + 1]!.value);
        j += 2;
      }
      if (tokens[j]?.value === ':' && target.length === 1) {
        // annotated assignment: skip the annotation up to the top-level '='
        let depth = 0;
        let k = j + 1;
        for (; k < tokens.length && tokens[k]!.type !== 'newline'; k++) {
          const v = tokens[k]!.value;
          if (v === '(' || v === '[' || v === '{') depth++;
          else if (v === ')' || v === ']' || v === '}') depth--;
          else if (v === '=' && depth === 0) break;
        }
        if (tokens[k]?.value === '=') j = k;
      }
      if (tokens[j]?.value === '=') {
        assignTarget = target.join('.');
        valueRange = [j + 1, statementEnd(j + 1)];
        if (target.length === 1) {
          const end = valueRange[1];
          const value = evaluate(j + 1, end);
          if (scopes.length === 0) {
            moduleAssignments.set(head.value, (moduleAssignments.get(head.value) ?? 0) + 1);
            bind(bindings, head.value, { kind: 'value', value }, boundOnce);
          }
          else {
            // A local assigned more than once (branches, loops) has no single static value.
            const locals = scopes[scopes.length - 1]!.locals;
            locals.set(head.value, locals.has(head.value) ? UNKNOWN : value);
          }
        }
        return j;
      }
    }
    visit(i);
    return i;
  }

  function statementEnd(from: number): number {
    let j = from;
    while (j < tokens.length && tokens[j]!.type !== 'newline') j++;
    return j;
  }

  function parseFromImport(i: number): number {
    let j = i + 1;
    let module = '';
    while (j < tokens.length && tokens[j]!.value !== 'import' && tokens[j]!.type !== 'newline') module += tokens[j++]!.value;
    if (tokens[j]?.value !== 'import') return j - 1;
    j++;
    // `from settings.common import *` (module level only, as Python allows): its names are this module's too.
    if (tokens[j]?.value === '*' && scopes.length === 0) starImports.push(module);
    const end = statementEnd(j);
    for (; j < end; j++) {
      const t = tokens[j]!;
      if (t.type !== 'name') continue;
      let local = t.value;
      if (tokens[j + 1]?.value === 'as' && tokens[j + 2]?.type === 'name') {
        local = tokens[j + 2]!.value;
        j += 2;
      }
      const existing = bindings.get(local);
      // The same import repeated inside several functions is still one binding.
      if (existing?.kind === 'import' && existing.module === module && existing.name === t.value) continue;
      bind(bindings, local, { kind: 'import', module, name: t.value }, boundOnce);
    }
    return end - 1;
  }

  function parseImport(i: number): number {
    // `import rq` / `import django_rq as drq`: record module aliases so `drq.get_queue` is recognised.
    const end = statementEnd(i + 1);
    for (let j = i + 1; j < end; j++) {
      const t = tokens[j]!;
      if (t.type !== 'name') continue;
      let module = t.value;
      while (tokens[j + 1]?.value === '.' && tokens[j + 2]?.type === 'name') {
        module += `.${tokens[j + 2]!.value}`;
        j += 2;
      }
      if (tokens[j + 1]?.value === 'as' && tokens[j + 2]?.type === 'name') {
        bindings.set(tokens[j + 2]!.value, { kind: 'import', module, name: '*module*' });
        j += 2;
      } else {
        const top = module.split('.')[0]!;
        bindings.set(top, { kind: 'import', module: top, name: '*module*' });
      }
    }
    return end - 1;
  }

  /** Evaluates a value expression's token range [from, to) to a literal, a name reference, or unknown. */
  function evaluate(from: number, to: number): ValueExpr {
    if (from >= to) return UNKNOWN;
    const first = tokens[from]!;
    if (first.type === 'string') {
      let value = '';
      for (let j = from; j < to; j++) {
        const t = tokens[j]!;
        if (t.type !== 'string' || t.formatted) return UNKNOWN;
        value += t.value;
      }
      return literal(value);
    }
    if (first.type === 'name' && to === from + 1 && !KEYWORDS.has(first.value)) {
      for (let s = scopes.length - 1; s >= 0; s--) {
        const local = scopes[s]!.locals.get(first.value);
        if (local) return local;
      }
      return { kind: 'ref', name: first.value };
    }
    if (first.type === 'name') return environmentRead(from, to);
    return UNKNOWN;
  }

  /** `os.getenv('X', d)`, `os.environ.get('X', d)`, `os.environ['X']`, optionally `… or d`: a name read at run time. */
  function environmentRead(from: number, to: number): ValueExpr {
    const getter = ENV_GETTERS.find((shape) => shape.every((value, k) => from + k < to && tokens[from + k]!.value === value));
    if (!getter) return UNKNOWN;
    const openIndex = from + getter.length - 1;
    const close = matching(openIndex);
    const nameToken = tokens[openIndex + 1];
    if (close >= to || nameToken?.type !== 'string' || nameToken.formatted) return UNKNOWN;
    let fallback: ValueExpr | null = null;
    if (tokens[openIndex + 2]?.value === ',' && tokens[openIndex]!.value === '(') {
      // getenv's default: the second argument up to the closing bracket (a keyword `default=` too).
      let start = openIndex + 3;
      if (tokens[start]?.value === 'default' && tokens[start + 1]?.value === '=') start += 2;
      fallback = evaluate(start, close);
      if (fallback.kind === 'unknown') return UNKNOWN;
    } else if (tokens[openIndex + 2] !== tokens[close]) return UNKNOWN;
    if (close === to - 1) return { kind: 'env', name: nameToken.value, fallback };
    // `os.getenv('X') or 'default'`
    if (fallback === null && tokens[close + 1]?.value === 'or') {
      const alternative = evaluate(close + 2, to);
      if (alternative.kind !== 'unknown') return { kind: 'env', name: nameToken.value, fallback: alternative };
    }
    return UNKNOWN;
  }

  function visit(i: number): void {
    const token = tokens[i]!;
    if (token.type === 'op' && token.value !== '@') {
      if (token.value === ')' && open.length && calls[open[open.length - 1]!]!.close === i) open.pop();
      if (token.value !== '(') return;
      const previous = tokens[i - 1];
      if (!previous || (previous.type !== 'name' && previous.value !== ')' && previous.value !== ']')) return;
      if (previous.type === 'name' && KEYWORDS.has(previous.value)) return;
      const callee: string[] = [];
      let calleeStart = i;
      if (previous.type === 'name') {
        let j = i - 1;
        callee.unshift(tokens[j]!.value);
        while (tokens[j - 1]?.value === '.' && tokens[j - 2]?.type === 'name') {
          callee.unshift(tokens[j - 2]!.value);
          j -= 2;
        }
        calleeStart = j;
        const before = tokens[j - 1];
        if (before?.value === 'def' || before?.value === 'class') return;
        if (before?.value === '.') callee.unshift('()'); // receiver is itself an expression: `Queue('x').enqueue`
      }
      const decorator = tokens[calleeStart - 1]?.value === '@';
      const close = matching(i);
      const call: Call = {
        callee,
        calleeStart,
        open: i,
        close,
        args: splitArgs(i, close),
        scope: currentScope(),
        scopeKind: scopes.length ? scopes[scopes.length - 1]!.kind : 'module',
        decorator,
      };
      const className = currentClass();
      if (className !== undefined) call.className = className;
      if (assignTarget !== undefined) call.assignTarget = assignTarget;
      if (valueRange && calleeStart === valueRange[0] && close === valueRange[1] - 1) call.wholeValue = true;
      if (returnRange && calleeStart === returnRange[0] && close === returnRange[1] - 1) call.returned = true;
      if (open.length) call.parent = open[open.length - 1]!;
      calls.push(call);
      if (decorator) pendingDecorators.push(calls.length - 1);
      open.push(calls.length - 1);
    } else if (token.value === '@' && tokens[i + 1]?.type === 'name') {
      // Bare decorator without arguments: `@job` (django-rq's defaults to `default`).
      let j = i + 1;
      const name = [tokens[j]!.value];
      while (tokens[j + 1]?.value === '.' && tokens[j + 2]?.type === 'name') {
        name.push(tokens[j + 2]!.value);
        j += 2;
      }
      if (tokens[j + 1]?.type === 'newline') {
        calls.push({
          callee: name,
          calleeStart: i + 1,
          open: j + 1,
          close: j + 1,
          args: [],
          scope: currentScope(),
          scopeKind: scopes.length ? scopes[scopes.length - 1]!.kind : 'module',
          decorator: true,
        });
        pendingDecorators.push(calls.length - 1);
      }
    }
  }

  function matching(openIndex: number): number {
    return matchingBracket(tokens, openIndex);
  }

  function splitArgs(openIndex: number, close: number): Arg[] {
    const args: Arg[] = [];
    let from = openIndex + 1;
    const push = (to: number) => {
      if (to <= from) return;
      const first = tokens[from]!;
      if (first.value === '*' || first.value === '**') args.push({ star: true, from: from + 1, to, value: UNKNOWN });
      else if (first.type === 'name' && tokens[from + 1]?.value === '=' && to > from + 2)
        args.push({ keyword: first.value, star: false, from: from + 2, to, value: evaluate(from + 2, to) });
      else args.push({ star: false, from, to, value: evaluate(from, to) });
    };
    for (let j = openIndex + 1; j < close; j++) {
      const v = tokens[j]!;
      if (v.type !== 'op') continue;
      // Nested brackets are jumped over, so all the calls of a module split their arguments in one pass.
      if (v.value === '(' || v.value === '[' || v.value === '{') j = matching(j);
      else if (v.value === ',') {
        push(j);
        from = j + 1;
      }
    }
    push(close);
    return args;
  }

  const facts = classify(source, tokens, calls, bindings, functions, moduleAssignments);
  return starImports.length ? { ...facts, starImports } : facts;
}

/** Pass 2: decides which calls build queue objects, enqueue, are consumer-side or are availability checks. */
function classify(
  source: string,
  tokens: PyToken[],
  calls: Call[],
  bindings: Map<string, Binding>,
  functions: Map<string, Param[]>,
  moduleAssignments: Map<string, number>,
): ModuleFacts {
  const producers: RawProducer[] = [];
  const queues: RawQueueObject[] = [];
  const checks: RawCheck[] = [];
  const valueOf = (arg: Arg | undefined, fallback: ValueExpr): { value: ValueExpr; text: string } => {
    if (!arg) return { value: fallback, text: '' };
    const text = source.slice(tokens[arg.from]!.start, tokens[arg.to - 1]!.end);
    if (arg.star) return { value: UNKNOWN, text };
    return { value: arg.value, text };
  };
  const positional = (call: Call, index: number) => call.args.filter((arg) => !arg.keyword)[index];
  const keyword = (call: Call, ...names: string[]) => call.args.find((arg) => arg.keyword && names.includes(arg.keyword));
  const hasStar = (call: Call) => call.args.some((arg) => arg.star);

  const importOf = (name: string) => {
    const binding = bindings.get(name);
    return binding?.kind === 'import' ? binding : undefined;
  };
  /** `Name` imported from a module `isModule` accepts (or reached as `module.Name`, `module.sub.Name`). */
  const isImported = (callee: string[], name: string, isModule: (module: string) => boolean) => {
    if (callee.length === 1) {
      const imported = importOf(callee[0]!);
      return imported !== undefined && imported.name === name && isModule(imported.module);
    }
    if (callee[callee.length - 1] !== name || callee[0] === '()') return false;
    const imported = importOf(callee[0]!);
    return imported !== undefined && imported.name === '*module*' && isModule(imported.module);
  };
  /** `Queue` imported from rq (or `rq.Queue`, `rq.queue.Queue`). */
  const isRqQueue = (callee: string[]) => isImported(callee, 'Queue', isRqModule);
  const isScheduler = (callee: string[]) => isImported(callee, 'Scheduler', isRqSchedulerModule);
  const isDjangoRq = (callee: string[], name: string) => {
    if (callee[callee.length - 1] !== name) return false;
    if (callee.length === 1) {
      const imported = importOf(name);
      return imported !== undefined && isDjangoRqModule(imported.module);
    }
    const imported = importOf(callee[0]!);
    return imported !== undefined && isDjangoRqModule(imported.module);
  };
  const isWorkerConstructor = (callee: string[]) => {
    const last = callee[callee.length - 1] ?? '';
    return /Worker$/.test(last) && /^[A-Z]/.test(last);
  };

  /** `@app.task`, `@celery.task(...)`, `@shared_task(...)` (Celery imported in the module or the app imported). */
  const isCeleryTask = (callee: string[]) => {
    const last = callee.at(-1);
    if (last === 'shared_task') return callee.length === 1 ? isImported(callee, 'shared_task', isCeleryModule) : isImported(callee, 'shared_task', isCeleryModule);
    if (last !== 'task' || callee.length !== 2 || callee[0] === '()') return false;
    return celeryMentioned || importOf(callee[0]!) !== undefined || bindings.get(callee[0]!)?.kind === 'value';
  };
  const celeryMentioned = [...bindings.values()].some((binding) => binding.kind === 'import' && (isCeleryModule(binding.module) || /(^|\.)celery(_app)?$/.test(binding.module)));
  /** A call's `queue=` argument, or the `queue` of its `options={…}` dict literal. */
  const celeryQueueArg = (call: Call): Arg | undefined => {
    const direct = keyword(call, 'queue');
    if (direct) return direct;
    const options = keyword(call, 'options');
    if (!options) return undefined;
    const queue = dictGet(parseLiteral(tokens, options.from, options.to), 'queue');
    if (!queue || queue.kind !== 'str') return undefined;
    const from = tokens.findIndex((token, k) => k >= options.from && k < options.to && token.line === queue.position.line && token.column === queue.position.column);
    return from < 0 ? undefined : { star: false, from, to: from + 1, value: literal(queue.value) };
  };
  const location = (index: number) => ({ line: tokens[index]!.line, column: tokens[index]!.column });
  const consumed = new Set<number>(); // Queue constructions that name a queue for a check or a decorator

  /** A Queue(...) construction passed as an argument: its queue name. */
  const queueConstructionIn = (arg: Arg | undefined): number | undefined => {
    if (!arg) return undefined;
    const index = callByRange.get(`${arg.from}:${arg.to - 1}`);
    return index !== undefined && isRqQueue(calls[index]!.callee) ? index : undefined;
  };
  const queueNameOf = (call: Call): { value: ValueExpr; text: string } => {
    const arg = positional(call, 0) ?? keyword(call, 'name');
    if (!arg && hasStar(call)) return { value: UNKNOWN, text: source.slice(tokens[call.open]!.start, tokens[call.close]!.end) };
    return valueOf(arg, literal('default'));
  };
  const callByRange = new Map<string, number>();
  const callByClose = new Map<number, number>();
  const callByOpen = new Map<number, number>();
  calls.forEach((call, index) => {
    callByRange.set(`${call.calleeStart}:${call.close}`, index);
    callByClose.set(call.close, index);
    callByOpen.set(call.open, index);
  });

  // Names handed to Worker(...) per scope: a Queue assigned to one of them is consumer-side.
  const workerArgNames = new Map<string, Set<string>>();
  const allWorkerArgNames = new Set<string>();
  const workerCalls = new Set<number>();
  // A Worker call nested in another's arguments (same statement, same scope) has had its names collected already:
  // skipping it keeps `Worker(Worker(Worker(…` linear.
  let collectedUntil = -1;
  calls.forEach((call, index) => {
    if (!isWorkerConstructor(call.callee)) return;
    workerCalls.add(index);
    const names = workerArgNames.get(call.scope ?? '') ?? new Set<string>();
    if (call.close <= collectedUntil && workerArgNames.has(call.scope ?? '')) return;
    collectedUntil = call.close;
    for (let j = call.open + 1; j < call.close; j++) {
      if (tokens[j]!.type === 'name') {
        let name = tokens[j]!.value;
        while (tokens[j + 1]?.value === '.' && tokens[j + 2]?.type === 'name') {
          name += `.${tokens[j + 2]!.value}`;
          j += 2;
        }
        names.add(name);
        allWorkerArgNames.add(name);
      }
    }
    workerArgNames.set(call.scope ?? '', names);
  });
  // Whether each call is inside a Worker(...)'s arguments, in one pass (a parent comes before its children), so a
  // chain of 300k nested calls is not walked once per call.
  const insideWorkerCall: boolean[] = calls.map(() => false);
  calls.forEach((call, index) => {
    const parent = call.parent;
    if (parent !== undefined) insideWorkerCall[index] = workerCalls.has(parent) || insideWorkerCall[parent]!;
  });
  const handedToWorker = (call: Call): boolean => {
    const names = call.scope === undefined ? allWorkerArgNames : workerArgNames.get(call.scope);
    if (!names) return false;
    if (call.assignTarget !== undefined && names.has(call.assignTarget)) return true;
    // `queues.append(Queue(name))` with `queues` handed to a Worker
    const parent = call.parent === undefined ? undefined : calls[call.parent]!;
    if (parent && (parent.callee.at(-1) === 'append' || parent.callee.at(-1) === 'extend')) {
      return names.has(parent.callee.slice(0, -1).join('.'));
    }
    return false;
  };

  // 1. Availability checks and the argument that names their queue; an inline Queue(...) there is consumed.
  const checkArgs: { call: Call; arg?: Arg; fallback?: ValueExpr }[] = [];
  calls.forEach((call) => {
    const last = call.callee[call.callee.length - 1] ?? '';
    const receiver = call.callee[call.callee.length - 2] ?? '';
    let arg: Arg | undefined;
    let fallback: ValueExpr | undefined;
    if ((last === 'all' || last === 'count') && /Worker$/.test(receiver)) arg = keyword(call, 'queue');
    else if (/worker/i.test(last) && !isWorkerConstructor(call.callee) && !call.decorator) {
      arg = keyword(call, 'queue_name', 'queue');
      // A helper defined in this module: the argument in its queue parameter's place, or that parameter's default.
      const param = call.callee.length === 1 ? functions.get(last)?.find((p) => /queue/i.test(p.name)) : undefined;
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
    if (construction !== undefined) consumed.add(construction);
    checkArgs.push({ call, ...(arg ? { arg } : {}), ...(fallback ? { fallback } : {}) });
  });
  // A Queue(...) handed to @job(...) names the decorator's queue.
  for (const call of calls) {
    if (!call.decorator || call.callee.at(-1) !== 'job') continue;
    const construction = queueConstructionIn(positional(call, 0) ?? keyword(call, 'queue'));
    if (construction !== undefined) consumed.add(construction);
  }

  // 2. Queue objects: where they are built, and the names they are bound to.
  /** Local (`scope\0name`) and class attribute (`Class\0.attr`) names → object index, -1 when bound to several. */
  const named = new Map<string, number | { factory: string }>();
  const objectOfCall = new Map<number, number>();
  const nameObject = (key: string, object: number | { factory: string }) => {
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
  const addObject = (index: number, object: RawQueueObject) => {
    const call = calls[index]!;
    if (call.scope) object.scope = call.scope;
    queues.push(object);
    const id = queues.length - 1;
    objectOfCall.set(index, id);
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
  calls.forEach((call, index) => {
    const last = call.callee[call.callee.length - 1] ?? '';
    if (call.decorator && isCeleryTask(call.callee)) {
      // `@app.task(queue='x', name='n')`, `@shared_task`: a queue object; no queue → routed by the task's name.
      const arg = keyword(call, 'queue');
      const queue = arg ? valueOf(arg, UNKNOWN) : { value: UNKNOWN, text: '' };
      const name = keyword(call, 'name');
      const celeryTask = {
        routed: !arg,
        ...(last === 'shared_task' ? { shared: true as const } : call.callee.length === 2 ? { app: call.callee[0]! } : {}),
        ...(name?.value.kind === 'literal' ? { name: name.value.value } : {}),
        ...(call.decorates !== undefined ? { function: call.decorates } : {}),
      };
      addObject(index, { kind: 'celery-task', queue: queue.value, expression: queue.text, position: location(call.calleeStart), celeryTask });
      if (call.decorates !== undefined && call.scopeKind === 'module') bindModule(call.decorates, queues.length - 1, 'function');
      return;
    }
    if (call.decorator) {
      if (last !== 'job') return;
      const arg = positional(call, 0) ?? keyword(call, 'queue');
      const construction = queueConstructionIn(arg);
      let queue: { value: ValueExpr; text: string } | undefined;
      if (construction !== undefined) queue = queueNameOf(calls[construction]!);
      else if (arg) queue = valueOf(arg, UNKNOWN);
      else if (isDjangoRq(call.callee, 'job')) queue = { value: literal('default'), text: '' };
      if (!queue) return;
      addObject(index, { kind: 'rq-job-decorator', queue: queue.value, expression: queue.text, position: location(call.calleeStart) });
      // `@job(...) def f` at module level: `f.delay(...)` enqueues, from this module or one that imports `f`.
      if (call.decorates !== undefined && call.scopeKind === 'module') bindModule(call.decorates, queues.length - 1, 'function');
      return;
    }
    if (isRqQueue(call.callee)) {
      if (consumed.has(index) || insideWorkerCall[index] || handedToWorker(call)) return;
      const queue = queueNameOf(call);
      addObject(index, { kind: 'rq-queue', queue: queue.value, expression: queue.text, position: location(call.calleeStart) });
      return;
    }
    if (last === 'get_queue' && call.callee[0] !== '()') {
      const queue = queueNameOf(call);
      addObject(index, { kind: 'django-rq-get-queue', queue: queue.value, expression: queue.text, position: location(call.calleeStart) });
      return;
    }
    if (isDjangoRq(call.callee, 'get_scheduler')) {
      // django-rq's `get_scheduler('x')`: an rq-scheduler Scheduler on queue `x` (`default` when none).
      const named = positional(call, 0) ?? keyword(call, 'name');
      const queue = !named && keyword(call, 'queue') ? valueOf(undefined, UNKNOWN) : valueOf(named, literal('default'));
      addObject(index, { kind: 'rq-scheduler', queue: queue.value, expression: queue.text, position: location(call.calleeStart) });
      return;
    }
    if (isScheduler(call.callee)) {
      // Scheduler(queue_name='x') / Scheduler('x') / Scheduler(queue=Queue('x')); `default` when none.
      const inner = queueConstructionIn(keyword(call, 'queue'));
      let queue: { value: ValueExpr; text: string };
      if (inner !== undefined) {
        consumed.add(inner);
        queue = queueNameOf(calls[inner]!);
      } else if (keyword(call, 'queue')) queue = valueOf(undefined, UNKNOWN);
      else queue = valueOf(positional(call, 0) ?? keyword(call, 'queue_name'), literal('default'));
      addObject(index, { kind: 'rq-scheduler', queue: queue.value, expression: queue.text, position: location(call.calleeStart) });
      return;
    }
    // `q = receipts_queue_factory()` in a function: `q.enqueue(...)` goes through the factory's queue.
    if (call.wholeValue && call.assignTarget && !call.assignTarget.includes('.') && call.scopeKind === 'def' && call.callee.length === 1) {
      nameObject(`${call.scope}\0${call.assignTarget}`, { factory: call.callee[0]! });
    }
  });

  /** The queue object a receiver written as tokens names, seen from `call`: local, class attribute, or module name. */
  const lookup = (parts: string[], call: Call): { object: number } | { receiver: string; factory: boolean } | undefined => {
    const local = (key: string) => {
      const found = named.get(key);
      if (found === -1) return null;
      if (found === undefined) return undefined;
      return typeof found === 'number' ? { object: found } : { receiver: found.factory, factory: true };
    };
    if (parts.length === 1) {
      // The innermost enclosing function that binds the name, then the module.
      const scopes = call.scope?.split('.') ?? [];
      for (let depth = scopes.length; depth > 0; depth--) {
        const found = local(`${scopes.slice(0, depth).join('.')}\0${parts[0]}`);
        if (found === null) return undefined;
        if (found) return found;
      }
      return { receiver: parts[0]!, factory: false };
    }
    if (parts.length === 2) {
      const owner = parts[0] === 'self' || parts[0] === 'cls' ? call.className : parts[0];
      if (owner === undefined) return undefined;
      return local(`${owner}\0.${parts[1]}`) ?? undefined;
    }
    return undefined;
  };

  // 3. Enqueue sites.
  calls.forEach((call) => {
    const last = call.callee[call.callee.length - 1] ?? '';
    if (call.decorator) return;
    const site = (kind: RawProducer['kind'], queue: { value: ValueExpr; text: string }): RawProducer => {
      const producer: RawProducer = { kind, queue: queue.value, expression: queue.text, position: location(call.calleeStart), via: last };
      if (call.scope) producer.scope = call.scope;
      return producer;
    };
    if (isDjangoRq(call.callee, 'enqueue') && call.callee.length <= 2 && (call.callee.length === 1 || importOf(call.callee[0]!)?.name === '*module*')) {
      producers.push(site('django-rq-get-queue', { value: literal('default'), text: '' }));
      return;
    }
    if (last === 'send_task' && call.callee.length >= 2 && call.callee[0] !== '()') {
      // `app.send_task('proj.tasks.add', queue='x')`: by name; no queue → routed by that name.
      const task = positional(call, 0) ?? keyword(call, 'name');
      const queueArg = celeryQueueArg(call);
      if (!task || task.value.kind !== 'literal') return;
      const producer = site('celery-send-task', queueArg ? valueOf(queueArg, UNKNOWN) : { value: UNKNOWN, text: '' });
      producer.celeryTask = { name: task.value.value, routed: !queueArg, app: call.callee.slice(0, -1).join('.') };
      producers.push(producer);
      return;
    }
    if ((!ENQUEUE_METHODS.has(last) && !CELERY_SITE_METHODS.has(last)) || call.callee.length < 2) return;
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
    const producer = site('rq-queue', { value: UNKNOWN, text: '' });
    if ('object' in target) {
      producer.object = target.object;
      producer.kind = queues[target.object]!.kind;
    } else {
      producer.receiver = target.receiver;
      if (target.factory) producer.factoryCall = true;
    }
    // rq-scheduler: `scheduler.cron(…, queue_name='x')` names the queue of this one call.
    const named = SCHEDULER_METHODS.has(last) ? keyword(call, 'queue_name') : undefined;
    if (named) {
      const queue = valueOf(named, UNKNOWN);
      Object.assign(producer, { queue: queue.value, expression: queue.text, override: true });
    }
    // Celery: `queue=` (or `options={'queue': …}`) on the call or on a chained `.set(…)`/`.apply_async(…)`.
    if (CELERY_SITE_METHODS.has(last)) {
      let queueArg = celeryQueueArg(call);
      for (let link = call, next = callByOpen.get(call.close + 3); next !== undefined; next = callByOpen.get(link.close + 3)) {
        const chained = calls[next]!;
        if (tokens[link.close + 1]?.value !== '.' || !CELERY_CHAIN_METHODS.has(chained.callee.at(-1) ?? '')) break;
        queueArg = celeryQueueArg(chained) ?? queueArg;
        link = chained;
      }
      if (queueArg) {
        const queue = valueOf(queueArg, UNKNOWN);
        Object.assign(producer, { queue: queue.value, expression: queue.text, override: true });
      }
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

  const celery = celeryModuleFacts(tokens, calls, (call, name) => keyword(call as Call, name), (call, index) => positional(call as Call, index));
  return { language: 'python', bindings, producers, queues, checks, ...(celery ? { celery } : {}) };
}
