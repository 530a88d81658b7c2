import { appendToList, isPlainQueueName, lineEnd, offsetOf } from './text.js';
import type { EditContext, QueueEditKind, QueuePlace, Refusal } from './types.js';

/**
 * A `KEY=value` line of an env file (an `env_file` of the service, or the `.env` that supplies an interpolated
 * `${VAR}`): queues are appended at the end of the value, inside its quotes, before a ` #` comment.
 */
export function envFileLinePlace(context: EditContext, file: string, line: number, key: string, why = '', single = ','): QueuePlace | Refusal {
  const text = context.files.text(file);
  if (typeof text !== 'string') return text;
  const start = offsetOf(text, line);
  if (start === undefined) return { refused: `${file}:${line} is not in the file any more`, decide: 'run fix again' };
  const end = lineEnd(text, start);
  const content = text.slice(start, end);
  const match = /^(\s*(?:export\s+)?)([^\s=:]+)(\s*[=:]\s*)(.*)$/.exec(content);
  if (!match || match[2] !== key) {
    return { refused: `${file}:${line} does not set \`${key}\` on one line`, decide: `add the queue to \`${key}\` in ${file} by hand` };
  }
  const valueStart = start + match[1]!.length + match[2]!.length + match[3]!.length;
  const raw = match[4]!;
  let listEnd: number;
  let list: string;
  const quote = raw[0];
  if (quote === '"' || quote === "'") {
    let close = -1;
    for (let i = 1; i < raw.length; i++) {
      if (quote === '"' && raw[i] === '\\') {
        i++;
        continue;
      }
      if (raw[i] === quote) {
        close = i;
        break;
      }
    }
    if (close === -1) return { refused: `the value of \`${key}\` in ${file}:${line} spans several lines`, decide: 'add the queue by hand' };
    list = raw.slice(1, close);
    listEnd = valueStart + close;
  } else {
    const comment = raw.indexOf(' #');
    list = (comment === -1 ? raw : raw.slice(0, comment)).replace(/\s+$/u, '');
    listEnd = valueStart + list.length;
  }
  return {
    key: `${file}@${listEnd}`,
    file,
    where: `\`${key}\` in ${file}:${line}${why}`,
    add(queues) {
      if (!queues.every(isPlainQueueName)) return { refused: 'the queue name needs quoting', decide: `add it to \`${key}\` in ${file}:${line} by hand` };
      return { file, start: listEnd, end: listEnd, text: appendToList(list, queues, single) };
    },
  };
}

/** The service's `env_file` line that sets its queue variable. */
export const envFileKind: QueueEditKind = {
  id: 'env-file-line',
  locate({ consumer, service, environment }, context) {
    if (environment.source !== 'compose' || consumer.queueSource !== 'environment' || !consumer.variable) return undefined;
    const entry = service.environment[consumer.variable];
    if (!entry?.fromEnvFile) return undefined;
    return envFileLinePlace(context, entry.location.file, entry.location.line, consumer.variable);
  },
};
