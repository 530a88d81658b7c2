import { matchingBracket, matchingOpenBracket, UNKNOWN, type RawProducer } from '../facts.js';
import type { ProducerKind } from '../../types.js';
import type { RubyCall, RubyCallIndex } from './calls.js';
import type { RbToken } from './tokenizer.js';
import { bareArgumentsEnd, constPath, hashValue } from './values.js';

/** The Ruby call index over a module's tokens: the lookups the Ruby frameworks read classes and calls with. */
export function rubyCallIndex(tokens: readonly RbToken[]): RubyCallIndex {
  /** The constant path that ends at token `end` (`Billing::InvoiceJob`), or the current class for `self`/`self.class`. */
  const receiverPath = (end: number, call: RubyCall): string | undefined => {
    const token = tokens[end];
    if (!token) return undefined;
    if (token.type === 'name' && token.value === 'self') return call.selfClass;
    if (token.type === 'name' && token.value === 'class' && tokens[end - 1]?.value === '.' && tokens[end - 2]?.value === 'self') return call.enclosingClass;
    if (token.type !== 'const') return undefined;
    let start = end;
    while (tokens[start - 1]?.value === '::' && tokens[start - 2]?.type === 'const') start -= 2;
    if (tokens[start - 1]?.value === '.' || tokens[start - 1]?.value === '::') return undefined;
    return constPath(tokens, start)!.path;
  };

  return {
    tokens,
    statementArguments(at) {
      const open = tokens[at + 1]?.value === '(' && !tokens[at + 1]!.spaced;
      const from = open ? at + 2 : at + 1;
      return { from, to: open ? matchingBracket(tokens, at + 1) : bareArgumentsEnd(tokens, from) };
    },
    callArguments(call) {
      const at = call.dot + 2;
      const token = tokens[at];
      if (!token || token.type === 'nl') return undefined;
      if (token.value === '(' && !token.spaced) return { from: at + 1, to: matchingBracket(tokens, at) };
      if (token.type === 'op' && token.value !== '::' && token.value !== '[' && token.value !== '(' && token.value !== '{') return undefined;
      return { from: at, to: bareArgumentsEnd(tokens, at) };
    },
    nextArgument(from, to) {
      let depth = 0;
      for (let k = from; k < to; k++) {
        const value = tokens[k]!.type === 'op' ? tokens[k]!.value : '';
        if (value === '(' || value === '[' || value === '{') depth++;
        else if (value === ')' || value === ']' || value === '}') depth--;
        else if (value === ',' && depth === 0) return k + 1;
      }
      return undefined;
    },
    constantAt: (at) => constPath(tokens, at)?.path,
    receiverOf: (call) => receiverPath(call.dot - 1, call),
    classMethodProducer(call, kind: ProducerKind): RawProducer | undefined {
      let end = call.dot - 1;
      let override: ReturnType<typeof hashValue>;
      // `Job.set(queue: 'x').perform_async`: the site names its own queue.
      if (tokens[end]?.value === ')') {
        const open = matchingOpenBracket(tokens, end);
        if (tokens[open - 1]?.value !== 'set' || tokens[open - 2]?.value !== '.') return undefined;
        override = hashValue(tokens, open + 1, end, 'queue');
        end = open - 3;
      }
      const receiver = receiverPath(end, call);
      if (!receiver) return undefined;
      return {
        kind,
        queue: override?.value ?? UNKNOWN,
        expression: override?.expression ?? receiver,
        position: call.position,
        via: call.method,
        receiver,
        ...(override ? { override: true } : {}),
        ...(call.scope ? { scope: call.scope } : {}),
      };
    },
  };
}
