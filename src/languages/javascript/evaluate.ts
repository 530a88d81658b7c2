import { literal, matchingBracket, UNKNOWN, type ValueExpr } from '../facts.js';
import type { JsToken } from './tokenizer.js';

/** Names that start no value a queue name can be: control keywords, operators written as words. */
export const CONTROL_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'typeof', 'await', 'new', 'function', 'super']);

/**
 * The one JS/TS value evaluator: what the expression `tokens[from, to)` is as a queue name. A plain string, a
 * substitution-free template, a name (`ref`, resolved later through constants and imports), `'x' as const`, or
 * `process.env.X` with an optional `??`/`||` fallback (`env`, resolved per environment); anything else is unknown.
 */
export function evaluateJs(tokens: readonly JsToken[], from: number, to: number): ValueExpr {
  const read = environmentRead(tokens, from);
  if (read) {
    if (read.name.kind !== 'literal') return UNKNOWN;
    const name = read.name.value;
    if (read.after >= to) return { kind: 'env', name, fallback: null };
    const operator = tokens[read.after]!.value;
    if (operator === '??' || operator === '||') {
      const fallback = evaluateJs(tokens, read.after + 1, to);
      if (fallback.kind !== 'unknown') return { kind: 'env', name, fallback };
    }
    return UNKNOWN;
  }
  let end = to;
  // `'x' as const`, `QUEUE as string`
  if (end - from === 3 && tokens[from + 1]?.value === 'as') end = from + 1;
  if (end !== from + 1) return UNKNOWN;
  const t = tokens[from]!;
  if ((t.type === 'string' || t.type === 'template') && !t.formatted) return literal(t.value);
  if (t.type === 'name' && !CONTROL_KEYWORDS.has(t.value) && t.value !== 'this') return { kind: 'ref', name: t.value };
  return UNKNOWN;
}

/**
 * `process.env.X`, `process.env?.X`, `process.env['X']`, `process.env[NAME]` (also `?.[`) starting at `from`: the
 * variable's name as an expression (a literal, or a name the caller may resolve) and the index of the token after
 * the read.
 */
export function environmentRead(tokens: readonly JsToken[], from: number): { name: ValueExpr; after: number } | undefined {
  const value = (index: number) => tokens[index]?.value;
  if (value(from) !== 'process' || tokens[from]!.type !== 'name' || value(from + 1) !== '.' || value(from + 2) !== 'env') return undefined;
  let at = from + 3;
  if (value(at) === '?.' && value(at + 1) === '[') at++;
  else if (value(at) === '.' || value(at) === '?.') return tokens[at + 1]?.type === 'name' ? { name: literal(value(at + 1)!), after: at + 2 } : undefined;
  if (value(at) !== '[' || value(at + 2) !== ']') return undefined;
  const key = tokens[at + 1]!;
  if (key.type === 'string') return { name: literal(key.value), after: at + 3 };
  if (key.type === 'name' && !CONTROL_KEYWORDS.has(key.value)) return { name: { kind: 'ref', name: key.value }, after: at + 3 };
  return undefined;
}

/**
 * End of an expression starting at `from` (a top-level initializer, an argument): the next `;`/`,` at its depth, an
 * unmatched closer, or a token that starts a new statement.
 */
export function expressionEnd(tokens: readonly JsToken[], from: number): number {
  let nesting = 0;
  for (let j = from; j < tokens.length; j++) {
    const v = tokens[j]!;
    if (v.type === 'op') {
      if (v.value === '(' || v.value === '[' || v.value === '{') nesting++;
      else if (v.value === ')' || v.value === ']' || v.value === '}') {
        if (nesting === 0) return j;
        nesting--;
      } else if (nesting === 0 && (v.value === ';' || v.value === ',')) return j;
      continue;
    }
    // Without semicolons: a value followed directly by another value ends the statement (ASI).
    if (nesting === 0 && j > from) {
      const previous = tokens[j - 1]!;
      if (previous.type !== 'op' && !(v.type === 'name' && (v.value === 'as' || previous.value === 'as'))) return j;
    }
  }
  return tokens.length;
}

/** Splits call arguments `(open, close)` at top-level commas: the token ranges [from, to) of each argument. */
export function splitArgs(tokens: readonly JsToken[], openIndex: number, close: number): [number, number][] {
  const args: [number, number][] = [];
  let from = openIndex + 1;
  for (let j = openIndex + 1; j < close; j++) {
    const v = tokens[j]!;
    if (v.type !== 'op') continue;
    // Nested brackets are jumped over, so all the calls of a module split their arguments in one pass.
    if (v.value === '(' || v.value === '[' || v.value === '{') j = matchingBracket(tokens, j);
    else if (v.value === ',') {
      if (j > from) args.push([from, j]);
      from = j + 1;
    }
  }
  if (close > from) args.push([from, close]);
  return args;
}

/** End of an object property's value (or an argument) starting at `from`: the next `,` at its depth, or the closer. */
export function propertyEnd(tokens: readonly JsToken[], from: number): number {
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const v = tokens[k]!.value;
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') {
      if (depth === 0) return k;
      depth--;
    } else if (v === ',' && depth === 0) return k;
  }
  return tokens.length;
}

/** The value of `key:` (or shorthand `key`) in the object literal opened at `openIndex`. */
export function objectProperty(tokens: readonly JsToken[], openIndex: number, key: string): ValueExpr | undefined {
  const value = (index: number) => tokens[index]?.value;
  const objectClose = matchingBracket(tokens, openIndex);
  for (let k = openIndex + 1, depth = 0; k < objectClose; k++) {
    const v = value(k);
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') depth--;
    else if (depth === 0 && v === key && tokens[k]!.type === 'name' && (value(k - 1) === '{' || value(k - 1) === ',')) {
      if (value(k + 1) === ':') return evaluateJs(tokens, k + 2, propertyEnd(tokens, k + 2));
      if (value(k + 1) === ',' || value(k + 1) === '}') return { kind: 'ref', name: key };
    }
  }
  return undefined;
}
