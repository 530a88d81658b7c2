/** Small text helpers shared by the edit kinds: positions, line endings, queue lists. */
import { lineStarts } from '../lines.js';

/** The offset of a 1-based line and column (columns count UTF-16 code units, as the YAML reader's positions do). */
export function offsetOf(text: string, line: number, column = 1): number | undefined {
  const starts = lineStarts(text);
  const start = starts[line - 1];
  if (start === undefined) return undefined;
  const offset = start + column - 1;
  return offset <= text.length ? offset : undefined;
}

/** The end of the line holding `offset`, before its '\r\n' or '\n'. */
export function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  if (newline === -1) return text.length;
  return newline > 0 && text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** The line ending the file uses around `offset` (its own line's, else the file's first, else '\n'). */
export function lineEndingAt(text: string, offset: number): string {
  const end = lineEnd(text, offset);
  if (text.startsWith('\r\n', end)) return '\r\n';
  if (text[end] === '\n') return '\n';
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Queue names the fixer writes without quoting: letters, digits and `_ . : -` (what real RQ/BullMQ/Celery queues use).
 * Anything else would need quoting in YAML, a shell command or an env file, so such a queue is left to a person.
 */
export const isPlainQueueName = (queue: string): boolean => /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(queue) && !queue.endsWith(':');

/** How a queue list separates its names: `, ` or `,` or a space, as already written (a comma when there is one name). */
export function listSeparator(list: string): string {
  if (/,\s+\S/.test(list)) return ', ';
  if (list.includes(',')) return ',';
  if (/\S\s+\S/.test(list)) return ' ';
  return ',';
}

/**
 * The text that appends `queues` to a list value `list` (empty list: just the names); `single` joins a list of one
 * name (a comma unless the value is word-split, as `rq worker $RQ_QUEUES` does).
 */
export function appendToList(list: string, queues: string[], single = ','): string {
  const separator = /^\s*[^\s,]+\s*$/.test(list) ? single : listSeparator(list);
  return list.trim() === '' ? queues.join(separator) : queues.map((queue) => `${separator}${queue}`).join('');
}
