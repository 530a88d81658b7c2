import type { Position } from '../../languages/facts.js';
import type { PyToken } from '../../languages/python/tokenizer.js';

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
      let value = '';
      let j = i;
      let formatted = false;
      for (; j < end && tokens[j]!.type === 'string'; j++) {
        formatted ||= tokens[j]!.formatted === true;
        value += tokens[j]!.value;
      }
      result = { value: formatted ? { kind: 'other', position: at(i) } : { kind: 'str', value, position: at(i) }, next: j };
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
