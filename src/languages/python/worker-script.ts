import type { WorkerScriptContext, WorkerScriptReading } from '../language.js';
import { splitQueueList } from '../queue-list.js';
import { tokenizePython } from './tokenizer.js';

/**
 * Reads a Python worker script: which queue variable it reads (`os.getenv('RQ_QUEUES', 'high,default')`) and its
 * default, or which queues it hands to `Worker(...)`. Names resolve through the shared Resolver (module constants
 * and imports across modules).
 */
export function readPythonWorkerScript(text: string, relative: string, context: WorkerScriptContext): WorkerScriptReading | undefined {
  const tokens = tokenizePython(text);
  const valueAt = (index: number): { value: string | null; end: number } => {
    const t = tokens[index];
    if (!t) return { value: null, end: index };
    if (t.type === 'string') {
      let value = '';
      let j = index;
      for (; tokens[j]?.type === 'string'; j++) {
        if (tokens[j]!.formatted) return { value: null, end: j };
        value += tokens[j]!.value;
      }
      return { value, end: j };
    }
    if (t.type === 'name') return { value: context.resolve(t.value), end: index + 1 };
    return { value: null, end: index + 1 };
  };
  let reading: WorkerScriptReading | undefined;
  let hardcoded: WorkerScriptReading | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // os.getenv(X, D) / getenv(X, D) / os.environ.get(X, D) / environ.get(X, D) / os.environ[X]
    const isGetenv = t.value === 'getenv' && tokens[i + 1]?.value === '(';
    const isEnvironGet = t.value === 'environ' && tokens[i + 1]?.value === '.' && tokens[i + 2]?.value === 'get' && tokens[i + 3]?.value === '(';
    const isEnvironIndex = t.value === 'environ' && tokens[i + 1]?.value === '[';
    if (t.type === 'name' && (isGetenv || isEnvironGet || isEnvironIndex)) {
      const argStart = isEnvironGet ? i + 4 : i + 2;
      const name = valueAt(argStart);
      if (!name.value || !context.queueVariables.includes(name.value)) continue;
      const candidate: WorkerScriptReading = { variable: name.value };
      if (!isEnvironIndex && tokens[name.end]?.value === ',') {
        const fallback = valueAt(name.end + 1);
        if (fallback.value !== null) {
          candidate.defaultQueues = splitQueueList(fallback.value);
          const at = tokens[name.end + 1]!;
          candidate.location = { file: relative, line: at.line, column: at.column };
        }
      }
      // The first variable in --queue-var order wins when a script reads several.
      if (!reading || context.queueVariables.indexOf(candidate.variable!) < context.queueVariables.indexOf(reading.variable!)) reading = candidate;
      continue;
    }
    // Worker(['high', 'default']) / Worker([Queue('high')]) / Worker(queues=['a'])
    if (!hardcoded && t.type === 'name' && /^(?:[A-Z]\w*)?Worker$/.test(t.value) && tokens[i + 1]?.value === '(' && tokens[i - 1]?.value !== 'def') {
      let j = i + 2;
      if (tokens[j]?.value === 'queues' && tokens[j + 1]?.value === '=') j += 2;
      if (tokens[j]?.value !== '[' && tokens[j]?.value !== '(') continue;
      const queues: string[] = [];
      let ok = true;
      let depth = 0;
      for (let k = j; k < tokens.length; k++) {
        const v = tokens[k]!;
        if (v.value === '[' || v.value === '(') {
          depth++;
          continue;
        }
        if (v.value === ']' || v.value === ')') {
          depth--;
          if (depth === 0) break;
          continue;
        }
        if (v.value === ',' || v.value === 'connection' || v.value === '=') continue;
        if (v.type === 'name' && v.value === 'Queue' && tokens[k + 1]?.value === '(') continue;
        if (v.type === 'name' && depth === 2 && tokens[k - 1]?.value === '=') continue; // Queue('x', connection=conn)
        const value = valueAt(k);
        if (value.value === null) {
          ok = false;
          break;
        }
        queues.push(value.value);
        k = value.end - 1;
      }
      if (ok && queues.length) hardcoded = { hardcoded: queues, location: { file: relative, line: t.line, column: t.column } };
    }
  }
  return reading ?? hardcoded;
}
