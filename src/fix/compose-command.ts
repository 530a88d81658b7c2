import { isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { insertInScalar, itemLike, nodeAt, scalarSource, sharedThroughAlias } from './compose-yaml.js';
import { lineStarts } from '../lines.js';
import { isPlainQueueName, lineEnd, lineEndingAt } from './text.js';
import type { QueueEditKind, QueuePlace, Refusal, TextEdit } from './types.js';
import { queueSyntaxOf, type QueueSyntax } from '../workers/index.js';

const cache = {};

/** The words that add `queue` in a syntax where each queue has its own words (`high`, or `-q high`). */
export const queueWords = (syntax: QueueSyntax, queue: string): string[] => (syntax === 'flags' ? ['-q', queue] : [queue]);

/** `-q name`, `-qname`, `--queue name`, `--queue=name` (Sidekiq::CLI#option_parser), the value up to a space or quote. */
const QUEUE_FLAG = /(?:^|\s)(?:-q\s*|--queue(?:=|\s+))([^\s"'=]+)/g;

/**
 * Where a new `-q name` goes in a command's text: right after the value of its last `-q` flag, when that value (its
 * name before a `,weight`) is `last`, the last queue the worker was read with. Undefined otherwise (`-q $VAR`).
 */
function afterLastFlag(value: string, last: string): number | undefined {
  let end: number | undefined;
  for (const match of value.matchAll(QUEUE_FLAG)) end = match[1]!.split(',')[0] === last ? match.index + match[0].length : undefined;
  return end;
}

/** Where new queues go in a command's text: after `last` written as its last queue (after its `-q` flag's value for flags). */
export function queueEnd(value: string, last: string, syntax: QueueSyntax): number | undefined {
  if (syntax === 'flags') return afterLastFlag(value, last);
  const index = lastWord(value, last, syntax === 'commas');
  return index === undefined ? undefined : index + last.length;
}

/** The text that adds `queues` right after a queue written in a command's text. */
export const queueText = (syntax: QueueSyntax, queues: string[]): string =>
  queues.map((queue) => (syntax === 'commas' ? `,${queue}` : ` ${queueWords(syntax, queue).join(' ')}`)).join('');

/** The last whole-word occurrence of `queue` in `value` (words end at spaces, quotes, and for comma lists at `,` `=` `-Q`). */
function lastWord(value: string, queue: string, commas: boolean): number | undefined {
  const before = commas ? /[\s"',=]|-Q$/ : /[\s"']/;
  const after = commas ? /[\s"',;&|)]/ : /[\s"';&|)]/;
  for (let index = value.lastIndexOf(queue); index !== -1; index = index === 0 ? -1 : value.lastIndexOf(queue, index - 1)) {
    const head = value.slice(0, index);
    const next = value[index + queue.length];
    if ((head === '' || before.test(head.at(-1)!) || (commas && head.endsWith('-Q'))) && (next === undefined || after.test(next))) return index;
  }
  return undefined;
}

/**
 * The queues written in a compose `command`, string (`rq worker high`, `sh -c "…"`) or list
 * (`["rq", "worker", "high"]`, block list): the new queue goes right after the last queue already named.
 */
export const composeCommandKind: QueueEditKind = {
  id: 'compose-command',
  locate({ consumer, service, environment }, context) {
    if (environment.source !== 'compose' || consumer.queueSource !== 'command' || !service.command) return undefined;
    const { file, line, column } = service.command.location;
    const text = context.files.text(file);
    if (typeof text !== 'string') return text;
    const located = nodeAt(text, line, column, cache);
    const node = located?.pair?.value;
    const last = consumer.queues.at(-1);
    const lost: Refusal = { refused: `the queues of service \`${consumer.service}\` are not written in its command at ${file}:${line}`, decide: 'add the queue to the worker command by hand' };
    if (!node || last === undefined) return lost;
    const add = locateIn(text, file, node, last, queueSyntaxOf(consumer), located!.valueInFlow);
    if (!add) return lost;
    if ('refused' in add) return add;
    return {
      key: `${file}@${add.anchor}`,
      file,
      where: `the command of service \`${consumer.service}\` in ${file}:${line}`,
      add: (queues) => (queues.every(isPlainQueueName) ? add.edit(queues) : { refused: 'the queue name needs quoting', decide: 'add it to the command by hand' }),
    };
  },
};

export type Adder = { anchor: number; edit(queues: string[]): TextEdit | Refusal } | Refusal;

export function locateIn(text: string, file: string, node: YamlNode, last: string, syntax: QueueSyntax, inFlow: boolean): Adder | undefined {
  if (isScalar(node)) return inScalar(text, file, node, last, syntax, inFlow);
  if (!isSeq(node)) return undefined;
  const items = node.items as YamlNode[];
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index]!;
    if (!isScalar(item)) continue;
    const value = String(item.value);
    if (syntax === 'words' && value === last) return newItems(text, file, item, node.flow === true, syntax);
    // `["-q", "default,2"]`, `["--queue=default"]`, `["-qdefault"]`: the new flag and its value are new items after it.
    const flag = index > 0 && isScalar(items[index - 1]) ? String((items[index - 1] as YamlNode & { value: unknown }).value) : '';
    if (syntax === 'flags' && ((flag === '-q' || flag === '--queue') ? value : /^(?:-q|--queue=)(.*)$/.exec(value)?.[1])?.split(',')[0] === last) {
      return newItems(text, file, item, node.flow === true, syntax);
    }
    const adder = value.includes(last) ? inScalar(text, file, item, last, syntax, node.flow === true) : undefined;
    if (adder) return adder;
  }
  return undefined;
}

/** A queue word inside one scalar (the whole string command, or one list item such as `-Q a,b` or `sh -c "…"`). */
function inScalar(text: string, file: string, node: YamlNode, last: string, syntax: QueueSyntax, inFlow: boolean): Adder | undefined {
  const source = scalarSource(text, node);
  if ('refused' in source) return { refused: `the command ${source.refused}`, decide: source.decide };
  const end = queueEnd(source.value, last, syntax);
  if (end === undefined) return undefined;
  return {
    anchor: source.sourceIndex(end),
    edit: (queues) => insertInScalar(text, file, node, end, queueText(syntax, queues), inFlow),
  };
}

/** New list items after `item`, in its quoting: `, "q"` in a flow list, a new `- q` line in a block list (`-q`, `q` for flags). */
export function newItems(text: string, file: string, item: YamlNode, flow: boolean, syntax: QueueSyntax): Adder {
  // The list itself may be shared through an alias: its items are marked with it.
  const shared = sharedThroughAlias(item);
  if (shared) return { refused: `the command ${shared.refused}`, decide: shared.decide };
  const words = (queues: string[]) => queues.flatMap((queue) => queueWords(syntax, queue)).map((word) => itemLike(item, word));
  const end = item.range![1];
  if (flow) return { anchor: end, edit: (queues) => ({ file, start: end, end, text: words(queues).map((word) => `, ${word}`).join('') }) };
  const start = item.range![0];
  const starts = lineStarts(text);
  let lineStart = 0;
  for (const candidate of starts) if (candidate <= start) lineStart = candidate;
  const prefix = text.slice(lineStart, start);
  if (!/^\s*-\s+$/.test(prefix) || text.slice(start, lineEnd(text, start)).includes('\n')) {
    return { refused: 'the list item shares its line with other items', decide: 'add the queue to the command list by hand' };
  }
  const at = lineEnd(text, start);
  const eol = lineEndingAt(text, start);
  return { anchor: at, edit: (queues) => ({ file, start: at, end: at, text: words(queues).map((word) => `${eol}${prefix}${word}`).join('') }) };
}
