import { commaListed, lastWord } from './compose-command.js';
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
  if (/\bsidekiq\b/.test(consumer.detectedBy)) return sidekiqFlagPlace(target, text, file, line, from, to) ?? lost;
  const commas = commaListed(consumer.detectedBy);
  const index = lastWord(text.slice(from, to), last, commas);
  if (index === undefined) return lost;
  const at = from + index + last.length;
  return {
    key: `${file}@${at}`,
    file,
    where: `the command of \`${consumer.service}\` in ${file}:${line}`,
    add: (queues) =>
      queues.every(isPlainQueueName)
        ? { file, start: at, end: at, text: queues.map((queue) => (commas ? `,${queue}` : ` ${queue}`)).join('') }
        : { refused: 'the queue name needs quoting', decide: 'add it to the command by hand' },
  };
}

/** `-q name`, `-qname`, `--queue name`, `--queue=name` (Sidekiq::CLI#option_parser), the value up to a space or quote. */
const SIDEKIQ_QUEUE_FLAG = /(?:^|\s)(?:-q\s*|--queue(?:=|\s+))([^\s"'=]+)/g;

/**
 * Sidekiq takes one queue per `-q` flag (`-q critical,3 -q default`): a new `-q name` goes after the value of the
 * last `-q` flag, when that value names one of the worker's queues.
 */
function sidekiqFlagPlace(target: ConsumerTarget, text: string, file: string, line: number, from: number, to: number): QueuePlace | undefined {
  let end: number | undefined;
  for (const match of text.slice(from, to).matchAll(SIDEKIQ_QUEUE_FLAG)) {
    end = target.consumer.queues.includes(match[1]!.split(',')[0]!) ? from + match.index + match[0].length : undefined;
  }
  if (end === undefined) return undefined;
  const at = end;
  return {
    key: `${file}@${at}`,
    file,
    where: `the command of \`${target.consumer.service}\` in ${file}:${line}`,
    add: (queues) =>
      queues.every(isPlainQueueName)
        ? { file, start: at, end: at, text: queues.map((queue) => ` -q ${queue}`).join('') }
        : { refused: 'the queue name needs quoting', decide: 'add it to the command by hand' },
  };
}
