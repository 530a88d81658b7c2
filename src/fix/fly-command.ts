import { commandLine, commandWordsPlace } from './line-words.js';
import { lineEnd } from './text.js';
import type { QueueEditKind } from './types.js';

/**
 * A fly.toml `[processes]` command string (`worker = "rq worker high"`): the queue goes after the last queue inside
 * the string. Only a one-line basic string without escapes, or a literal string, is edited.
 */
export const flyCommandKind: QueueEditKind = {
  id: 'fly-command',
  locate(target, context) {
    const found = commandLine(target, context, 'fly');
    if (!found || 'refused' in found) return found;
    const { text, file, line, start } = found;
    const content = text.slice(start, lineEnd(text, start));
    const match = /^[A-Za-z0-9_-]+\s*=\s*(["'])/.exec(content);
    const quote = match?.[1];
    const open = match ? start + match[0].length : -1;
    const close = quote ? text.indexOf(quote, open) : -1;
    if (!quote || close === -1 || close > lineEnd(text, start) || text.startsWith(quote.repeat(2), open) || (quote === '"' && text.slice(open, close).includes('\\'))) {
      return { refused: `the command of \`${target.consumer.service}\` in ${file}:${line} is not a one-line string without escapes`, decide: 'add the queue to the command by hand' };
    }
    return commandWordsPlace(target, text, file, line, open, close);
  },
};
