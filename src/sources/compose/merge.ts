import { InputError } from '../../errors.js';
import {
  isMap,
  isNull,
  pathMatches,
  pathString,
  scalar,
  scalarText,
  type YEntry,
  type YMap,
  type YNode,
  type YSeq,
} from './tree.js';

/**
 * Merging two compose models as compose-go's override.MergeYaml does: mappings merge recursively,
 * sequences append, scalars are replaced, with per-attribute exceptions (command/entrypoint replaced,
 * environment/labels/… merged whichever of list or map form each side uses, build strings are contexts).
 * Both inputs may be mutated; the result shares their nodes.
 */
type Merger = (base: YNode, override: YNode, path: string[]) => YNode;

const toSequence: Merger = (base, override) => {
  const left = convertIntoSequence(base);
  const right = convertIntoSequence(override);
  return { kind: 'seq', pos: (right ?? left)?.pos ?? override.pos, items: [...(left?.items ?? []), ...(right?.items ?? [])] };
};

/** extra_hosts: both sides as `host=ip` lists, the override's duplicates dropped. */
const extraHosts: Merger = (base, override) => {
  const left = convertIntoSequence(base)?.items ?? [];
  const seen = new Set(left.map((item) => (item.kind === 'scalar' ? String(item.value) : item)));
  const right = (convertIntoSequence(override)?.items ?? []).filter((item) => !seen.has(item.kind === 'scalar' ? String(item.value) : item));
  return { kind: 'seq', pos: override.pos, items: [...left, ...right] };
};

const replace: Merger = (_base, override) => override;

const toMapping: Merger = (base, override, path) => mergeMappings(convertIntoMapping(base), convertIntoMapping(override), path);

const build: Merger = (base, override, path) => {
  const asMap = (node: YNode): YMap => {
    if (node.kind === 'scalar' && typeof node.value === 'string') {
      return { kind: 'map', pos: node.pos, entries: new Map([['context', { keyPos: node.pos, value: node }]]) };
    }
    return node.kind === 'map' ? node : { kind: 'map', pos: node.pos, entries: new Map() };
  };
  return mergeMappings(asMap(base), asMap(override), path);
};

const SPECIAL_MERGERS: [string[], Merger][] = (
  [
    ['services.*.annotations', toSequence],
    ['services.*.build', build],
    ['services.*.build.args', toSequence],
    ['services.*.build.additional_contexts', toSequence],
    ['services.*.build.labels', toSequence],
    ['services.*.build.extra_hosts', extraHosts],
    ['services.*.extra_hosts', extraHosts],
    ['services.*.command', replace],
    ['services.*.depends_on', toMapping],
    ['services.*.deploy.labels', toSequence],
    ['services.*.dns', toSequence],
    ['services.*.dns_opt', toSequence],
    ['services.*.dns_search', toSequence],
    ['services.*.entrypoint', replace],
    ['services.*.env_file', toSequence],
    ['services.*.label_file', toSequence],
    ['services.*.environment', toSequence],
    ['services.*.healthcheck.test', replace],
    ['services.*.labels', toSequence],
    ['services.*.models', toMapping],
    ['services.*.networks', toMapping],
    ['services.*.sysctls', toSequence],
    ['services.*.tmpfs', toSequence],
    ['services.*.ulimits.*', replace],
    ['networks.*.labels', toSequence],
    ['volumes.*.labels', toSequence],
  ] as [string, Merger][]
).map(([pattern, merger]) => [pattern.split('.'), merger]);

/** compose-go's MergeYaml: `override` wins over `base` at `path`. */
export function mergeYaml(base: YNode, override: YNode, path: string[]): YNode {
  for (const [pattern, merger] of SPECIAL_MERGERS) if (pathMatches(path, pattern)) return merger(base, override, path);
  if (isNull(override)) return base;
  if (base.kind === 'map') {
    if (override.kind !== 'map') throw new InputError(`cannot override ${pathString(path)}`, override.pos);
    return mergeMappings(base, override, path);
  }
  if (base.kind === 'seq') {
    if (override.kind !== 'seq') throw new InputError(`cannot override ${pathString(path)}`, override.pos);
    return { kind: 'seq', pos: override.pos, items: [...base.items, ...override.items] };
  }
  return override;
}

/** Adds `override`'s entries to `base` (in place); a key present in both merges, positioned at the override's key. */
export function mergeMappings(base: YMap, override: YMap, path: string[]): YMap {
  for (const [key, entry] of override.entries) {
    const existing = base.entries.get(key);
    if (!existing) {
      base.entries.set(key, entry);
      continue;
    }
    base.entries.set(key, { keyPos: entry.keyPos, value: mergeYaml(existing.value, entry.value, [...path, key]) });
  }
  return base;
}

/** `KEY: value` mappings become `KEY=value` items (sorted, as compose-go sorts them), positioned at the key. */
function convertIntoSequence(node: YNode): YSeq | undefined {
  if (node.kind === 'seq') return node;
  if (node.kind === 'map') {
    const items: YNode[] = [];
    for (const [key, entry] of node.entries) {
      const value = entry.value;
      if (value.kind === 'scalar' && value.value === null) items.push(scalar(key, entry.keyPos));
      else if (value.kind === 'seq') {
        for (const item of value.items) {
          items.push(scalar(`${key}=${item.kind === 'scalar' ? scalarText(item.value) : ''}`, entry.keyPos, item.kind === 'scalar' ? item.unset : undefined));
        }
      } else if (value.kind === 'scalar') items.push(scalar(`${key}=${scalarText(value.value)}`, entry.keyPos, value.unset));
      else throw new InputError(`${key} must be a string, number, boolean or null`, value.pos);
    }
    items.sort((a, b) => {
      const x = String((a as { value: unknown }).value);
      const y = String((b as { value: unknown }).value);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return { kind: 'seq', pos: node.pos, items };
  }
  if (typeof node.value === 'string') return { kind: 'seq', pos: node.pos, items: [node] };
  return undefined;
}

function convertIntoMapping(node: YNode): YMap {
  if (node.kind === 'map') return node;
  const entries = new Map<string, YEntry>();
  if (node.kind === 'seq') {
    for (const item of node.items) {
      if (item.kind === 'scalar' && typeof item.value === 'string') entries.set(item.value, { keyPos: item.pos, value: scalar(null, item.pos) });
    }
  }
  return { kind: 'map', pos: node.pos, entries };
}

type Indexer = (item: YNode, path: string[]) => string;

const keyValueIndexer: Indexer = (item, path) => {
  if (item.kind === 'scalar' && typeof item.value === 'string') {
    const index = item.value.indexOf('=');
    return index === -1 ? item.value : item.value.slice(0, index);
  }
  throw new InputError(`${pathString(path)} must be a list of strings`, item.pos);
};

const envFileIndexer: Indexer = (item, path) => {
  if (item.kind === 'scalar' && typeof item.value === 'string') return item.value;
  if (item.kind === 'map') {
    const value = item.entries.get('path')?.value;
    if (value?.kind === 'scalar' && typeof value.value === 'string') return value.value;
    throw new InputError(`environment path attribute ${pathString(path)} is missing`, item.pos);
  }
  return '';
};

/** Sequences whose entries are unique by key (compose-go's EnforceUnicity); the attributes the model reads. */
const UNIQUE_SEQUENCES: [string[], Indexer][] = (
  [
    ['services.*.environment', keyValueIndexer],
    ['services.*.env_file', envFileIndexer],
    ['services.*.labels', keyValueIndexer],
    ['services.*.profiles', keyValueIndexer],
    ['services.*.annotations', keyValueIndexer],
    ['services.*.build.args', keyValueIndexer],
    ['services.*.dns', keyValueIndexer],
    ['services.*.cap_add', keyValueIndexer],
    ['services.*.cap_drop', keyValueIndexer],
    ['services.*.links', keyValueIndexer],
    ['services.*.sysctls', keyValueIndexer],
    ['services.*.tmpfs', keyValueIndexer],
  ] as [string, Indexer][]
).map(([pattern, indexer]) => [pattern.split('.'), indexer]);

/** Keeps one entry per key in keyed sequences: a redefinition replaces the first entry in place. */
export function enforceUnicity(node: YNode, path: string[] = []): YNode {
  if (node.kind === 'map') {
    for (const [key, entry] of node.entries) entry.value = enforceUnicity(entry.value, [...path, key]);
    return node;
  }
  if (node.kind === 'seq') {
    for (const [pattern, indexer] of UNIQUE_SEQUENCES) {
      if (!pathMatches(path, pattern)) continue;
      const items: YNode[] = [];
      const seen = new Map<string, number>();
      node.items.forEach((item, index) => {
        const key = indexer(item, [...path, `[${index}]`]);
        const at = seen.get(key);
        if (at !== undefined) items[at] = item;
        else {
          seen.set(key, items.length);
          items.push(item);
        }
      });
      node.items = items;
      return node;
    }
  }
  return node;
}

/**
 * compose-go's ResetProcessor.Apply: removes every mapping entry at a `!reset`/`!override` path from
 * the model merged so far (entries of sequences are never removed, as in compose-go).
 */
export function applyResets(node: YNode, resetPaths: readonly string[][], path: string[] = []): void {
  if (resetPaths.length === 0 || !isMap(node)) return;
  for (const [key, entry] of [...node.entries]) {
    const next = [...path, key];
    if (resetPaths.some((pattern) => pathMatches(next, pattern))) {
      node.entries.delete(key);
      continue;
    }
    applyResets(entry.value, resetPaths, next);
  }
}
