import { literal, UNKNOWN, type ValueExpr } from '../facts.js';
import type { RbToken } from './tokenizer.js';

/** How far an argument list is read for a key or its end: a real call's arguments are a few dozen tokens. */
export const MAX_ARGUMENT_TOKENS = 400;

/** A value expression read at a token: what it is, where it ends (exclusive) and its text as written. */
export interface RubyValue {
  value: ValueExpr;
  end: number;
  expression: string;
}

/** `A::B::C` starting at `at` (a constant): its segments and the index after it. */
export function constPath(tokens: readonly RbToken[], at: number): { path: string; end: number } | undefined {
  if (tokens[at]?.type !== 'const' && !(tokens[at]?.value === '::' && tokens[at + 1]?.type === 'const')) return undefined;
  let j = tokens[at]!.value === '::' ? at + 1 : at;
  const parts = [tokens[j]!.value];
  j++;
  while (tokens[j]?.value === '::' && tokens[j + 1]?.type === 'const') {
    parts.push(tokens[j + 1]!.value);
    j += 2;
  }
  return { path: parts.join('::'), end: j };
}

const text = (tokens: readonly RbToken[], from: number, to: number) =>
  tokens
    .slice(from, Math.min(to, from + 40))
    .map((token) => (token.type === 'string' ? JSON.stringify(token.value) : token.type === 'symbol' ? `:${token.value}` : token.type === 'label' ? `${token.value}:` : token.value))
    .join('');

/** A plain string or symbol literal at `at`. */
function stringLiteral(token: RbToken | undefined): string | undefined {
  return token && (token.type === 'string' || token.type === 'symbol') && !token.interpolated ? token.value : undefined;
}

/**
 * The value at `at`: a string or symbol literal, a constant (resolved later through the module's constants and the
 * autoload paths), `ENV['X']`, `ENV.fetch('X')`, `ENV.fetch('X', 'd')`, `ENV.fetch('X') { 'd' }`, `ENV['X'] || 'd'`;
 * anything else is unknown (one token consumed).
 */
export function readValue(tokens: readonly RbToken[], at: number): RubyValue {
  const token = tokens[at];
  const plain = stringLiteral(token);
  if (plain !== undefined) return finish(literal(plain), at + 1);
  const path = constPath(tokens, at);
  if (path && path.path === 'ENV') {
    let j = path.end;
    let variable: string | undefined;
    let fallback: ValueExpr | null = null;
    if (tokens[j]?.value === '[' && stringLiteral(tokens[j + 1]) !== undefined && tokens[j + 2]?.value === ']') {
      variable = stringLiteral(tokens[j + 1]);
      j += 3;
    } else if (tokens[j]?.value === '.' && tokens[j + 1]?.value === 'fetch' && tokens[j + 2]?.value === '(' && stringLiteral(tokens[j + 3]) !== undefined) {
      variable = stringLiteral(tokens[j + 3]);
      j += 4;
      if (tokens[j]?.value === ',') {
        const inner = readValue(tokens, j + 1);
        fallback = inner.value;
        j = inner.end;
      }
      if (tokens[j]?.value !== ')') return finish(UNKNOWN, j);
      j++;
      if (!fallback && tokens[j]?.value === '{' && tokens[j + 2]?.value === '}' && stringLiteral(tokens[j + 1]) !== undefined) {
        fallback = literal(stringLiteral(tokens[j + 1])!);
        j += 3;
      }
    }
    if (variable === undefined) return finish(UNKNOWN, path.end);
    if (!fallback && tokens[j]?.value === '||') {
      const inner = readValue(tokens, j + 1);
      fallback = inner.value;
      j = inner.end;
    }
    return finish({ kind: 'env', name: variable, fallback }, j);
  }
  if (path) {
    // A constant used as a value, not a call on it (`Queues::CRITICAL`, not `Foo.name`).
    if (tokens[path.end]?.value === '.' || tokens[path.end]?.value === '(') return finish(UNKNOWN, path.end);
    return finish({ kind: 'ref', name: path.path }, path.end);
  }
  return finish(UNKNOWN, at + 1);

  function finish(value: ValueExpr, end: number): RubyValue {
    return { value, end, expression: text(tokens, at, end) };
  }
}

/**
 * In the argument list opened at `open` (a `(`; or the bare arguments up to the line's end when `open` is not a
 * bracket), the value of a hash key: `key: v`, `:key => v`, `'key' => v` (with `stringKeysOnly`, only the last).
 */
export function hashValue(tokens: readonly RbToken[], from: number, to: number, key: string, stringKeysOnly = false): RubyValue | undefined {
  let depth = 0;
  for (let j = from; j < Math.min(to, from + MAX_ARGUMENT_TOKENS); j++) {
    const token = tokens[j]!;
    if (token.type === 'op' && (token.value === '(' || token.value === '[' || token.value === '{')) depth++;
    else if (token.type === 'op' && (token.value === ')' || token.value === ']' || token.value === '}')) depth--;
    if (depth > 1) continue;
    if (!stringKeysOnly && token.type === 'label' && token.value === key) return readValue(tokens, j + 1);
    if (tokens[j + 1]?.value === '=>' && token.value === key && (token.type === 'string' || (!stringKeysOnly && token.type === 'symbol'))) return readValue(tokens, j + 2);
  }
  return undefined;
}

/** Where the bare (unparenthesised) argument list starting at `from` ends: the end of its line, or a `do`/`{` block. */
export function bareArgumentsEnd(tokens: readonly RbToken[], from: number): number {
  let depth = 0;
  for (let j = from; j < Math.min(tokens.length, from + MAX_ARGUMENT_TOKENS); j++) {
    const token = tokens[j]!;
    if (token.type === 'op' && (token.value === '(' || token.value === '[' || token.value === '{')) depth++;
    else if (token.type === 'op' && (token.value === ')' || token.value === ']' || token.value === '}')) {
      if (depth === 0) return j;
      depth--;
    }
    if (depth === 0 && (token.type === 'nl' || token.value === ';' || (token.type === 'name' && token.value === 'do'))) return j;
  }
  return Math.min(tokens.length, from + MAX_ARGUMENT_TOKENS);
}
