import { expressionEnd, parseLiteral, queueNamesOf } from '../../languages/python/evaluate.js';
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
    const expression = defaultExpression(tokens);
    if (expression === undefined) continue;
    const queues = evaluate(tokens, expression.from, expression.to, file, code);
    if (!queues || queues.queues.length === 0) continue;
    return { queues: queues.queues, location: { file, line: queues.at.line, column: queues.at.column }, detectedBy: `manage.py rqworker (overridden in ${file})` };
  }
  return undefined;
}

/** The token range [from, to) of the expression the override uses as its queues when none are given. */
function defaultExpression(tokens: PyToken[]): { from: number; to: number } | undefined {
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    const before = tokens[i - 1]!.value;
    // `args = DEFAULT_QUEUES` (not `self.args`, not `*args`, not `args == …`)
    if (token.type === 'name' && token.value === 'args' && tokens[i + 1]?.value === '=' && before !== '.' && before !== '*') return { from: i + 2, to: statementEnd(tokens, i + 2) };
    // `super().handle(*DEFAULT_QUEUES, **options)`
    if (token.value === 'handle' && before === '.' && tokens[i + 1]?.value === '(' && tokens[i + 2]?.value === '*' && tokens[i + 3]?.value !== 'args') {
      return { from: i + 3, to: expressionEnd(tokens, i + 3) };
    }
  }
  return undefined;
}

function statementEnd(tokens: PyToken[], from: number): number {
  let end = from;
  while (end < tokens.length && tokens[end]!.type !== 'newline') end++;
  return end;
}

/**
 * The queues the expression [from, to) names, read by Python's one evaluator: a literal list or tuple of names
 * (strings and constants), a string (split like `RQ_QUEUES`), or a name — a module-level tuple or list of this file
 * (`DEFAULT_QUEUES = ('high', 'default', 'low')`, assigned once), else a constant through the shared Resolver.
 */
function evaluate(tokens: PyToken[], from: number, to: number, file: string, code: ProjectCode, depth = 0): { queues: string[]; at: PyToken } | undefined {
  if (depth > 4 || from >= to) return undefined;
  const value = parseLiteral(tokens, from, to);
  const at = tokens[from]!;
  if (value.kind === 'str') return { queues: splitQueueList(value.value), at };
  if (value.kind === 'list') {
    const queues = queueNamesOf(value, (name) => code.resolve(file, name));
    return queues ? { queues, at } : undefined;
  }
  if (value.kind !== 'name' || value.name.includes('.')) return undefined;
  const assignments = moduleAssignments(tokens, value.name);
  if (assignments.length > 1) return undefined;
  if (assignments.length === 1) return evaluate(tokens, assignments[0]!, statementEnd(tokens, assignments[0]!), file, code, depth + 1);
  const resolved = code.resolve(file, value.name);
  return resolved === null ? undefined : { queues: splitQueueList(resolved), at };
}

/** Where the module-level assignments `name = …` of this file start their values. */
function moduleAssignments(tokens: PyToken[], name: string): number[] {
  const starts: number[] = [];
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k]!.indent === 0 && tokens[k]!.value === name && tokens[k + 1]?.value === '=') starts.push(k + 2);
  }
  return starts;
}
