import type { ValueExpr } from '../facts.js';
import { matchingBracket } from '../facts.js';
import type { WorkerScriptContext, WorkerScriptReading } from '../language.js';
import { splitQueueList } from '../queue-list.js';
import { environmentRead, evaluatePython, operandEnd, parseLiteral, queueNamesOf } from './evaluate.js';
import { tokenizePython } from './tokenizer.js';

/** The class a worker script hands its queues to: RQ's `Worker` and its subclasses by name (`SimpleWorker`). */
const WORKER_CLASS = /^(?:[A-Z]\w*)?Worker$/;

/**
 * Reads a Python worker script: which queue variable it reads (`os.getenv('RQ_QUEUES', 'high,default')`) and its
 * default, or which queues it hands to `Worker(...)`. Values are read by Python's one evaluator (the producers'),
 * names resolve through the shared Resolver (module constants and imports across modules).
 */
export function readPythonWorkerScript(text: string, relative: string, context: WorkerScriptContext): WorkerScriptReading | undefined {
  const tokens = tokenizePython(text);
  const valueOf = (value: ValueExpr): string | null => (value.kind === 'literal' ? value.value : value.kind === 'ref' ? context.resolve(value.name) : null);
  let reading: WorkerScriptReading | undefined;
  let hardcoded: WorkerScriptReading | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // os.getenv(X, D) / getenv(X, D) / os.environ.get(X, D) / environ.get(X, default=D) / os.environ[X], `or D`
    const read = t.type === 'name' ? environmentRead(tokens, i, tokens.length) : undefined;
    if (read) {
      const variable = valueOf(read.name);
      if (variable === null || !context.queueVariables.includes(variable)) continue;
      const candidate: WorkerScriptReading = { variable };
      let fallback = read.fallback;
      let fallbackAt = read.fallbackAt;
      if (fallback === null && tokens[read.close + 1]?.value === 'or') {
        fallbackAt = read.close + 2;
        fallback = evaluatePython(tokens, fallbackAt, operandEnd(tokens, fallbackAt), undefined, false);
      }
      const queues = fallback ? valueOf(fallback) : null;
      if (queues !== null) {
        candidate.defaultQueues = splitQueueList(queues);
        const at = tokens[fallbackAt!]!;
        candidate.location = { file: relative, line: at.line, column: at.column };
      }
      // The first variable in --queue-var order wins when a script reads several.
      if (!reading || context.queueVariables.indexOf(variable) < context.queueVariables.indexOf(reading.variable!)) reading = candidate;
      continue;
    }
    // Worker(['high', 'default']) / Worker([Queue('high')]) / Worker(queues=['a'])
    if (!hardcoded && t.type === 'name' && WORKER_CLASS.test(t.value) && tokens[i + 1]?.value === '(' && tokens[i - 1]?.value !== 'def') {
      let j = i + 2;
      if (tokens[j]?.value === 'queues' && tokens[j + 1]?.value === '=') j += 2;
      if (tokens[j]?.value !== '[' && tokens[j]?.value !== '(') continue;
      const queues = queueNamesOf(parseLiteral(tokens, j, matchingBracket(tokens, j) + 1), context.resolve, (callee) => callee === 'Queue');
      if (queues?.length) hardcoded = { hardcoded: queues, location: { file: relative, line: t.line, column: t.column } };
    }
  }
  return reading ?? hardcoded;
}
