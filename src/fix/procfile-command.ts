import { commandWordsPlace } from './line-words.js';
import { lineEnd, offsetOf } from './text.js';
import type { QueueEditKind } from './types.js';

/** A Procfile process line (`worker: rq worker high low`): the queue goes after the last queue it names. */
export const procfileCommandKind: QueueEditKind = {
  id: 'procfile-command',
  locate(target, context) {
    const { consumer, service, environment } = target;
    if (environment.source !== 'procfile' || consumer.queueSource !== 'command' || !service.command) return undefined;
    const { file, line, column } = service.command.location;
    const text = context.files.text(file);
    if (typeof text !== 'string') return text;
    const start = offsetOf(text, line, column ?? 1);
    if (start === undefined) return { refused: `${file}:${line} is not in the file any more`, decide: 'run fix again' };
    return commandWordsPlace(target, text, file, line, start, lineEnd(text, start));
  },
};
