import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { isPlainQueueName, lineEnd, lineEndingAt, listSeparator } from './text.js';
import type { QueueEditKind, QueuePlace, Refusal } from './types.js';

/** `:queues:` or `queues:` (Sidekiq symbolizes the config's keys). */
const isQueuesKey = (key: unknown): boolean => isScalar(key) && (key.value === ':queues' || key.value === 'queues');

const byHand = (refused: string): Refusal => ({ refused, decide: 'add the queue to the `:queues:` list by hand' });

/**
 * The `:queues:` list of a sidekiq.yml that a Sidekiq worker started without `-q` reads (the static stage records
 * the line of the `:queues:` key it used: the environment's section when it has one, else the top level). The queue
 * becomes a new item in the list's own style: a `- name` line at the last item's indentation in a block list, a
 * `, name` after the last item of a flow list `[a, b]`. ERB in the list (rendered before YAML) is left to a person.
 */
export const sidekiqYamlKind: QueueEditKind = {
  id: 'sidekiq-yaml',
  projectConfig: true,
  locate(target, context) {
    const { consumer } = target;
    const location = consumer.location;
    if (consumer.queueSource !== 'code-default' || !location || !/\bsidekiq\b/.test(consumer.detectedBy) || !/\.ya?ml(\.erb)?$/.test(location.file)) return undefined;
    const { file, line } = location;
    const text = context.files.text(file);
    if (typeof text !== 'string') return text;
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, uniqueKeys: false, merge: false, prettyErrors: false });
    if (document.errors.length || !isMap(document.contents)) return byHand(`${file} is not YAML fix can read before its ERB is rendered`);
    // The `:queues:` key on the recorded line: the top level's or an environment section's.
    const top = document.contents as YAMLMap<unknown, unknown>;
    const maps = [top, ...top.items.map((pair) => pair.value).filter((value): value is YAMLMap<unknown, unknown> => isMap(value))];
    const pair = maps.flatMap((map) => map.items).find((candidate) => isQueuesKey(candidate.key) && lineCounter.linePos((candidate.key as Node).range![0]).line === line);
    if (!pair) return byHand(`the \`:queues:\` list of ${file}:${line} is not where the static stage read it`);
    const list = pair.value;
    if (!isSeq(list) || list.items.length === 0) return byHand(`the \`:queues:\` entry at ${file}:${line} is not a list with items`);
    if (text.slice(list.range![0], list.range![1]).includes('<%')) return byHand(`the \`:queues:\` list at ${file}:${line} is written with ERB`);
    return listPlace(text, file, line, list as YAMLSeq<Node>);
  },
};

function listPlace(text: string, file: string, line: number, list: YAMLSeq<Node>): QueuePlace {
  const last = list.items.at(-1)!;
  const where = `the \`:queues:\` list in ${file}:${line}`;
  const refuseQuoting: Refusal = { refused: 'the queue name needs quoting', decide: 'add it to the list by hand' };
  if (list.flow) {
    const at = last.range![1];
    const items = text.slice(list.range![0], at);
    return {
      key: `${file}@${at}`,
      file,
      where,
      add: (queues) => (queues.every(isPlainQueueName) ? { file, start: at, end: at, text: queues.map((queue) => `${listSeparator(items)}${queue}`).join('') } : refuseQuoting),
    };
  }
  // Block list: a new `- name` line after the last item's line, at the column of that item's dash.
  const itemStart = last.range![0];
  const lineStart = text.lastIndexOf('\n', itemStart - 1) + 1;
  const dash = text.lastIndexOf('-', itemStart - 1);
  const indent = text.slice(lineStart, dash);
  const at = lineEnd(text, last.range![1] > itemStart ? last.range![1] - 1 : itemStart);
  const eol = lineEndingAt(text, at);
  return {
    key: `${file}@${at}`,
    file,
    where,
    add: (queues) =>
      queues.every(isPlainQueueName) && /^[ \t]*$/.test(indent)
        ? { file, start: at, end: at, text: queues.map((queue) => `${eol}${indent}- ${queue}`).join('') }
        : refuseQuoting,
  };
}
