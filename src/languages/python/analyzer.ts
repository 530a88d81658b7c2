import { bind, literal, matchingBracket, UNKNOWN, type Binding, type ModuleFacts, type RawCheck, type RawProducer, type ValueExpr } from '../facts.js';
import { isDjangoRqModule } from './frameworks/django-rq.js';
import { isRqModule } from './frameworks/rq.js';
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
  /** Target of the enclosing simple assignment statement (`q = Queue(...)` → `q`). */
  assignTarget?: string;
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
  indent: number;
  locals: Map<string, ValueExpr>;
}

/** Tokenizes one Python module and collects its producers, availability checks and module-level bindings. */
export function analyzePython(source: string): ModuleFacts {
  const tokens = tokenizePython(source);
  const bindings = new Map<string, Binding>();
  const boundOnce = new Set<string>();
  const calls: Call[] = [];
  const scopes: Scope[] = [];
  const open: number[] = []; // stack of call indexes whose argument list is open
  let assignTarget: string | undefined;

  const currentScope = () => (scopes.length ? scopes.map((scope) => scope.name).join('.') : undefined);

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.indent !== undefined) {
      while (scopes.length && scopes[scopes.length - 1]!.indent >= token.indent) scopes.pop();
      open.length = 0;
      assignTarget = undefined;
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
    if (head.type === 'name' && (head.value === 'def' || head.value === 'class') && tokens[first + 1]?.type === 'name') {
      const name = tokens[first + 1]!.value;
      const locals = new Map<string, ValueExpr>();
      // Parameters are run-time values: a parameter used as a queue name is unresolvable.
      if (head.value === 'def' && tokens[first + 2]?.value === '(') {
        let depth = 0;
        for (let j = first + 2; j < tokens.length; j++) {
          const t = tokens[j]!;
          if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
          else if (t.value === ')' || t.value === ']' || t.value === '}') {
            depth--;
            if (depth === 0) break;
          } else if (depth === 1 && t.type === 'name') {
            const previous = tokens[j - 1]!.value;
            if (previous === '(' || previous === ',' || previous === '*' || previous === '**') locals.set(t.value, UNKNOWN);
          }
        }
      }
      scopes.push({ name, indent, locals });
      return first + 1;
    }
    if (head.type === 'name' && head.value === 'from') return parseFromImport(first);
    if (head.type === 'name' && head.value === 'import') return parseImport(first);
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
        if (target.length === 1) {
          const end = statementEnd(j + 1);
          const value = evaluate(j + 1, end);
          if (scopes.length === 0) bind(bindings, head.value, { kind: 'value', value }, boundOnce);
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
        decorator,
      };
      if (assignTarget !== undefined) call.assignTarget = assignTarget;
      if (open.length) call.parent = open[open.length - 1]!;
      calls.push(call);
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
        calls.push({ callee: name, calleeStart: i + 1, open: j + 1, close: j + 1, args: [], scope: currentScope(), decorator: true });
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

  return classify(source, tokens, calls, bindings);
}

/** Pass 2: decides which calls are producers, consumer-side queues or availability checks. */
function classify(
  source: string,
  tokens: PyToken[],
  calls: Call[],
  bindings: Map<string, Binding>,
): ModuleFacts {
  const producers: RawProducer[] = [];
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
  /** `Queue` imported from rq (or `rq.Queue`, `rq.queue.Queue`). */
  const isRqQueue = (callee: string[]) => {
    if (callee.length === 1) {
      const imported = importOf(callee[0]!);
      return imported !== undefined && imported.name === 'Queue' && isRqModule(imported.module);
    }
    if (callee[callee.length - 1] !== 'Queue' || callee[0] === '()') return false;
    const imported = importOf(callee[0]!);
    return imported !== undefined && imported.name === '*module*' && isRqModule(imported.module);
  };
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

  const location = (index: number) => ({ line: tokens[index]!.line, column: tokens[index]!.column });
  const consumed = new Set<number>(); // Queue constructions that name a queue for a check or a decorator

  /** A Queue(...) construction passed as an argument: its queue name. */
  const queueConstructionIn = (arg: Arg | undefined): number | undefined => {
    if (!arg) return undefined;
    const index = calls.findIndex((call) => call.calleeStart === arg.from && call.close === arg.to - 1);
    return index >= 0 && isRqQueue(calls[index]!.callee) ? index : undefined;
  };
  const queueNameOf = (call: Call): { value: ValueExpr; text: string } => {
    const arg = positional(call, 0) ?? keyword(call, 'name');
    if (!arg && hasStar(call)) return { value: UNKNOWN, text: source.slice(tokens[call.open]!.start, tokens[call.close]!.end) };
    return valueOf(arg, literal('default'));
  };

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

  // Checks first: they mark the Queue constructions they consume.
  calls.forEach((call) => {
    const last = call.callee[call.callee.length - 1] ?? '';
    const receiver = call.callee[call.callee.length - 2] ?? '';
    const callee = call.callee.filter((part) => part !== '()').join('.');
    let arg: Arg | undefined;
    if ((last === 'all' || last === 'count') && /Worker$/.test(receiver)) arg = keyword(call, 'queue');
    else if (/worker/i.test(last) && !isWorkerConstructor(call.callee) && !call.decorator) {
      arg = keyword(call, 'queue_name', 'queue');
      if (!arg) {
        arg = call.args.find((candidate) => {
          if (candidate.keyword || candidate.star) return false;
          const t = tokens[candidate.from]!;
          if (t.type === 'string') return true;
          if (t.type === 'name' && candidate.to === candidate.from + 1 && /queue/i.test(t.value)) return true;
          return queueConstructionIn(candidate) !== undefined;
        });
      }
    } else return;
    if (!arg) return;
    const construction = queueConstructionIn(arg);
    let value: ValueExpr;
    if (construction !== undefined) {
      consumed.add(construction);
      value = queueNameOf(calls[construction]!).value;
    } else value = valueOf(arg, UNKNOWN).value;
    const check: RawCheck = { queue: value, position: location(call.calleeStart), callee };
    if (call.scope) check.scope = call.scope;
    checks.push(check);
  });

  calls.forEach((call, index) => {
    const last = call.callee[call.callee.length - 1] ?? '';
    const push = (kind: RawProducer['kind'], queue: { value: ValueExpr; text: string }, at: number) => {
      const producer: RawProducer = { kind, queue: queue.value, expression: queue.text, position: location(at) };
      if (call.scope) producer.scope = call.scope;
      producers.push(producer);
    };
    if (call.decorator) {
      if (last !== 'job') return;
      const arg = positional(call, 0) ?? keyword(call, 'queue');
      const construction = queueConstructionIn(arg);
      if (construction !== undefined) {
        consumed.add(construction);
        push('rq-job-decorator', queueNameOf(calls[construction]!), call.calleeStart);
      } else if (arg) push('rq-job-decorator', valueOf(arg, UNKNOWN), call.calleeStart);
      else if (isDjangoRq(call.callee, 'job')) push('rq-job-decorator', { value: literal('default'), text: '' }, call.calleeStart);
      return;
    }
    if (isRqQueue(call.callee)) {
      if (consumed.has(index) || insideWorkerCall[index] || handedToWorker(call)) return;
      push('rq-queue', queueNameOf(call), call.calleeStart);
      return;
    }
    if (last === 'get_queue' && call.callee[0] !== '()') {
      push('django-rq-get-queue', queueNameOf(call), call.calleeStart);
      return;
    }
    if (isDjangoRq(call.callee, 'enqueue')) push('django-rq-get-queue', { value: literal('default'), text: '' }, call.calleeStart);
  });

  return { language: 'python', bindings, producers, checks };
}
