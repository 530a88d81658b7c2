import { commaListed, lastWord } from './compose-command.js';
import { isPlainQueueName } from './text.js';
import type { ConsumerTarget, QueuePlace, Refusal } from './types.js';

/**
 * A command written on one line of a plain-text deployment file (a Procfile line, a fly.toml string): the new
 * queue goes right after the last queue the command names, found in `text[from, to)`; nothing else is touched.
 */
export function commandWordsPlace(target: ConsumerTarget, text: string, file: string, line: number, from: number, to: number): QueuePlace | Refusal {
  const { consumer } = target;
  const last = consumer.queues.at(-1);
  const lost: Refusal = { refused: `the queues of \`${consumer.service}\` are not written in its command at ${file}:${line}`, decide: 'add the queue to the worker command by hand' };
  if (last === undefined) return lost;
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
