import type { Location } from '../../types.js';
import type { ValueExpr } from '../facts.js';
import type { WorkerScriptContext, WorkerScriptReading } from '../language.js';
import { splitQueueList } from '../queue-list.js';
import { indexJs } from './call-index.js';
import { environmentRead, evaluateJs, expressionEnd } from './evaluate.js';
import { JS_RECOGNIZERS } from './recognizers.js';

/**
 * Reads a JS/TS worker script: which queue variable it reads (`process.env.QUEUES ?? 'a,b'`) and its default, or
 * the queues of the workers it constructs (`new Worker('name', …)`, as each JS framework's recognizer tells them).
 * Values are read by the analyzer's evaluator; names resolve through the shared Resolver (module constants and
 * imports across modules), then through constants declared inside blocks of the script itself.
 */
export function readJsWorkerScript(text: string, relative: string, context: WorkerScriptContext): WorkerScriptReading | undefined {
  const index = indexJs(text);
  const { tokens } = index;
  const at = (token: number): Location => ({ file: relative, ...index.position(token) });
  const constants = new Map<string, string>();
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (['const', 'let', 'var'].includes(tokens[i]!.value) && tokens[i + 1]!.type === 'name' && tokens[i + 2]!.value === '=') {
      const t = tokens[i + 3]!;
      if ((t.type === 'string' || t.type === 'template') && !t.formatted) constants.set(tokens[i + 1]!.value, t.value);
    }
  }
  const stringOf = (value: ValueExpr): string | undefined => {
    if (value.kind === 'literal') return value.value;
    if (value.kind === 'ref') return context.resolve(value.name) ?? constants.get(value.name);
    return undefined;
  };
  let reading: WorkerScriptReading | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const read = environmentRead(tokens, i);
    if (!read) continue;
    const variable = stringOf(read.name);
    if (!variable || !context.queueVariables.includes(variable)) continue;
    const candidate: WorkerScriptReading = { variable };
    const operator = tokens[read.after]?.value;
    if (operator === '??' || operator === '||') {
      const fallback = stringOf(evaluateJs(tokens, read.after + 1, expressionEnd(tokens, read.after + 1)));
      if (fallback !== undefined) {
        candidate.defaultQueues = splitQueueList(fallback);
        candidate.location = at(read.after + 1);
      }
    }
    if (!reading || context.queueVariables.indexOf(variable) < context.queueVariables.indexOf(reading.variable!)) reading = candidate;
  }
  if (reading) return reading;
  const hardcoded: string[] = [];
  let hardcodedAt: Location | undefined;
  for (const consumer of JS_RECOGNIZERS.flatMap((recognizer) => recognizer.consumers?.(index) ?? [])) {
    const queue = stringOf(consumer.queue);
    if (queue === undefined) continue;
    hardcoded.push(queue);
    hardcodedAt ??= at(consumer.at);
  }
  if (hardcoded.length) return { hardcoded: [...new Set(hardcoded)], ...(hardcodedAt ? { location: hardcodedAt } : {}) };
  return undefined;
}
