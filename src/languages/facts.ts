import type { ProducerKind } from '../types.js';
import type { LanguageId } from './index.js';

/**
 * A queue-name expression as the recogniser saw it: a literal, a reference to a name (resolved later through
 * module constants and imports, possibly across modules), or something that cannot be known statically.
 */
export type ValueExpr =
  | { kind: 'literal'; value: string }
  | { kind: 'ref'; name: string }
  | { kind: 'unknown' };

/** Where a module-level name comes from. */
export type Binding =
  | { kind: 'value'; value: ValueExpr }
  | { kind: 'import'; module: string; name: string };

export interface Position {
  line: number;
  column: number;
}

export interface RawProducer {
  kind: ProducerKind;
  queue: ValueExpr;
  /** Source text of the queue expression (for producer-unresolved). */
  expression: string;
  position: Position;
  scope?: string;
}

export interface RawCheck {
  queue: ValueExpr;
  position: Position;
  scope?: string;
  callee: string;
}

/** What one module contributes: its producers and checks, and its module-level bindings for resolution. */
export interface ModuleFacts {
  language: LanguageId;
  bindings: Map<string, Binding>;
  producers: RawProducer[];
  checks: RawCheck[];
}

export const literal = (value: string): ValueExpr => ({ kind: 'literal', value });
export const UNKNOWN: ValueExpr = { kind: 'unknown' };

/** Records a module-level binding; a name bound twice is ambiguous and resolves to nothing. */
export function bind(bindings: Map<string, Binding>, name: string, binding: Binding, seen: Set<string>): void {
  if (seen.has(name)) {
    bindings.set(name, { kind: 'value', value: UNKNOWN });
    return;
  }
  seen.add(name);
  bindings.set(name, binding);
}

/** Index of the bracket closing the one at `openIndex` (last token when unbalanced); shared by both languages. */
export function matchingBracket(tokens: readonly { type: string; value: string }[], openIndex: number): number {
  let depth = 0;
  for (let j = openIndex; j < tokens.length; j++) {
    const token = tokens[j]!;
    if (token.type !== 'op') continue;
    if (token.value === '(' || token.value === '[' || token.value === '{') depth++;
    else if (token.value === ')' || token.value === ']' || token.value === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return tokens.length - 1;
}
