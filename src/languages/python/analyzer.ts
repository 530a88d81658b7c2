import { bind, matchingBracket, UNKNOWN, type Binding, type ModuleFacts, type ValueExpr } from '../facts.js';
import { bodyNeedles } from './body-needles.js';
import { evaluatePython, PYTHON_KEYWORDS as KEYWORDS } from './evaluate.js';
import type { PyArg as Arg, PyCall as Call, PyParam as Param } from './calls.js';
import { recognizePython } from './recognize.js';
import { tokenizePython } from './tokenizer.js';

interface Scope {
  name: string;
  kind: 'class' | 'def';
  indent: number;
  locals: Map<string, ValueExpr>;
}

export interface PythonAnalysisOptions {
  /**
   * Analyze every function body (tests compare it with the default): by default the tokenizer leaves out the body
   * of a `def` whose line and body hold none of BODY_NEEDLES, which leaves the module's facts unchanged and most of
   * a module's functions untokenized and unvisited.
   */
  everyBody?: boolean;
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

  /** A value expression's token range [from, to), by Python's one evaluator, names looked up in the enclosing functions first. */
  function evaluate(from: number, to: number): ValueExpr {
    return evaluatePython(tokens, from, to, localValue);
  }

  function localValue(name: string): ValueExpr | undefined {
    for (let s = scopes.length - 1; s >= 0; s--) {
      const local = scopes[s]!.locals.get(name);
      if (local) return local;
    }
    return undefined;
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

  const facts = recognizePython({ source, tokens, calls, bindings, functions, moduleAssignments });
  return starImports.length ? { ...facts, starImports } : facts;
}
