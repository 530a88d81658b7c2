import type { Location } from '../../types.js';
import type { WorkerScriptContext, WorkerScriptReading } from '../language.js';
import { splitQueueList } from '../queue-list.js';
import { lineStarts, positionOf } from '../../lines.js';
import { tokenizeJs } from './tokenizer.js';

/**
 * Reads a JS/TS worker script: which queue variable it reads (`process.env.QUEUES ?? 'a,b'`) and its default, or
 * the queues of its `new Worker('name', …)`. Names resolve through the shared Resolver (module constants and
 * imports across modules), then through constants declared inside blocks of the script itself.
 */
export function readJsWorkerScript(text: string, relative: string, context: WorkerScriptContext): WorkerScriptReading | undefined {
  const tokens = tokenizeJs(text);
  const starts = lineStarts(text);
  const at = (index: number): Location => ({ file: relative, ...positionOf(starts, tokens[index]!.start) });
  const constants = new Map<string, string>();
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (['const', 'let', 'var'].includes(tokens[i]!.value) && tokens[i + 1]!.type === 'name' && tokens[i + 2]!.value === '=') {
      const t = tokens[i + 3]!;
      if ((t.type === 'string' || t.type === 'template') && !t.formatted) constants.set(tokens[i + 1]!.value, t.value);
    }
  }
  const literalAt = (index: number): string | undefined => {
    const t = tokens[index];
    if (!t) return undefined;
    if ((t.type === 'string' || t.type === 'template') && !t.formatted) return t.value;
    if (t.type === 'name') return context.resolve(t.value) ?? constants.get(t.value);
    return undefined;
  };
  let reading: WorkerScriptReading | undefined;
  const hardcoded: string[] = [];
  let hardcodedAt: Location | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.value === 'process' && tokens[i + 1]?.value === '.' && tokens[i + 2]?.value === 'env') {
      let variable: string | undefined;
      let next: number;
      if (tokens[i + 3]?.value === '.' || tokens[i + 3]?.value === '?.') {
        variable = tokens[i + 4]?.value;
        next = i + 5;
      } else if (tokens[i + 3]?.value === '[') {
        variable = literalAt(i + 4);
        next = i + 6;
      } else continue;
      if (!variable || !context.queueVariables.includes(variable)) continue;
      const candidate: WorkerScriptReading = { variable };
      const operator = tokens[next]?.value;
      if (operator === '??' || operator === '||') {
        const fallback = literalAt(next + 1);
        if (fallback !== undefined) {
          candidate.defaultQueues = splitQueueList(fallback);
          candidate.location = at(next + 1);
        }
      }
      if (!reading || context.queueVariables.indexOf(variable) < context.queueVariables.indexOf(reading.variable!)) reading = candidate;
    }
    if (t.value === 'new' && tokens[i + 1]?.value === 'Worker' && tokens[i + 2]?.value === '(') {
      const queue = literalAt(i + 3);
      if (queue !== undefined && tokens[i + 4]?.value === ',') {
        hardcoded.push(queue);
        hardcodedAt ??= at(i);
      }
    }
  }
  if (reading) return reading;
  if (hardcoded.length) return { hardcoded: [...new Set(hardcoded)], ...(hardcodedAt ? { location: hardcodedAt } : {}) };
  return undefined;
}
