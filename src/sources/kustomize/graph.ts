import * as path from 'node:path';
import { InputError } from '../../errors.js';
import type { FileSystem } from '../../fs.js';
import type { Location } from '../../types.js';
import { isMap, isNull, scalarText, type YMap, type YNode } from '../compose/tree.js';
import { parseComposeYaml } from '../compose/yaml.js';
import { absoluteIn, isRegularFile, KUBERNETES_DIRS, readDeploymentFile, walkFiles } from '../files.js';

/**
 * The kustomizations of a project and what they reference: which dirs are overlays (referenced by no other
 * kustomization: each an environment), and which files belong to kustomize (so the plain-manifests source leaves
 * them alone). Only local paths are followed; a remote resource is an input error, since the static stage reads
 * nothing from the network.
 */

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];


/** A file a kustomization names, and how it is used. */
export interface Reference {
  /** Root-relative. */
  file: string;
  /** `secret`: a secretGenerator input, never read (its content is replaced by an empty file when rendering). */
  role: 'resource' | 'patch' | 'generator' | 'secret' | 'other';
  at: Location;
}

export interface Kustomization {
  /** Root-relative dir ('.' for the root). */
  dir: string;
  /** Root-relative kustomization file. */
  file: string;
  /** Files it names (resources, patches, generator inputs …), in the order kustomize applies them: resources first. */
  files: Reference[];
  /** Kustomization dirs it names (resources, bases, components). */
  dirs: Reference[];
}

export function kustomizationFileIn(fs: FileSystem, root: string, dir: string): string | undefined {
  const name = KUSTOMIZATION_FILES.find((candidate) => isRegularFile(fs, absoluteIn(root, dir === '.' ? candidate : `${dir}/${candidate}`)));
  return name === undefined ? undefined : dir === '.' ? name : `${dir}/${name}`;
}

/** The dirs (root-relative) that hold a kustomization file, found in the root and the conventional dirs. */
export function findKustomizationDirs(fs: FileSystem, root: string): string[] {
  const dirs = new Set<string>();
  if (kustomizationFileIn(fs, root, '.')) dirs.add('.');
  for (const file of walkFiles(fs, root, KUBERNETES_DIRS, { skipDir: (_dir, entries) => entries.some((entry) => entry.name === 'Chart.yaml') })) {
    if (KUSTOMIZATION_FILES.includes(path.posix.basename(file))) dirs.add(path.posix.dirname(file));
  }
  return [...dirs].sort();
}

const isRemote = (value: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^git@/.test(value) || /^(github|gitlab|bitbucket)\.(com|org)\//.test(value) || value.includes('?ref=');

function strings(node: YNode | undefined): { value: string; at: Location }[] {
  if (!node || isNull(node)) return [];
  const items = node.kind === 'seq' ? node.items : [node];
  return items.flatMap((item) => (item.kind === 'scalar' && item.value !== null ? [{ value: scalarText(item.value), at: item.pos }] : []));
}

/** Reads one kustomization file and the local paths it names. */
export function readKustomization(fs: FileSystem, root: string, dir: string): Kustomization {
  const file = kustomizationFileIn(fs, root, dir);
  if (!file) throw new InputError(`${dir}: no kustomization.yaml in this directory`);
  const text = readDeploymentFile(fs, root, file, 'kustomization');
  const document = parseComposeYaml(text, file).find((candidate) => candidate.root !== null)?.root;
  const kustomization: Kustomization = { dir, file, files: [], dirs: [] };
  if (!document || isNull(document)) return kustomization;
  if (!isMap(document)) throw new InputError('a kustomization must be a mapping', document.pos);
  const resolve = (value: string, at: Location): string => {
    if (isRemote(value)) throw new InputError(`remote resource \`${value}\` is not fetched: the static stage reads only project files`, at);
    const joined = path.posix.normalize(path.posix.join(dir, value));
    if (joined === '..' || joined.startsWith('../') || path.posix.isAbsolute(value)) {
      throw new InputError(`\`${value}\` is outside the project`, at);
    }
    return joined;
  };
  const add = (value: string, at: Location, role: Reference['role'], dirsAllowed: boolean) => {
    const target = resolve(value, at);
    if (fs.isDirectory(absoluteIn(root, target))) {
      if (!dirsAllowed) throw new InputError(`\`${value}\` is a directory`, at);
      kustomization.dirs.push({ file: target, role, at });
    } else kustomization.files.push({ file: target, role, at });
  };
  const get = (map: YMap, key: string) => map.entries.get(key)?.value;
  for (const key of ['resources', 'bases', 'components']) for (const item of strings(get(document, key))) add(item.value, item.at, 'resource', true);
  for (const key of ['crds', 'generators', 'transformers', 'validators', 'configurations']) {
    for (const item of strings(get(document, key))) add(item.value, item.at, 'other', true);
  }
  // An inline patch (a string with a newline) names no file.
  for (const item of strings(get(document, 'patchesStrategicMerge'))) if (!item.value.includes('\n')) add(item.value, item.at, 'patch', false);
  for (const key of ['patches', 'patchesJson6902', 'replacements']) {
    const list = get(document, key);
    if (list?.kind !== 'seq') continue;
    for (const item of list.items) {
      if (!isMap(item)) continue;
      for (const entry of strings(get(item, 'path'))) add(entry.value, entry.at, key === 'replacements' ? 'other' : 'patch', false);
    }
  }
  for (const [key, role] of [['configMapGenerator', 'generator'], ['secretGenerator', 'secret']] as const) {
    const list = get(document, key);
    if (list?.kind !== 'seq') continue;
    for (const generator of list.items) {
      if (!isMap(generator)) continue;
      for (const entry of [...strings(get(generator, 'files')), ...strings(get(generator, 'envs')), ...strings(get(generator, 'env'))]) {
        // `files: [key=path]` names the key before `=`.
        const index = key === 'configMapGenerator' || key === 'secretGenerator' ? entry.value.indexOf('=') : -1;
        add(index === -1 ? entry.value : entry.value.slice(index + 1), entry.at, role, false);
      }
    }
  }
  const openapi = get(document, 'openapi');
  if (isMap(openapi)) for (const entry of strings(get(openapi, 'path'))) add(entry.value, entry.at, 'other', false);
  return kustomization;
}

export interface KustomizeGraph {
  kustomizations: Map<string, Kustomization>;
  /** Kustomization dirs no other one references: the overlays (environments). */
  roots: string[];
  /** Every file that belongs to kustomize (kustomization files and what they name). */
  claimed: Set<string>;
}

/** Reads the kustomizations found in the project and what they reference (bounded by the files that exist). */
export function kustomizeGraph(fs: FileSystem, root: string, dirs = findKustomizationDirs(fs, root)): KustomizeGraph {
  const kustomizations = new Map<string, Kustomization>();
  const referenced = new Set<string>();
  const pending = [...dirs];
  while (pending.length > 0) {
    const dir = pending.shift()!;
    if (kustomizations.has(dir)) continue;
    const kustomization = readKustomization(fs, root, dir);
    kustomizations.set(dir, kustomization);
    for (const reference of kustomization.dirs) {
      if (!kustomizationFileIn(fs, root, reference.file)) throw new InputError(`\`${reference.file}\` holds no kustomization.yaml`, reference.at);
      referenced.add(reference.file);
      pending.push(reference.file);
    }
  }
  const claimed = new Set<string>();
  for (const kustomization of kustomizations.values()) {
    claimed.add(kustomization.file);
    for (const reference of kustomization.files) claimed.add(reference.file);
  }
  const roots = dirs.filter((dir) => !referenced.has(dir));
  return { kustomizations, roots, claimed };
}

/** The kustomizations an overlay builds on, the overlay first, then its bases breadth first. */
export function kustomizationChain(graph: KustomizeGraph, dir: string): Kustomization[] {
  const chain: Kustomization[] = [];
  const seen = new Set<string>();
  const queue = [dir];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    const kustomization = graph.kustomizations.get(next);
    if (!kustomization) continue;
    chain.push(kustomization);
    queue.push(...kustomization.dirs.map((reference) => reference.file));
  }
  return chain;
}
