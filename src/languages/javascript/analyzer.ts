import {
  bind,
  literal,
  matchingBracket,
  matchingOpenBracket,
  UNKNOWN,
  type Binding,
  type ModuleFacts,
  type RawCheck,
  type RawProducer,
  type RawQueueObject,
  type ValueExpr,
} from '../facts.js';
import { BULLMQ_MODULE, ENQUEUE_METHODS } from '../../frameworks/bullmq/javascript.js';
import { lineStarts, positionOf } from '../../lines.js';
import { tokenizeJs, type JsToken } from './tokenizer.js';

const CONTROL_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'typeof', 'await', 'new', 'function', 'super']);
/** Tokens after which an expression continues, so the value before them is not a plain constant. */
const CONTINUATION = new Set(['.', '?.', '(', '[', '+', '-', '*', '/', '%', '?', '??', '||', '&&', '`']);

interface Block {
  name?: string;
  /** A class body: `this.x` in its methods names its fields. */
  isClass?: boolean;
}

/** An enqueue call whose receiver is resolved once the whole module is read (a field may be declared after its use). */
interface PendingSite {
  parts: string[];
  /** `getQueue().add(...)`: the receiver is a call to a factory. */
  factoryCall: boolean;
  /** `new Queue(...).add(...)`: the object built right there. */
  object?: number;
  scope: string | undefined;
  className: string | undefined;
  via: string;
  position: { line: number; column: number };
}

/** Tokenizes one JS/TS module and collects its BullMQ producers, availability checks and top-level bindings. */
export function analyzeJs(source: string): ModuleFacts {
  const tokens = tokenizeJs(source);
  const bindings = new Map<string, Binding>();
  const boundOnce = new Set<string>();
  const producers: RawProducer[] = [];
  const checks: RawCheck[] = [];
  const blocks: Block[] = [];
  const flowNames = new Set<string>();
  const queues: RawQueueObject[] = [];
  const workers: NonNullable<ModuleFacts['workers']> = [];
  /** Locals (`scope\0name`) and class fields (`Class\0.field`) → queue object, -1 when not one single queue object. */
  const named = new Map<string, number | { factory: string }>();
  const pending: PendingSite[] = [];
  const objectAtOpen = new Map<number, number>(); // `new Queue(` open paren → object
  const localDeclarations = new Map<string, number>(); // how often each local is declared
  let starts: number[] | undefined;

  const position = (index: number) => {
    starts ??= lineStarts(source);
    return positionOf(starts, tokens[index]!.start);
  };
  const scope = () => {
    const names = blocks.filter((block) => block.name).map((block) => block.name!);
    return names.length ? names.join('.') : undefined;
  };
  /** Dotted name of the innermost class around the current position. */
  const className = () => {
    for (let b = blocks.length - 1; b >= 0; b--) {
      if (blocks[b]!.isClass) return blocks.slice(0, b + 1).filter((block) => block.name).map((block) => block.name!).join('.');
    }
    return undefined;
  };
  const nameLocal = (key: string, value: number | { factory: string } | -1) => named.set(key, named.has(key) ? -1 : value);
  const value = (index: number) => tokens[index]?.value;
  const textOf = (from: number, to: number) => (from < to ? source.slice(tokens[from]!.start, tokens[to - 1]!.end) : '');

  const matchForward = (openIndex: number): number => matchingBracket(tokens, openIndex);
  const matchBack = (closeIndex: number): number => matchingOpenBracket(tokens, closeIndex);

  /** Evaluates the expression starting at `from` and ending before `to`. */
  const evaluate = (from: number, to: number): ValueExpr => {
    let end = to;
    // `process.env.X ?? 'd'`, `process.env['X'] || 'd'`: read at run time, resolved per environment.
    if (value(from) === 'process' && value(from + 1) === '.' && value(from + 2) === 'env') {
      let after: number | undefined;
      let name: string | undefined;
      if (value(from + 3) === '.' && tokens[from + 4]?.type === 'name') [name, after] = [value(from + 4), from + 5];
      else if (value(from + 3) === '[' && tokens[from + 4]?.type === 'string' && value(from + 5) === ']') [name, after] = [value(from + 4), from + 6];
      if (name !== undefined && after !== undefined) {
        if (after >= to) return { kind: 'env', name, fallback: null };
        if (value(after) === '??' || value(after) === '||') {
          const fallback = evaluate(after + 1, to);
          if (fallback.kind !== 'unknown') return { kind: 'env', name, fallback };
        }
        return UNKNOWN;
      }
    }
    // `'x' as const`, `QUEUE as string`
    if (end - from === 3 && value(from + 1) === 'as') end = from + 1;
    if (end !== from + 1) return UNKNOWN;
    const t = tokens[from]!;
    if ((t.type === 'string' || t.type === 'template') && !t.formatted) return literal(t.value);
    if (t.type === 'name' && !CONTROL_KEYWORDS.has(t.value) && t.value !== 'this') return { kind: 'ref', name: t.value };
    return UNKNOWN;
  };

  /** End of a top-level initializer: the next `;`/`,` at depth 0 or a token that starts a new statement. */
  const initializerEnd = (from: number): number => {
    let depth = 0;
    for (let j = from; j < tokens.length; j++) {
      const v = tokens[j]!;
      if (v.type === 'op') {
        if (v.value === '(' || v.value === '[' || v.value === '{') depth++;
        else if (v.value === ')' || v.value === ']' || v.value === '}') {
          if (depth === 0) return j;
          depth--;
        } else if (depth === 0 && (v.value === ';' || v.value === ',')) return j;
        continue;
      }
      // Without semicolons: a value followed directly by another value ends the statement (ASI).
      if (depth === 0 && j > from) {
        const previous = tokens[j - 1]!;
        if (previous.type !== 'op' && !(v.type === 'name' && (v.value === 'as' || previous.value === 'as'))) return j;
      }
    }
    return tokens.length;
  };

  /** Splits call arguments [open+1, close) at top-level commas. */
  const splitArgs = (openIndex: number, close: number): [number, number][] => {
    const args: [number, number][] = [];
    let from = openIndex + 1;
    for (let j = openIndex + 1; j < close; j++) {
      const v = tokens[j]!;
      if (v.type !== 'op') continue;
      // Nested brackets are jumped over, so all the calls of a module split their arguments in one pass.
      if (v.value === '(' || v.value === '[' || v.value === '{') j = matchForward(j);
      else if (v.value === ',') {
        if (j > from) args.push([from, j]);
        from = j + 1;
      }
    }
    if (close > from) args.push([from, close]);
    return args;
  };

  const isBullQueue = (calleeStart: number, calleeEnd: number): boolean => {
    if (calleeEnd === calleeStart) {
      const binding = bindings.get('Queue');
      if (binding?.kind === 'import') return binding.name === 'Queue' && BULLMQ_MODULE.test(binding.module);
      if (binding) return false;
      // Not imported by name (dynamic import, namespace on a variable): BullMQ's when the file uses bullmq at all.
      return source.includes('bullmq') && !/\bclass\s+Queue\b/.test(source);
    }
    const namespace = bindings.get(value(calleeStart)!);
    return namespace?.kind === 'import' && BULLMQ_MODULE.test(namespace.module);
  };

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
      if (value(k) === ')') k = matchBack(k) - 1;
      else k--;
      if (value(k) === 'async') k--;
      if ((value(k) === '=' || value(k) === ':') && tokens[k - 1]?.type === 'name') return value(k - 1);
      return undefined;
    }
    if (value(j) === ')') {
      const openIndex = matchBack(j);
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

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'op') {
      if (t.value === '{') {
        const name = blockName(i);
        const block: Block = name ? { name } : {};
        if (name && isClassBlock(i, name)) block.isClass = true;
        blocks.push(block);
      } else if (t.value === '}') blocks.pop();
      else if (t.value === '(') handleCall(i);
      continue;
    }
    if (t.type !== 'name') continue;
    if (t.value === 'import' && blocks.length === 0 && value(i - 1) !== '.') i = parseImport(i);
    else if (t.value === 'export' && value(i + 1) === '{') i = parseExportList(i + 1);
    else if ((t.value === 'const' || t.value === 'let' || t.value === 'var') && blocks.length === 0) parseDeclaration(i);
    else if (t.value === 'const' || t.value === 'let' || t.value === 'var') localDeclaration(i);
    else if (t.value === 'new') handleNew(i);
  }

  /** Whether the block opened at `i` is the body of `class name` (`class Name extends Base<T> {`). */
  function isClassBlock(i: number, name: string): boolean {
    for (let k = i - 1; k >= 0 && k > i - 30; k--) {
      const v = tokens[k]!;
      if (v.type === 'op' && (v.value === '{' || v.value === '}' || v.value === ';' || v.value === '(' || v.value === '=')) return false;
      if (v.value === 'class') return value(k + 1) === name;
    }
    return false;
  }

  function parseImport(i: number): number {
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
        const close = matchForward(k);
        collectSpecifiers(k + 1, close, names);
        k = close;
      } else if (v.type === 'name' && v.value !== 'type') names.push(['default', v.value]);
    }
    const moduleToken = value(end) === 'from' ? tokens[end + 1] : tokens[end];
    if (moduleToken?.type !== 'string') return end;
    for (const [imported, local] of names) bind(bindings, local, { kind: 'import', module: moduleToken.value, name: imported }, boundOnce);
    return value(end) === 'from' ? end + 1 : end;
  }

  function collectSpecifiers(from: number, to: number, names: [string, string][]): void {
    for (let k = from; k < to; k++) {
      const v = tokens[k]!;
      if (v.type !== 'name' || v.value === 'type') continue;
      if (value(k + 1) === 'as' || value(k + 1) === ':') {
        names.push([v.value, value(k + 2)!]);
        k += 2;
      } else names.push([v.value, v.value]);
    }
  }

  function parseExportList(openIndex: number): number {
    const close = matchForward(openIndex);
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
  }

  /** `const q = …` inside a function: the name is local there (a queue object, or something else that shadows). */
  function localDeclaration(i: number): void {
    const name = tokens[i + 1];
    if (name?.type !== 'name') return;
    const key = `${scope()}\0${name.value}`;
    localDeclarations.set(key, (localDeclarations.get(key) ?? 0) + 1);
    named.set(key, -1);
  }

  function parseDeclaration(i: number): void {
    let j = i + 1;
    if (value(j) === '{') {
      // const { A, B: C } = require('mod')
      const close = matchForward(j);
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
      for (let depth = 0; j < tokens.length; j++) {
        const v = value(j);
        if (v === '<' || v === '(' || v === '[' || v === '{') depth++;
        else if (v === '>' || v === ')' || v === ']' || v === '}') depth--;
        else if (v === '=' && depth <= 0) break;
        else if (v === ';') return;
      }
    }
    if (value(j) !== '=') return;
    if (value(j + 1) === 'require' && value(j + 2) === '(' && tokens[j + 3]?.type === 'string') {
      bind(bindings, name.value, { kind: 'import', module: value(j + 3)!, name: '*module*' }, boundOnce);
      return;
    }
    const end = initializerEnd(j + 1);
    const next = tokens[j + 2];
    const continues = next?.type === 'op' && CONTINUATION.has(next.value) && end > j + 2;
    const initial = evaluate(j + 1, end);
    bind(bindings, name.value, { kind: 'value', value: continues && initial.kind !== 'env' ? UNKNOWN : initial }, boundOnce);
  }

  function handleNew(i: number): void {
    let j = i + 1;
    const calleeStart = j;
    while (value(j + 1) === '.' && tokens[j + 2]?.type === 'name') j += 2;
    const name = value(j);
    if (value(j + 1) !== '(') return;
    const openIndex = j + 1;
    const close = matchForward(openIndex);
    if (name === 'FlowProducer') {
      // `const flow = new FlowProducer(...)` / `this.flow = new FlowProducer(...)`
      if (value(i - 1) === '=' && tokens[i - 2]?.type === 'name') flowNames.add(value(i - 2)!);
      return;
    }
    if (name === 'Worker') {
      // `new Worker(name, processor, { connection, prefix })`: the consumer side's prefix (connection-mismatch).
      const options = splitArgs(openIndex, close)[2];
      const prefix = options && value(options[0]) === '{' ? objectProperty(options[0], 'prefix') : undefined;
      workers.push(prefix ? { prefix } : {});
      return;
    }
    if (name !== 'Queue' || !isBullQueue(calleeStart, j)) return;
    const [first, options] = splitArgs(openIndex, close);
    const object: RawQueueObject = {
      kind: 'bullmq-queue',
      queue: first ? evaluate(first[0], first[1]) : UNKNOWN,
      expression: first ? textOf(first[0], first[1]) : '',
      position: position(i),
    };
    const current = scope();
    if (current) object.scope = current;
    const prefix = options && value(options[0]) === '{' ? objectProperty(options[0], 'prefix') : undefined;
    if (prefix) object.connection = { prefix };
    queues.push(object);
    const id = queues.length - 1;
    objectAtOpen.set(openIndex, id);
    bindObject(i, close, id);
  }

  /** The value of `key:` (or shorthand `key`) in the object literal opened at `openIndex`. */
  function objectProperty(openIndex: number, key: string): ValueExpr | undefined {
    const objectClose = matchForward(openIndex);
    for (let k = openIndex + 1, depth = 0; k < objectClose; k++) {
      const v = value(k);
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') depth--;
      else if (depth === 0 && v === key && tokens[k]!.type === 'name' && (value(k - 1) === '{' || value(k - 1) === ',')) {
        if (value(k + 1) === ':') return evaluate(k + 2, propertyEnd(k + 2));
        if (value(k + 1) === ',' || value(k + 1) === '}') return { kind: 'ref', name: key };
      }
    }
    return undefined;
  }

  /** Names the queue object built by `new` at `newIndex` (ending at `close`) is bound to, when it is the whole value. */
  function bindObject(newIndex: number, close: number, id: number): void {
    const after = value(close + 1);
    const ends = after === undefined || after === ';' || after === ',' || after === '}' || after === ')' || tokens[close + 1]!.type !== 'op';
    if (!ends) return;
    const before = value(newIndex - 1);
    const current = scope();
    if (before === 'return' && blocks.length === 1 && current) {
      // `function receiptsQueue() { return new Queue(...) }`: a factory.
      bindModule(current, id, true);
      return;
    }
    if (before === '=>' && blocks.length === 0) {
      // `export const receiptsQueue = () => new Queue(...)`
      let k = newIndex - 2;
      if (value(k) === ')') k = matchBack(k) - 1;
      else k--;
      if (value(k) === 'async') k--;
      if (value(k) === '=' && tokens[k - 1]?.type === 'name') bindModule(value(k - 1)!, id, true);
      return;
    }
    if (before !== '=') return;
    const target = tokens[newIndex - 2];
    if (target?.type !== 'name') {
      // `const q: Queue<Job> = new Queue(...)`: the name before the annotation
      return;
    }
    if (value(newIndex - 3) === '.' && value(newIndex - 4) === 'this') {
      const owner = className();
      if (owner !== undefined) nameLocal(`${owner}\0.${target.value}`, id);
      return;
    }
    if (value(newIndex - 3) === '.') return;
    if (blocks.length === 0) bindModule(target.value, id, false);
    else if (blocks[blocks.length - 1]!.isClass) nameLocal(`${className()}\0.${target.value}`, id);
    else {
      // A local: the queue object when this is its one declaration (`const q = new Queue(...)`).
      const key = `${scope()}\0${target.value}`;
      named.set(key, localDeclarations.get(key) === 1 && named.get(key) === -1 ? id : -1);
    }
  }

  function bindModule(name: string, id: number, factory: boolean): void {
    const existing = bindings.get(name);
    if (existing?.kind === 'queue' || (existing && !(existing.kind === 'value' && existing.value.kind === 'unknown'))) {
      bindings.set(name, { kind: 'value', value: UNKNOWN });
      return;
    }
    bindings.set(name, { kind: 'queue', object: id, factory });
  }

  function handleCall(openIndex: number): void {
    const nameToken = tokens[openIndex - 1];
    if (nameToken?.type !== 'name' || CONTROL_KEYWORDS.has(nameToken.value)) return;
    let calleeStart = openIndex - 1;
    while (value(calleeStart - 1) === '.' || value(calleeStart - 1) === '?.') {
      const before = tokens[calleeStart - 2];
      if (before?.type === 'name') calleeStart -= 2;
      else if (before?.value === ')') {
        calleeStart = matchBack(calleeStart - 2);
        if (tokens[calleeStart - 1]?.type === 'name') calleeStart--;
        if (value(calleeStart - 1) === 'new') calleeStart--;
        break;
      } else break;
    }
    const callee = nameToken.value;
    if (value(calleeStart - 1) === 'new' || value(calleeStart - 1) === 'function') return;
    const close = matchForward(openIndex);
    const after = value(close + 1);
    if (after === '{' || (after === ':' && blocks.length > 0 && value(calleeStart - 1) !== '?')) return; // a definition
    if ((callee === 'add' || callee === 'addBulk') && calleeStart < openIndex - 1) {
      const receiverEnd = openIndex - 3; // token before `.add`
      const isFlow =
        flowNames.has(value(receiverEnd)!) ||
        (value(receiverEnd) === ')' && value(matchBack(receiverEnd) - 1) === 'FlowProducer');
      if (isFlow) {
        flowChildren(openIndex, close);
        return;
      }
    }
    if (ENQUEUE_METHODS.has(callee) && calleeStart < openIndex - 1 && (value(openIndex - 2) === '.' || value(openIndex - 2) === '?.')) {
      enqueueSite(calleeStart, openIndex, callee);
      return;
    }
    if (!/worker/i.test(callee)) return;
    const args = splitArgs(openIndex, close);
    let queue: ValueExpr | undefined;
    for (const [from, to] of args) {
      const t = tokens[from]!;
      if ((t.type === 'string' || t.type === 'template') && to === from + 1) {
        queue = evaluate(from, to);
        break;
      }
      if (t.type === 'name' && to === from + 1 && /queue/i.test(t.value)) {
        queue = evaluate(from, to);
        break;
      }
      if (t.value === '{') {
        const objectClose = matchForward(from);
        for (let k = from + 1; k < objectClose; k++) {
          if ((value(k) === 'queue' || value(k) === 'queueName') && value(k + 1) === ':') {
            queue = evaluate(k + 2, propertyEnd(k + 2));
            break;
          }
        }
        if (queue) break;
      }
    }
    if (!queue) return;
    const check: RawCheck = { queue, position: position(calleeStart), callee: textOf(calleeStart, openIndex).replace(/\s+/g, '') };
    const current = scope();
    if (current) check.scope = current;
    checks.push(check);
  }

  /** `queue.add(...)`, `this.queue.add(...)`, `getQueue().add(...)`, `new Queue(...).add(...)`: resolved at the end. */
  function enqueueSite(calleeStart: number, openIndex: number, via: string): void {
    const receiverEnd = openIndex - 3;
    const site: PendingSite = {
      parts: [],
      factoryCall: false,
      scope: scope(),
      className: className(),
      via,
      position: position(calleeStart),
    };
    if (value(receiverEnd) === ')') {
      const receiverOpen = matchBack(receiverEnd);
      const object = objectAtOpen.get(receiverOpen);
      if (object !== undefined) site.object = object;
      else if (tokens[receiverOpen - 1]?.type === 'name' && value(receiverOpen - 2) !== '.' && value(receiverOpen - 2) !== 'new') {
        site.parts = [value(receiverOpen - 1)!];
        site.factoryCall = true;
      } else return;
    } else {
      for (let k = receiverEnd; k >= calleeStart; k -= 2) {
        if (tokens[k]?.type !== 'name') return;
        site.parts.unshift(value(k)!);
        if (k === calleeStart) break;
        if (value(k - 1) !== '.' && value(k - 1) !== '?.') return;
      }
      if (site.parts.length === 0 || site.parts.length > 2) return;
    }
    pending.push(site);
  }

  /** Resolves the enqueue sites now that every local, field and top-level binding is known. */
  function resolveSites(): void {
    for (const site of pending) {
      const producer: RawProducer = { kind: 'bullmq-queue', queue: UNKNOWN, expression: '', position: site.position, via: site.via };
      if (site.scope) producer.scope = site.scope;
      if (site.object !== undefined) producer.object = site.object;
      else if (site.factoryCall) {
        producer.receiver = site.parts[0]!;
        producer.factoryCall = true;
      } else if (site.parts.length === 2) {
        if (site.parts[0] !== 'this' || site.className === undefined) continue;
        const found = named.get(`${site.className}\0.${site.parts[1]}`);
        if (typeof found !== 'number' || found < 0) continue;
        producer.object = found;
      } else {
        const scopes = site.scope?.split('.') ?? [];
        let found: number | { factory: string } | undefined;
        for (let depth = scopes.length; depth > 0 && found === undefined; depth--) found = named.get(`${scopes.slice(0, depth).join('.')}\0${site.parts[0]}`);
        if (found === -1) continue;
        if (typeof found === 'number') producer.object = found;
        else producer.receiver = site.parts[0]!;
      }
      producers.push(producer);
    }
  }

  function propertyEnd(from: number): number {
    let depth = 0;
    for (let k = from; k < tokens.length; k++) {
      const v = value(k);
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') {
        if (depth === 0) return k;
        depth--;
      } else if (v === ',' && depth === 0) return k;
    }
    return tokens.length;
  }

  /** Every `queueName:` in a FlowProducer.add/addBulk argument (the parent and its children at any depth). */
  function flowChildren(openIndex: number, close: number): void {
    for (let k = openIndex + 1; k < close; k++) {
      if (value(k) !== 'queueName' || tokens[k]!.type !== 'name') continue;
      let queue: ValueExpr;
      let expression: string;
      if (value(k + 1) === ':') {
        const end = propertyEnd(k + 2);
        queue = evaluate(k + 2, end);
        expression = textOf(k + 2, end);
      } else if (value(k + 1) === ',' || value(k + 1) === '}') {
        queue = { kind: 'ref', name: 'queueName' };
        expression = 'queueName';
      } else continue;
      const producer: RawProducer = { kind: 'bullmq-flow', queue, expression, position: position(k) };
      const current = scope();
      if (current) producer.scope = current;
      producers.push(producer);
    }
  }

  resolveSites();
  return { language: 'js', bindings, producers, queues, checks, ...(workers.length ? { workers } : {}) };
}

export type { JsToken };
