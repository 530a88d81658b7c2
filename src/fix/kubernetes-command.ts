import { isMap, isPair, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { locateIn, newItems } from './compose-command.js';
import { queueSyntaxOf } from '../workers/index.js';
import { KUBERNETES_SOURCES, kustomizeOwnership, nodeOnLine, renderedRefusal, stringAt, workerIdentity } from './kube-yaml.js';
import { isPlainQueueName } from './text.js';
import type { QueueEditKind, Refusal } from './types.js';

const KUBELET_VARIABLE = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/;

/**
 * The queues in a container's `args`/`command` list (`[rq, worker, high]`, `celery … -Q a,b`, `sh -c "rq worker
 * high"`): the new queue goes after the last queue named, in the list the location names or its sibling
 * (`command` holds the program, `args` the queues, or the other way round). An item `$(VAR)` the kubelet expands to
 * the last queue gets a new item after it. In a kustomize project only a file of the environment's own overlay is
 * edited (its patch); helm output is never edited.
 */
export const kubernetesCommandKind: QueueEditKind = {
  id: 'kubernetes-command',
  locate(target, context) {
    const { consumer, service, environment } = target;
    if (!KUBERNETES_SOURCES.has(environment.source) || consumer.queueSource !== 'command' || !service.command) return undefined;
    const rendered = renderedRefusal(target, service.command.location);
    if (rendered) return rendered;
    const { file, line, column } = service.command.location;
    const kustomize = environment.source === 'kustomize';
    const lost: Refusal = { refused: `the queues of \`${consumer.service}\` are not written in its args or command at ${file}:${line}`, decide: 'add the queue to the container args by hand' };
    const last = consumer.queues.at(-1);
    if (last === undefined) return lost;
    const unexpanded = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/.exec(last);
    if (unexpanded) {
      const from = service.environment[unexpanded[1]!];
      return {
        refused: `the queues of \`${consumer.service}\` are \`${last}\`, ${from ? 'set at run time (a Secret or the downward API), which fix never reads or edits' : 'a variable the container does not set'}`,
        decide: `where ${unexpanded[1]} is set, whether the worker should also consume the queue (or name the queues in its args)`,
      };
    }
    if (kustomize) {
      const refusal = kustomizeOwnership(file, target, context);
      if (refusal) return refusal;
    }
    const text = context.files.text(file);
    if (typeof text !== 'string') return text;
    const located = nodeOnLine(text, context.files, line, kustomize ? undefined : column);
    if (!located) return lost;
    const parents = located.path;
    // The `args:`/`command:` pair at the location, or (kustomize maps to an item's line) the pair holding that item's list.
    const pair = located.pair ?? (isSeq(parents[parents.length - 1]) && isPair(parents[parents.length - 2]) ? parents[parents.length - 2] : undefined);
    const container = located.pair ? parents[parents.length - 1] : parents[parents.length - 3];
    if (!isPair(pair) || !isMap(container)) return lost;
    if (kustomize) {
      const worker = workerIdentity(service, context.files);
      const root = located.document.contents;
      if (!worker || stringAt(container, ['name']) !== worker.container || stringAt(root, ['kind']) !== worker.kind || stringAt(root, ['metadata', 'name']) !== worker.name) return lost;
    }
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const sibling = key === 'args' ? 'command' : key === 'command' ? 'args' : undefined;
    const lists = [pair.value, sibling ? container.get(sibling, true) : undefined].filter((node): node is YamlNode => node !== undefined && node !== null);
    const syntax = queueSyntaxOf(consumer);
    for (const list of lists) {
      const inFlow = (isSeq(list) || isMap(list)) && list.flow === true;
      let add = locateIn(text, file, list, last, syntax, inFlow);
      if (!add && isSeq(list) && syntax !== 'commas') {
        // `args: ["$(QUEUE)"]`: the kubelet passes the variable's value as one word, so the queue is a new item.
        const item = [...list.items].reverse().find((candidate) => {
          const name = isScalar(candidate) ? KUBELET_VARIABLE.exec(String(candidate.value))?.[1] : undefined;
          return name !== undefined && service.environment[name]?.value === last;
        });
        if (item) add = newItems(text, file, item as YamlNode, list.flow === true, syntax);
      }
      if (!add) continue;
      if ('refused' in add) return add;
      const adder = add;
      return {
        key: `${file}@${adder.anchor}`,
        file,
        where: `the ${key === 'args' || key === 'command' ? key : 'command'} of \`${consumer.service}\` in ${file}:${line}`,
        add: (queues) => (queues.every(isPlainQueueName) ? adder.edit(queues) : { refused: 'the queue name needs quoting', decide: 'add it to the container args by hand' }),
      };
    }
    return lost;
  },
};
