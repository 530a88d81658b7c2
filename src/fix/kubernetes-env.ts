import { environmentName } from '../wording.js';
import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { DeploymentService } from '../model.js';
import { insertInScalar, scalarSource } from './compose-yaml.js';
import { envFileLinePlace } from './dotenv-line.js';
import {
  configMapReaders,
  environmentsReading,
  KUBERNETES_SOURCES,
  kustomizeOwnership,
  nodeOnLine,
  renderedRefusal,
  stringAt,
  workerIdentity,
  yamlDocuments,
  type WorkerIdentity,
} from './kube-yaml.js';
import { appendToList, isPlainQueueName } from './text.js';
import type { ConsumerTarget, EditContext, QueueEditKind, QueuePlace, Refusal } from './types.js';

const KUSTOMIZATION = /(?:^|\/)(?:kustomization\.ya?ml|Kustomization)$/;

/** `rq worker $RQ_QUEUES` splits the value on spaces, so one name gets a space; a value read whole gets a comma. */
export function singleSeparator(service: DeploymentService, variable: string): string {
  const reference = new RegExp(`\\$\\{?${variable}(?![A-Za-z0-9_])`);
  return service.command?.argv.some((word) => reference.test(word)) ? ' ' : ',';
}

/** Why a ConfigMap key may not be edited for this worker: another container reads it. */
function sharedKey(configMap: string, key: string, target: ConsumerTarget, context: EditContext, file: string): Refusal | WorkerIdentity {
  const worker = workerIdentity(target.service, context.files);
  if (!worker) {
    return { refused: `cannot tell which container of ${target.service.location.file} is \`${target.service.name}\`, so whether others read ConfigMap \`${configMap}\` is unknown`, decide: `add the queue to \`${key}\` by hand` };
  }
  const files = [...new Set([...target.environment.files, ...environmentsReading(file, target).flatMap((environment) => environment.files)])];
  const readers = configMapReaders(configMap, key, worker, files, context.files);
  if (readers.length > 0) {
    return {
      refused: `key \`${key}\` of ConfigMap \`${configMap}\` (${file}) is also read by ${readers.join(', ')}`,
      decide: `whether they should all get the queue; otherwise give \`${target.service.name}\` its own \`env\` value or ConfigMap`,
    };
  }
  return worker;
}

/** The ConfigMap a kustomize `configMapGenerator` builds from an env file (`envs:`/`env:`), read from the overlay's kustomizations. */
function generatorOf(file: string, target: ConsumerTarget, context: EditContext): string | undefined {
  for (const kustomization of target.environment.files.filter((name) => KUSTOMIZATION.test(name))) {
    const text = context.files.text(kustomization);
    if (typeof text !== 'string') continue;
    const dir = path.posix.dirname(kustomization);
    for (const document of yamlDocuments(text, context.files) ?? []) {
      const generators = document.get('configMapGenerator', true);
      if (!isSeq(generators)) continue;
      for (const generator of generators.items) {
        for (const list of ['envs', 'env']) {
          const value = isMap(generator) ? generator.get(list, true) : undefined;
          const items = isSeq(value) ? value.items : value === undefined ? [] : [value];
          const named = items.some((item) => isScalar(item) && path.posix.normalize(path.posix.join(dir, String(item.value))) === file);
          if (named) return stringAt(generator, ['name']);
        }
      }
    }
  }
  return undefined;
}

/**
 * A queue variable of a Kubernetes container (plain manifests, or the kustomize files its value was mapped back
 * to): an `env` entry's `value:`, a ConfigMap `data` key read through `configMapKeyRef` or `envFrom` (only when no
 * other container reads that key), a kustomize `configMapGenerator` literal or env file line. In a kustomize project
 * only a file of the environment's own overlay is edited; helm output is never edited (the chart decides).
 */
export const kubernetesEnvKind: QueueEditKind = {
  id: 'kubernetes-env',
  locate(target, context) {
    const { consumer, service, environment } = target;
    const variable = consumer.variable;
    if (!KUBERNETES_SOURCES.has(environment.source) || consumer.queueSource !== 'environment' || !variable) return undefined;
    const entry = service.environment[variable];
    if (!entry || entry.value === null) return undefined;
    const rendered = renderedRefusal(target, entry.location);
    if (rendered) return rendered;
    const { file, line, column } = entry.location;
    if (environment.source === 'kustomize') {
      const refusal = kustomizeOwnership(file, target, context);
      if (refusal) return refusal;
    }
    const notPlain: Refusal =
      environment.source === 'kustomize'
        ? {
            refused: `the rendered value of ${variable} (\`${entry.value}\`) is not written as a plain value at ${file}:${line}: it comes from a generator, transformer or base the overlay builds on`,
            decide: `set ${variable} in the overlay of ${environmentName(environment.name)} alone (a patch, or a configMapGenerator literal with \`behavior: merge\`)`,
          }
        : { refused: `${variable} is not written as a plain value at ${file}:${line}`, decide: `add the queue to ${variable} by hand` };
    const single = singleSeparator(service, variable);
    const text = context.files.text(file);
    if (typeof text !== 'string') return text;

    // A configMapGenerator env file line (`RQ_QUEUES=high`).
    if (environment.source === 'kustomize' && !/\.ya?ml$/.test(file) && !KUSTOMIZATION.test(file)) {
      const key = /^\s*(?:export\s+)?([^\s=#]+)\s*=/.exec(text.split('\n')[line - 1] ?? '')?.[1];
      const configMap = key === undefined ? undefined : generatorOf(file, target, context);
      if (key === undefined || configMap === undefined) return notPlain;
      const worker = sharedKey(configMap, key, target, context, file);
      if ('refused' in worker) return worker;
      const place = envFileLinePlace(context, file, line, key, ` (ConfigMap \`${configMap}\`)`, single);
      return place;
    }

    const located = nodeOnLine(text, context.files, line, environment.source === 'kustomize' ? undefined : column);
    if (!located) return notPlain;
    const parents = located.path;
    const parent = parents[parents.length - 1];
    const inFlow = (isMap(parent) || isSeq(parent)) && parent.flow === true;
    const placeAt = (node: YamlNode, valueOffset: number, where: string): QueuePlace | Refusal => {
      const source = scalarSource(text, node);
      if ('refused' in source) return { refused: `${variable} at ${file}:${line}: ${source.refused}`, decide: source.decide };
      const list = source.value.slice(valueOffset);
      if (list !== entry.value) return notPlain;
      if (list.includes('$(')) return { refused: `${variable} at ${file}:${line} is built from other variables (\`${list}\`)`, decide: 'add the queue where those are set, by hand' };
      const at = source.value.length;
      return {
        key: `${file}@${source.sourceIndex(at)}`,
        file,
        where,
        add: (queues) =>
          queues.every(isPlainQueueName)
            ? insertInScalar(text, file, node, at, appendToList(list, queues, single), inFlow)
            : { refused: 'the queue name needs quoting', decide: `add it to ${file} by hand` },
      };
    };

    // An `env` entry's `value:` in the worker's own container.
    if (located.pair && isScalar(located.node) && located.node.value === 'value' && isMap(parent)) {
      const value = located.pair.value;
      const container = parents[parents.length - 4];
      const envPair = parents[parents.length - 3];
      const worker = workerIdentity(service, context.files);
      const root = located.document.contents;
      const own =
        worker !== undefined &&
        stringAt(parent, ['name']) === variable &&
        isPair(envPair) &&
        isScalar(envPair.key) &&
        envPair.key.value === 'env' &&
        stringAt(container, ['name']) === worker.container &&
        stringAt(root, ['kind']) === worker.kind &&
        stringAt(root, ['metadata', 'name']) === worker.name;
      if (!own || !value) return notPlain;
      return placeAt(value, 0, `${variable} of container \`${worker.container}\` in ${file}:${line}`);
    }

    // A ConfigMap `data` key.
    if (located.pair && isScalar(located.node) && isMap(parent)) {
      const dataPair = parents[parents.length - 2];
      const root = parents[parents.length - 3];
      const value = located.pair.value;
      if (!isPair(dataPair) || !isScalar(dataPair.key) || dataPair.key.value !== 'data' || stringAt(root, ['kind']) !== 'ConfigMap' || !value) return notPlain;
      const configMap = stringAt(root, ['metadata', 'name']) ?? '';
      const key = String(located.node.value);
      const worker = sharedKey(configMap, key, target, context, file);
      if ('refused' in worker) return worker;
      return placeAt(value, 0, `key \`${key}\` of ConfigMap \`${configMap}\` in ${file}:${line}`);
    }

    // A configMapGenerator literal (`- RQ_QUEUES=high`).
    if (!located.pair && isScalar(located.node) && isSeq(parent)) {
      const literals = parents[parents.length - 2];
      const generator = parents[parents.length - 3];
      const generators = parents[parents.length - 5];
      const literal = String(located.node.value);
      const equals = literal.indexOf('=');
      if (
        equals <= 0 ||
        !isPair(literals) ||
        !isScalar(literals.key) ||
        literals.key.value !== 'literals' ||
        !isPair(generators) ||
        !isScalar(generators.key) ||
        generators.key.value !== 'configMapGenerator'
      ) {
        return notPlain;
      }
      const configMap = stringAt(generator, ['name']) ?? '';
      const key = literal.slice(0, equals);
      if (/^["']/.test(literal.slice(equals + 1))) return notPlain;
      const worker = sharedKey(configMap, key, target, context, file);
      if ('refused' in worker) return worker;
      return placeAt(located.node, equals + 1, `the literal \`${key}\` of configMapGenerator \`${configMap}\` in ${file}:${line}`);
    }
    return notPlain;
  },
};
