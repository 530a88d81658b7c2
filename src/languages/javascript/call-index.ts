import { bind, matchingBracket, matchingOpenBracket, UNKNOWN, type Binding } from '../facts.js';
import { lineStarts, positionOf } from '../../lines.js';
import { CONTROL_KEYWORDS, evaluateJs, expressionEnd } from './evaluate.js';
import { scopeOf, type JsBlock, type JsCallIndex, type JsSite, type JsSiteContext } from './calls.js';
import { tokenizeJs } from './tokenizer.js';

/** Tokens after which an expression continues, so the value before them is not a plain constant. */
const CONTINUATION = new Set(['.', '?.', '(', '[', '+', '-', '*', '/', '%', '?', '??', '||', '&&', '`']);

/** Tokenizes one JS/TS module and indexes its bindings and sites. */
export function indexJs(source: string): JsCallIndex {
  const tokens = tokenizeJs(source);
  const bindings = new Map<string, Binding>();
  const boundOnce = new Set<string>();
  const sites: JsSite[] = [];
  /** Open blocks, innermost last; plain blocks repeat their parent's named block. */
  let block: JsBlock | undefined;
  const stack: (JsBlock | undefined)[] = [];
  let starts: number[] | undefined;

  const value = (index: number) => tokens[index]?.value;
  const depth = () => stack.length;
  const context = (): JsSiteContext => ({ block, depth: stack.length });

  /** Name for the block opened at `i` (function, method, class), or undefined for plain blocks. */
  const blockName = (i: number): string | undefined => {
    let j = i - 1;
    // Skip a TS return type annotation: `): Promise<void> {`
    for (let k = i - 1; k >= 0 && k > i - 40; k--) {
      const v = tokens[k]!;
      if (v.type === 'op' && (v.value === '{' || v.value === '}' || v.value === ';' || v.value === '=>')) break;
      if (v.value === ')' && value(k + 1) === ':') {
        j = k;
        break;
      }
    }
    if (value(j) === '=>') {
      let k = j - 1;
      if (value(k) === ')') k = matchingOpenBracket(tokens, k) - 1;
      else k--;
      if (value(k) === 'async') k--;
      if ((value(k) === '=' || value(k) === ':') && tokens[k - 1]?.type === 'name') return value(k - 1);
      return undefined;
    }
    if (value(j) === ')') {
      const openIndex = matchingOpenBracket(tokens, j);
      const before = tokens[openIndex - 1];
      if (before?.type === 'name' && !CONTROL_KEYWORDS.has(before.value)) return before.value;
      if (before?.value === 'function') {
        const k = openIndex - 2;
        if ((value(k) === '=' || value(k) === ':') && tokens[k - 1]?.type === 'name') return value(k - 1);
      }
      return undefined;
    }
    for (let k = i - 1; k >= 0 && k > i - 30; k--) {
      const v = tokens[k]!;
      if (v.type === 'op' && (v.value === '{' || v.value === '}' || v.value === ';' || v.value === '(' || v.value === '=')) break;
      if (v.value === 'class' && tokens[k + 1]?.type === 'name' && value(k + 1) !== 'extends') return value(k + 1);
    }
    return undefined;
  };

  /** Whether the block opened at `i` is the body of `class name` (`class Name extends Base<T> {`). */
  const isClassBlock = (i: number, name: string): boolean => {
    for (let k = i - 1; k >= 0 && k > i - 30; k--) {
      const v = tokens[k]!;
      if (v.type === 'op' && (v.value === '{' || v.value === '}' || v.value === ';' || v.value === '(' || v.value === '=')) return false;
      if (v.value === 'class') return value(k + 1) === name;
    }
    return false;
  };

  const collectSpecifiers = (from: number, to: number, names: [string, string][]): void => {
    for (let k = from; k < to; k++) {
      const v = tokens[k]!;
      if (v.type !== 'name' || v.value === 'type') continue;
      if (value(k + 1) === 'as' || value(k + 1) === ':') {
        names.push([v.value, value(k + 2)!]);
        k += 2;
      } else names.push([v.value, v.value]);
    }
  };

  const parseImport = (i: number): number => {
    // import X, { A as B } from 'mod'; import * as ns from 'mod'; import 'mod';
    let j = i + 1;
    if (value(j) === 'type') j++;
    const names: [string, string][] = [];
    let end = j;
    for (; end < tokens.length && value(end) !== 'from' && tokens[end]!.type !== 'string'; end++);
    for (let k = j; k < end; k++) {
      const v = tokens[k]!;
      if (v.value === '*' && value(k + 1) === 'as') {
        names.push(['*module*', value(k + 2)!]);
        k += 2;
      } else if (v.value === '{') {
        const close = matchingBracket(tokens, k);
        collectSpecifiers(k + 1, close, names);
        k = close;
      } else if (v.type === 'name' && v.value !== 'type') names.push(['default', v.value]);
    }
    const moduleToken = value(end) === 'from' ? tokens[end + 1] : tokens[end];
    if (moduleToken?.type !== 'string') return end;
    for (const [imported, local] of names) bind(bindings, local, { kind: 'import', module: moduleToken.value, name: imported }, boundOnce);
    return value(end) === 'from' ? end + 1 : end;
  };

  const parseExportList = (openIndex: number): number => {
    const close = matchingBracket(tokens, openIndex);
    const names: [string, string][] = [];
    collectSpecifiers(openIndex + 1, close, names);
    if (value(close + 1) === 'from' && tokens[close + 2]?.type === 'string') {
      const module = value(close + 2)!;
      for (const [imported, exported] of names) bind(bindings, exported, { kind: 'import', module, name: imported }, boundOnce);
      return close + 2;
    }
    for (const [local, exported] of names) {
      if (local !== exported) bind(bindings, exported, { kind: 'value', value: { kind: 'ref', name: local } }, boundOnce);
    }
    return close;
  };

  const parseDeclaration = (i: number): void => {
    let j = i + 1;
    if (value(j) === '{') {
      // const { A, B: C } = require('mod')
      const close = matchingBracket(tokens, j);
      if (value(close + 1) === '=' && value(close + 2) === 'require' && tokens[close + 4]?.type === 'string') {
        const names: [string, string][] = [];
        collectSpecifiers(j + 1, close, names);
        for (const [imported, local] of names) bind(bindings, local, { kind: 'import', module: value(close + 4)!, name: imported }, boundOnce);
      }
      return;
    }
    const name = tokens[j];
    if (name?.type !== 'name') return;
    j++;
    if (value(j) === ':') {
      // skip a type annotation up to '='
      for (let nesting = 0; j < tokens.length; j++) {
        const v = value(j);
        if (v === '<' || v === '(' || v === '[' || v === '{') nesting++;
        else if (v === '>' || v === ')' || v === ']' || v === '}') nesting--;
        else if (v === '=' && nesting <= 0) break;
        else if (v === ';') return;
      }
    }
    if (value(j) !== '=') return;
    if (value(j + 1) === 'require' && value(j + 2) === '(' && tokens[j + 3]?.type === 'string') {
      bind(bindings, name.value, { kind: 'import', module: value(j + 3)!, name: '*module*' }, boundOnce);
      return;
    }
    const end = expressionEnd(tokens, j + 1);
    const next = tokens[j + 2];
    const continues = next?.type === 'op' && CONTINUATION.has(next.value) && end > j + 2;
    const initial = evaluateJs(tokens, j + 1, end);
    bind(bindings, name.value, { kind: 'value', value: continues && initial.kind !== 'env' ? UNKNOWN : initial }, boundOnce);
  };

  const addNew = (i: number): void => {
    let j = i + 1;
    const calleeStart = j;
    while (value(j + 1) === '.' && tokens[j + 2]?.type === 'name') j += 2;
    if (value(j + 1) !== '(') return;
    sites.push({ type: 'new', at: i, calleeStart, calleeEnd: j, open: j + 1, close: matchingBracket(tokens, j + 1), ...context() });
  };

  const addCall = (openIndex: number): void => {
    const nameToken = tokens[openIndex - 1];
    if (nameToken?.type !== 'name' || CONTROL_KEYWORDS.has(nameToken.value)) return;
    let calleeStart = openIndex - 1;
    while (value(calleeStart - 1) === '.' || value(calleeStart - 1) === '?.') {
      const before = tokens[calleeStart - 2];
      if (before?.type === 'name') calleeStart -= 2;
      else if (before?.value === ')') {
        calleeStart = matchingOpenBracket(tokens, calleeStart - 2);
        if (tokens[calleeStart - 1]?.type === 'name') calleeStart--;
        if (value(calleeStart - 1) === 'new') calleeStart--;
        break;
      } else break;
    }
    if (value(calleeStart - 1) === 'new' || value(calleeStart - 1) === 'function') return;
    const close = matchingBracket(tokens, openIndex);
    const after = value(close + 1);
    if (after === '{' || (after === ':' && depth() > 0 && value(calleeStart - 1) !== '?')) return; // a definition
    sites.push({ type: 'call', calleeStart, open: openIndex, close, ...context() });
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'op') {
      if (t.value === '{') {
        const name = blockName(i);
        stack.push(block);
        if (name) block = { name, isClass: isClassBlock(i, name), parent: block, depth: stack.length };
      } else if (t.value === '}') block = stack.pop();
      else if (t.value === '(') addCall(i);
      continue;
    }
    if (t.type !== 'name') continue;
    // `import.meta.url` and `import('m')` are expressions, not import declarations.
    if (t.value === 'import' && depth() === 0 && value(i - 1) !== '.' && value(i + 1) !== '.' && value(i + 1) !== '(') i = parseImport(i);
    else if (t.value === 'export' && value(i + 1) === '{') i = parseExportList(i + 1);
    else if ((t.value === 'const' || t.value === 'let' || t.value === 'var') && depth() === 0) parseDeclaration(i);
    else if (t.value === 'const' || t.value === 'let' || t.value === 'var') {
      // `const q = …` inside a function: the name is local there (a queue object, or something else that shadows).
      if (tokens[i + 1]?.type === 'name') sites.push({ type: 'local', key: `${scopeOf(block)}\0${value(i + 1)}` });
    } else if (t.value === 'new') addNew(i);
  }

  return {
    source,
    tokens,
    bindings,
    sites,
    position: (index) => {
      starts ??= lineStarts(source);
      return positionOf(starts, tokens[index]!.start);
    },
    textOf: (from, to) => (from < to ? source.slice(tokens[from]!.start, tokens[to - 1]!.end) : ''),
  };
}
