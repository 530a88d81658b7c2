import { commandLine, commandWordsPlace } from './line-words.js';
import { lineEnd } from './text.js';
import type { QueueEditKind } from './types.js';

/** A Procfile process line (`worker: rq worker high low`): the queue goes after the last queue it names. */
export const procfileCommandKind: QueueEditKind = {
  id: 'procfile-command',
  locate(target, context) {
    const found = commandLine(target, context, 'procfile');
    if (!found || 'refused' in found) return found;
    const { text, file, line, start } = found;
    return commandWordsPlace(target, text, file, line, start, lineEnd(text, start));
  },
};
