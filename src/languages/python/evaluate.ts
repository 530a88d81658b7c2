import { literal, matchingBracket, UNKNOWN, type Position, type ValueExpr } from '../facts.js';
import type { PyToken } from './tokenizer.js';

/**
 * Python's ONE value evaluator, used by the analyzer (producers, checks, module constants), worker scripts, the
 * django-rq `rqworker` override and Celery's configuration literals alike:
 * - `evaluatePython`: an expression as a queue name (`ValueExpr`): a string, a name, an environment read;
 * - `environmentRead`: `os.getenv('X', d)` and its kin, wherever they stand (a worker script's `.split(',')` after it);
 * - `parseLiteral`: an expression as a literal tree (strings, names, calls, lists, dicts), for configuration;
 * - `queueNamesOf`: a literal list of queue names (`Worker([Queue('high'), 'low'])`, `task_queues = (...)`).
 * Strings are read by one rule everywhere: adjacent literals join (`'hi' 'gh'`), an f-string is no literal, and
 * anything after the value before its end (`'high' + suffix`) makes it no literal. Every function is linear in the
 * tokens it is given.
 */

/** Names that start no value a queue name can be. */
export const PYTHON_KEYWORDS = new Set([
  'if', 'elif', 'else', 'while', 'for', 'return', 'and', 'or', 'not', 'in', 'is', 'with', 'assert', 'yield', 'lambda',
  'del', 'except', 'import', 'from', 'as', 'raise', 'global', 'nonlocal', 'pass', 'print_function', 'await', 'async',
  'match', 'case', 'def', 'class', 'try', 'finally', 'None', 'True', 'False',
]);

/** Python's own environment reads: `os.getenv`, `os.environ.get`, `os.environ[...]` (and `getenv`/`environ` imported). */
const ENV_GETTERS = [
  ['os', '.', 'getenv', '('],
  ['getenv', '('],
  ['os', '.', 'environ', '.', 'get', '('],
  ['environ', '.', 'get', '('],
  ['os', '.', 'environ', '['],
  ['environ', '['],
];

/** A name's value in the enclosing scopes (the analyzer's locals), when the caller knows them. */
export type LocalValue = (name: string) => ValueExpr | undefined;

/**
 * What the expression `tokens[from, to)` is as a queue name: a string (adjacent literals joined), a name (`ref`,
 * resolved later through constants and imports, or its local value), or an environment read with its default
 * (`os.getenv('X', 'd')`, `os.environ['X'] or 'd'`); anything else is unknown.
 */
export function evaluatePython(tokens: readonly PyToken[], from: number, to: number, local?: LocalValue, orDefault = true): ValueExpr {
  const scalar = scalarValue(tokens, from, to, local);
  if (scalar !== undefined) return scalar;
  const read = environmentRead(tokens, from, to, local);
  if (!read || read.name.kind !== 'literal' || read.fallback?.kind === 'unknown') return UNKNOWN;
  const name = read.name.value;
  if (read.close === to - 1) return { kind: 'env', name, fallback: read.fallback };
  // `os.getenv('X') or 'default'`: one `or` (a chain of reads has no single code default, and one level keeps a
  // hostile `… or os.getenv('X') or …` line linear).
  if (orDefault && read.fallback === null && tokens[read.close + 1]?.value === 'or') {
    const alternative = evaluatePython(tokens, read.close + 2, to, local, false);
    if (alternative.kind !== 'unknown') return { kind: 'env', name, fallback: alternative };
  }
  return UNKNOWN;
}

/**
 * The end of the operand at `from` when the expression goes on no further (`'high'` before `)`, `,` or the line's
 * end; a name; an environment read): a worker script's `os.getenv('X') or 'high'` without a bounded range to read.
 * `from` itself (an empty operand) when it is anything else, or something follows it (`'high' + suffix`).
 */
export function operandEnd(tokens: readonly PyToken[], from: number): number {
  const token = tokens[from];
  if (!token) return from;
  const end =
    token.type === 'string' ? stringsAt(tokens, from, tokens.length).next
    : token.type !== 'name' ? from
    : (environmentRead(tokens, from, tokens.length)?.close ?? from) + 1;
  const next = tokens[end];
  return !next || next.type === 'newline' || (next.type === 'op' && OPERAND_ENDS.has(next.value)) ? end : from;
}

const OPERAND_ENDS = new Set([')', ']', '}', ',', ';']);

/** Strings or one name (undefined when the range starts with something else; unknown when it holds more). */
function scalarValue(tokens: readonly PyToken[], from: number, to: number, local?: LocalValue): ValueExpr | undefined {
  if (from >= to) return UNKNOWN;
  const first = tokens[from]!;
  if (first.type === 'string') {
    const strings = stringsAt(tokens, from, to);
    return strings.value !== null && strings.next === to ? literal(strings.value) : UNKNOWN;
  }
  if (first.type === 'name' && to === from + 1 && !PYTHON_KEYWORDS.has(first.value)) return local?.(first.value) ?? { kind: 'ref', name: first.value };
  return first.type === 'name' ? undefined : UNKNOWN;
}

/** The string literals from `from` (before `to`): their joined value (null when one is an f-string) and the index after them. */
function stringsAt(tokens: readonly PyToken[], from: number, to: number): { value: string | null; next: number } {
  let value: string | null = '';
  let j = from;
  for (; j < to && tokens[j]!.type === 'string'; j++) {
    if (tokens[j]!.formatted) value = null;
    else if (value !== null) value += tokens[j]!.value;
  }
  return { value, next: j };
}

/** An environment read at `from`: the variable's name (a literal, or a name the caller may resolve) and its default. */
export interface EnvironmentRead {
  name: ValueExpr;
  /** The code default (`getenv`'s second argument, `default=`): null without one, unknown when it is no value. */
  fallback: ValueExpr | null;
  /** Index of the default's first token. */
  fallbackAt?: number;
  /** Index of the bracket closing the read. */
  close: number;
}

/** `os.getenv(X[, d])`, `os.environ.get(X[, default=d])`, `os.environ[X]` starting at `from`, closed before `to`. */
export function environmentRead(tokens: readonly PyToken[], from: number, to: number, local?: LocalValue): EnvironmentRead | undefined {
  const getter = ENV_GETTERS.find((shape) => shape.every((value, k) => from + k < to && tokens[from + k]!.value === value));
  if (!getter || tokens[from]!.type !== 'name') return undefined;
  const open = from + getter.length - 1;
  const close = matchingBracket(tokens, open);
  if (close >= to) return undefined;
  const nameEnd = topLevelComma(tokens, open + 1, close);
  const name = scalarValue(tokens, open + 1, nameEnd) ?? UNKNOWN;
  if (nameEnd === close) return { name, fallback: null, close };
  if (tokens[open]!.value !== '(') return { name: UNKNOWN, fallback: null, close };
  let start = nameEnd + 1;
  if (tokens[start]?.value === 'default' && tokens[start + 1]?.value === '=') start += 2;
  return { name, fallback: evaluatePython(tokens, start, close, local), fallbackAt: start, close };
}

/** The first `,` at this depth in [from, to), else `to` (nested brackets jumped over). */
function topLevelComma(tokens: readonly PyToken[], from: number, to: number): number {
  for (let j = from; j < to; j++) {
    const value = tokens[j]!.type === 'op' ? tokens[j]!.value : '';
    if (value === '(' || value === '[' || value === '{') j = matchingBracket(tokens, j);
    else if (value === ',') return j;
  }
  return to;
}

/**
 * End of the expression starting at `from`: the next `,` at its depth, an unmatched closer or the end of the
 * logical line (worker scripts and the rqworker override know where a value starts, not where it ends).
 */
export function expressionEnd(tokens: readonly PyToken[], from: number): number {
  for (let j = from; j < tokens.length; j++) {
    const token = tokens[j]!;
    if (token.type === 'newline') return j;
    const value = token.type === 'op' ? token.value : '';
    if (value === '(' || value === '[' || value === '{') j = matchingBracket(tokens, j);
    else if (value === ',' || value === ')' || value === ']' || value === '}') return j;
  }
  return tokens.length;
}

/** A Python literal as far as a configuration needs it. */
export type PyLiteral =
  | { kind: 'str'; value: string; position: Position }
  | { kind: 'dict'; entries: [PyLiteral, PyLiteral][]; position: Position }
  | { kind: 'list'; items: PyLiteral[]; position: Position }
  | { kind: 'call'; callee: string; args: PyLiteral[]; keywords: Record<string, PyLiteral>; position: Position }
  | { kind: 'name'; name: string; position: Position }
  /** `re.I | re.S`: names joined by `|` (flags). */
  | { kind: 'bitor'; items: Extract<PyLiteral, { kind: 'name' }>[]; position: Position }
  | { kind: 'other'; position: Position };

const MAX_DEPTH = 32;

/** Parses the tokens [from, to) as one literal; anything else is `other`. Linear: each token is visited once. */
export function parseLiteral(tokens: readonly PyToken[], from: number, to: number): PyLiteral {
  const at = (i: number): Position => ({ line: tokens[i]?.line ?? 0, column: tokens[i]?.column ?? 0 });
  const closers = new Set([')', ']', '}']);
  /** Skips to the next top-level `,`/`:` or closing bracket (for what is not a literal). */
  const skip = (i: number, end: number): number => {
    let depth = 0;
    for (; i < end; i++) {
      const v = tokens[i]!.type === 'op' ? tokens[i]!.value : '';
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (closers.has(v)) {
        if (depth === 0) return i;
        depth--;
      } else if ((v === ',' || v === ':') && depth === 0) return i;
    }
    return end;
  };
  const parse = (i: number, end: number, depth: number): { value: PyLiteral; next: number } => {
    const token = tokens[i];
    if (!token || i >= end || depth > MAX_DEPTH) return { value: { kind: 'other', position: at(i) }, next: skip(i, end) };
    let result: { value: PyLiteral; next: number };
    if (token.type === 'string') {
      const strings = stringsAt(tokens, i, end);
      result = { value: strings.value === null ? { kind: 'other', position: at(i) } : { kind: 'str', value: strings.value, position: at(i) }, next: strings.next };
    } else if (token.type === 'op' && (token.value === '{' || token.value === '[' || token.value === '(')) {
      const close = token.value === '{' ? '}' : token.value === '[' ? ']' : ')';
      const entries: [PyLiteral, PyLiteral][] = [];
      const items: PyLiteral[] = [];
      let j = i + 1;
      let commas = 0;
      while (j < end && tokens[j]!.value !== close) {
        if (tokens[j]!.value === '**' || tokens[j]!.value === '*') {
          j = skip(j + 1, end);
        } else {
          const key = parse(j, end, depth + 1);
          j = key.next;
          if (tokens[j]?.value === ':' && token.value === '{') {
            const value = parse(j + 1, end, depth + 1);
            entries.push([key.value, value.value]);
            j = value.next;
          } else items.push(key.value);
        }
        if (tokens[j]?.value === ',') {
          commas++;
          j++;
        } else if (tokens[j]?.value !== close) j = skip(j, end) === j ? j + 1 : skip(j, end);
      }
      const next = Math.min(j + 1, end);
      if (token.value === '(' && commas === 0 && items.length === 1) result = { value: items[0]!, next };
      else if (token.value === '{' && entries.length) result = { value: { kind: 'dict', entries, position: at(i) }, next };
      else if (token.value === '{' && items.length === 0) result = { value: { kind: 'dict', entries: [], position: at(i) }, next };
      else result = { value: { kind: 'list', items, position: at(i) }, next };
    } else if (token.type === 'name') {
      let name = token.value;
      let j = i + 1;
      while (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'name' && j + 1 < end) {
        name += `.${tokens[j + 1]!.value}`;
        j += 2;
      }
      if (tokens[j]?.value === '(' && j < end) {
        const args: PyLiteral[] = [];
        const keywords: Record<string, PyLiteral> = {};
        let k = j + 1;
        while (k < end && tokens[k]!.value !== ')') {
          if (tokens[k]!.type === 'name' && tokens[k + 1]?.value === '=') {
            const value = parse(k + 2, end, depth + 1);
            keywords[tokens[k]!.value] = value.value;
            k = value.next;
          } else if (tokens[k]!.value === '*' || tokens[k]!.value === '**') {
            k = skip(k + 1, end);
          } else {
            const value = parse(k, end, depth + 1);
            args.push(value.value);
            k = value.next;
          }
          if (tokens[k]?.value === ',') k++;
          else if (tokens[k]?.value !== ')') k = skip(k, end) === k ? k + 1 : skip(k, end);
        }
        result = { value: { kind: 'call', callee: name, args, keywords, position: at(i) }, next: Math.min(k + 1, end) };
      } else {
        result = { value: { kind: 'name', name, position: at(i) }, next: j };
        // `re.I | re.S`: a chain of dotted names joined by `|`.
        const items = [result.value as Extract<PyLiteral, { kind: 'name' }>];
        while (j < end && tokens[j]?.value === '|' && tokens[j + 1]?.type === 'name' && j + 1 < end) {
          let k = j + 1;
          let part = tokens[k]!.value;
          const position = at(k);
          k++;
          while (k + 1 < end && tokens[k]?.value === '.' && tokens[k + 1]?.type === 'name') {
            part += `.${tokens[k + 1]!.value}`;
            k += 2;
          }
          items.push({ kind: 'name', name: part, position });
          j = k;
        }
        if (items.length > 1) result = { value: { kind: 'bitor', items, position: at(i) }, next: j };
      }
    } else result = { value: { kind: 'other', position: at(i) }, next: skip(i + 1, end) };
    // Anything after the literal but before the next separator (`'a' + x`, `x or 'y'`) makes it no literal.
    const after = skip(result.next, end);
    if (after !== result.next) return { value: { kind: 'other', position: at(i) }, next: after };
    return result;
  };
  return parse(from, to, 0).value;
}

/** A dict literal's value at a string key. */
export function dictGet(value: PyLiteral | undefined, key: string): PyLiteral | undefined {
  if (value?.kind !== 'dict') return undefined;
  return value.entries.find(([k]) => k.kind === 'str' && k.value === key)?.[1];
}

/**
 * A literal list or tuple of queue names: strings, names the caller resolves, and constructions (`Queue('high',
 * connection=c)`, Celery's `Queue('a', Exchange('a'))`) whose first argument or `name=` is the name, when
 * `isConstruction` accepts their callee. Null when one item is anything else.
 */
export function queueNamesOf(value: PyLiteral, resolve: (name: string) => string | null, isConstruction: (callee: string) => boolean = () => false): string[] | null {
  if (value.kind !== 'list') return null;
  const names: string[] = [];
  for (const item of value.items) {
    const name = item.kind === 'call' && isConstruction(item.callee) ? nameOf(item.args[0] ?? item.keywords['name'], resolve) : nameOf(item, resolve);
    if (name === null) return null;
    names.push(name);
  }
  return names;
}

/** A string, or a plain name through `resolve`; null for anything else. */
export function nameOf(value: PyLiteral | undefined, resolve: (name: string) => string | null): string | null {
  if (value?.kind === 'str') return value.value;
  if (value?.kind === 'name' && !value.name.includes('.')) return resolve(value.name);
  return null;
}
