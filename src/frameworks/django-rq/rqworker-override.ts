import { tokenizePython, type PyToken } from '../../languages/python/tokenizer.js';
import { splitQueueList } from '../../languages/queue-list.js';
import type { ProjectCode, ProjectDefault } from '../../workers/programs/program.js';

/** Where Django finds an app's own `rqworker` management command (it shadows django-rq's). */
const OVERRIDE_FILE = /(?:^|\/)management\/commands\/rqworker\.py$/;

/**
 * The application's own `rqworker` command (a Django app's management/commands/rqworker.py subclassing django-rq's
 * Command): the queues it listens to when none are given, read from its code — `args = DEFAULT_QUEUES` (or a
 * literal list) in `handle`, or `super().handle(*DEFAULT_QUEUES, …)`, the tuple's names resolved through module
 * constants and imports. Undefined when there is no such override or its default cannot be read statically.
 */
export function readRqworkerOverride(code: ProjectCode): ProjectDefault | undefined {
  for (const file of code.files.filter((candidate) => OVERRIDE_FILE.test(candidate)).sort()) {
    const text = code.read(file);
    if (text === undefined) continue;
    const tokens = tokenizePython(text);
    if (!tokens.some((token, i) => token.value === 'class' && tokens[i + 1]?.value === 'Command')) continue;
    const start = defaultExpression(tokens);
    if (start === undefined) continue;
    const queues = evaluate(tokens, start, file, code);
    if (!queues || queues.queues.length === 0) continue;
    return { queues: queues.queues, location: { file, line: queues.at.line, column: queues.at.column }, detectedBy: `manage.py rqworker (overridden in ${file})` };
  }
  return undefined;
}

/** The index of the expression the override uses as its queues when none are given. */
function defaultExpression(tokens: PyToken[]): number | undefined {
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    const before = tokens[i - 1]!.value;
    // `args = DEFAULT_QUEUES` (not `self.args`, not `*args`, not `args == …`)
    if (token.type === 'name' && token.value === 'args' && tokens[i + 1]?.value === '=' && before !== '.' && before !== '*') return i + 2;
    // `super().handle(*DEFAULT_QUEUES, **options)`
    if (token.value === 'handle' && before === '.' && tokens[i + 1]?.value === '(' && tokens[i + 2]?.value === '*' && tokens[i + 3]?.value !== 'args') {
      return i + 3;
    }
  }
  return undefined;
}

function evaluate(tokens: PyToken[], index: number, file: string, code: ProjectCode, depth = 0): { queues: string[]; at: PyToken } | undefined {
  const token = tokens[index];
  if (!token || depth > 4) return undefined;
  if (token.value === '(' || token.value === '[') return sequence(tokens, index, file, code);
  if (token.type === 'string') return { queues: splitQueueList(token.value), at: token };
  if (token.type !== 'name') return undefined;
  // A module-level tuple or list of this file: `DEFAULT_QUEUES = ('high', 'default', 'low')`.
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k]!.indent === 0 && tokens[k]!.value === token.value && tokens[k + 1]?.value === '=') return evaluate(tokens, k + 2, file, code, depth + 1);
  }
  const value = code.resolve(file, token.value);
  return value === null ? undefined : { queues: splitQueueList(value), at: token };
}

function sequence(tokens: PyToken[], open: number, file: string, code: ProjectCode): { queues: string[]; at: PyToken } | undefined {
  const queues: string[] = [];
  const close = tokens[open]!.value === '(' ? ')' : ']';
  for (let k = open + 1; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.value === close) return { queues, at: tokens[open]! };
    if (token.value === ',' || token.type === 'newline') continue;
    if (token.type === 'string' && !token.formatted) queues.push(token.value);
    else if (token.type === 'name') {
      const value = code.resolve(file, token.value);
      if (value === null) return undefined;
      queues.push(value);
    } else return undefined;
  }
  return undefined;
}
