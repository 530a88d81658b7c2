import { commandWordsPlace } from './line-words.js';
import { lineEnd, offsetOf } from './text.js';
import type { QueueEditKind } from './types.js';

/**
 * A fly.toml `[processes]` command string (`worker = "rq worker high"`): the queue goes after the last queue inside
 * the string. Only a one-line basic string without escapes, or a literal string, is edited.
 */
export const flyCommandKind: QueueEditKind = {
  id: 'fly-command',
  locate(target, context) {
    const { consumer, service, environment } = target;
    if (environment.source !== 'fly' || consumer.queueSource !== 'command' || !service.command) return undefined;
    const { file, line, column } = service.command.location;
    const text = context.files.text(file);
    if (typeof text !== 'string') return text;
    const start = offsetOf(text, line, column ?? 1);
    if (start === undefined) return { refused: `${file}:${line} is not in the file any more`, decide: 'run fix again' };
    const content = text.slice(start, lineEnd(text, start));
    const match = /^[A-Za-z0-9_-]+\s*=\s*(["'])/.exec(content);
    const quote = match?.[1];
    const open = match ? start + match[0].length : -1;
    const close = quote ? text.indexOf(quote, open) : -1;
    if (!quote || close === -1 || close > lineEnd(text, start) || text.startsWith(quote.repeat(2), open) || (quote === '"' && text.slice(open, close).includes('\\'))) {
      return { refused: `the command of \`${consumer.service}\` in ${file}:${line} is not a one-line string without escapes`, decide: 'add the queue to the command by hand' };
    }
    return commandWordsPlace(target, text, file, line, open, close);
  },
};
