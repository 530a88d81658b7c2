import { queueEnd, queueText } from './compose-command.js';
import { queueSyntaxOf } from '../workers/index.js';
import { isPlainQueueName, offsetOf } from './text.js';
import type { ConsumerTarget, EditContext, QueuePlace, Refusal } from './types.js';

/** Where a one-line command starts in its file: the file's text, its place, and the offset of the command. */
export interface CommandLine {
  text: string;
  file: string;
  line: number;
  start: number;
}

/**
 * The line that holds the command of a consumer whose queues its `command` names, in a deployment file of `source`;
 * undefined when the target is another source's or its queues come from elsewhere, a refusal when the file changed.
 */
export function commandLine(target: ConsumerTarget, context: EditContext, source: string): CommandLine | Refusal | undefined {
  const { consumer, service, environment } = target;
  if (environment.source !== source || consumer.queueSource !== 'command' || !service.command) return undefined;
  const { file, line, column } = service.command.location;
  const text = context.files.text(file);
  if (typeof text !== 'string') return text;
  const start = offsetOf(text, line, column ?? 1);
  if (start === undefined) return { refused: `${file}:${line} is not in the file any more`, decide: 'run fix again' };
  return { text, file, line, start };
}

/**
 * A command written on one line of a plain-text deployment file (a Procfile line, a fly.toml string): the new
 * queue goes right after the last queue the command names, found in `text[from, to)`; nothing else is touched.
 */
export function commandWordsPlace(target: ConsumerTarget, text: string, file: string, line: number, from: number, to: number): QueuePlace | Refusal {
  const { consumer } = target;
  const last = consumer.queues.at(-1);
  const lost: Refusal = { refused: `the queues of \`${consumer.service}\` are not written in its command at ${file}:${line}`, decide: 'add the queue to the worker command by hand' };
  if (last === undefined) return lost;
  const syntax = queueSyntaxOf(consumer);
  const at = queueEnd(text.slice(from, to), last, syntax);
  if (at === undefined) return lost;
  const end = from + at;
  return {
    key: `${file}@${end}`,
    file,
    where: `the command of \`${consumer.service}\` in ${file}:${line}`,
    add: (queues) =>
      queues.every(isPlainQueueName)
        ? { file, start: end, end, text: queueText(syntax, queues) }
        : { refused: 'the queue name needs quoting', decide: 'add it to the command by hand' },
  };
}
