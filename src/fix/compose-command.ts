import { isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { insertInScalar, itemLike, nodeAt, scalarSource, sharedThroughAlias } from './compose-yaml.js';
import { lineStarts } from '../lines.js';
import { isPlainQueueName, lineEnd, lineEndingAt } from './text.js';
import type { QueueEditKind, QueuePlace, Refusal, TextEdit } from './types.js';

const cache = {};

/** Programs whose queues are one comma list (`celery worker -Q a,b`); the others take one queue per word (`rq worker a b`). */
export const commaListed = (detectedBy: string): boolean => detectedBy.startsWith('celery');

/** The last whole-word occurrence of `queue` in `value` (words end at spaces, quotes, and for comma lists at `,` `=` `-Q`). */
export function lastWord(value: string, queue: string, commas: boolean): number | undefined {
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
    const commas = commaListed(consumer.detectedBy);
    const add = locateIn(text, file, node, last, commas, located!.valueInFlow);
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

export function locateIn(text: string, file: string, node: YamlNode, last: string, commas: boolean, inFlow: boolean): Adder | undefined {
  if (isScalar(node)) return inScalar(text, file, node, last, commas, inFlow);
  if (!isSeq(node)) return undefined;
  const items = node.items as YamlNode[];
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index]!;
    if (!isScalar(item)) continue;
    const value = String(item.value);
    if (value === last && !commas) return newItems(text, file, item, node.flow === true);
    const adder = value.includes(last) ? inScalar(text, file, item, last, commas, node.flow === true) : undefined;
    if (adder) return adder;
  }
  return undefined;
}

/** A queue word inside one scalar (the whole string command, or one list item such as `-Q a,b` or `sh -c "…"`). */
function inScalar(text: string, file: string, node: YamlNode, last: string, commas: boolean, inFlow: boolean): Adder | undefined {
  const source = scalarSource(text, node);
  if ('refused' in source) return { refused: `the command ${source.refused}`, decide: source.decide };
  const index = lastWord(source.value, last, commas);
  if (index === undefined) return undefined;
  const at = index + last.length;
  return {
    anchor: source.sourceIndex(at),
    edit: (queues) => insertInScalar(text, file, node, at, queues.map((queue) => (commas ? `,${queue}` : ` ${queue}`)).join(''), inFlow),
  };
}

/** New list items after `item`, in its quoting: `, "q"` in a flow list, a new `- q` line in a block list. */
export function newItems(text: string, file: string, item: YamlNode, flow: boolean): Adder {
  // The list itself may be shared through an alias: its items are marked with it.
  const shared = sharedThroughAlias(item);
  if (shared) return { refused: `the command ${shared.refused}`, decide: shared.decide };
  const end = item.range![1];
  if (flow) return { anchor: end, edit: (queues) => ({ file, start: end, end, text: queues.map((queue) => `, ${itemLike(item, queue)}`).join('') }) };
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
  return { anchor: at, edit: (queues) => ({ file, start: at, end: at, text: queues.map((queue) => `${eol}${prefix}${itemLike(item, queue)}`).join('') }) };
}
