import { environmentName } from '../wording.js';
import { isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode, type Pair, parseAllDocuments, visit, type YAMLMap } from 'yaml';
import type { DeploymentEnvironment, DeploymentService } from '../model.js';
import type { Location } from '../types.js';
import { POD_SPEC_PATHS } from '../sources/kubernetes/index.js';
import { overlayInputs, type OverlayInputs } from '../sources/kustomize/index.js';
import { markSharedAnchors } from './compose-yaml.js';
import { lineEnd, offsetOf } from './text.js';
import type { ConsumerTarget, EditContext, ProjectFiles, Refusal } from './types.js';

/**
 * Kubernetes manifests (plain, kustomize inputs) as the `yaml` package's document layer reads them, for the
 * Kubernetes edit kinds: the node a location names (by line and column, or the first node on the line for the
 * positions kustomize maps back), the document it is in (a multi-document file is edited only inside that
 * document's node), the worker's own workload and container, and who else reads a ConfigMap key.
 */

type Documents = Document.Parsed[];
const parsedCache = new WeakMap<ProjectFiles, Map<string, Documents | undefined>>();

/** The documents of a file's text; undefined when any has an error (such a file is never edited). */
export function yamlDocuments(text: string, files: ProjectFiles): Documents | undefined {
  let byText = parsedCache.get(files);
  if (!byText) parsedCache.set(files, (byText = new Map()));
  if (!byText.has(text)) {
    const parsed = parseAllDocuments(text, { uniqueKeys: false, merge: false, prettyErrors: false });
    const list = Array.isArray(parsed) ? parsed : [];
    markSharedAnchors(list);
    byText.set(text, list.some((document) => document.errors.length > 0) || !Array.isArray(parsed) ? undefined : list);
  }
  return byText.get(text);
}

export interface LineNode {
  document: Document.Parsed;
  /** The pair whose key starts at the position, when there is one. */
  pair?: Pair<YamlNode, YamlNode | null>;
  /** The node starting at the position: a pair's key, or a scalar (a sequence item). */
  node: YamlNode;
  /** Its ancestors, outermost first (the document's collections and pairs). */
  path: readonly unknown[];
}

/**
 * The node at line:column, or without a column the first pair key or scalar that starts on the line (the
 * positions the kustomize source maps back to a file name only the line).
 */
export function nodeOnLine(text: string, files: ProjectFiles, line: number, column?: number): LineNode | undefined {
  const documents = yamlDocuments(text, files);
  const lineStart = offsetOf(text, line);
  if (!documents || lineStart === undefined) return undefined;
  const exact = column === undefined ? undefined : offsetOf(text, line, column);
  const end = lineEnd(text, lineStart);
  const matches = (offset: number | undefined) => offset !== undefined && (exact !== undefined ? offset === exact : offset >= lineStart && offset <= end);
  for (const document of documents) {
    const range = document.range;
    if (range[2] < lineStart || range[0] > end) continue;
    let found: LineNode | undefined;
    visit(document, {
      Pair(_key, pair, path) {
        const key = pair.key as YamlNode | null;
        if (key && matches((key as { range?: number[] }).range?.[0])) {
          found = { document, pair: pair as Pair<YamlNode, YamlNode | null>, node: key, path: [...path] };
          return visit.BREAK;
        }
        return undefined;
      },
      Scalar(_key, node, path) {
        // A pair's key is found as the pair (above); a scalar here is a sequence item or a value.
        if (matches(node.range?.[0]) && !isPair(path[path.length - 1])) {
          found = { document, node, path: [...path] };
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (found) return found;
  }
  return undefined;
}

/** A map's value at a key path; undefined when absent or not there. */
export function valueAt(node: unknown, keys: string[]): unknown {
  let current = node;
  for (const key of keys) {
    if (!isMap(current)) return undefined;
    current = current.get(key, true);
  }
  return current;
}

/** A scalar's text at a key path (strings only). */
export function stringAt(node: unknown, keys: string[]): string | undefined {
  const value = valueAt(node, keys);
  return isScalar(value) && value.value !== null && value.value !== undefined ? String(value.value) : undefined;
}

/** The pod spec of a workload document's root, with its kind and name. */
function podSpec(root: unknown): { kind: string; name: string; spec: YAMLMap } | undefined {
  const kind = stringAt(root, ['kind']);
  const path = kind === undefined ? undefined : POD_SPEC_PATHS[kind];
  const spec = path ? valueAt(root, path) : undefined;
  return kind !== undefined && isMap(spec) ? { kind, name: stringAt(root, ['metadata', 'name']) ?? '', spec } : undefined;
}

/** Root maps of a parsed file, with `kind: List` items flattened. */
function objects(documents: Documents): unknown[] {
  const out: unknown[] = [];
  const add = (node: unknown) => {
    const kind = stringAt(node, ['kind']);
    const items = valueAt(node, ['items']);
    if (kind?.endsWith('List') && isSeq(items)) items.items.forEach(add);
    else if (isMap(node)) out.push(node);
  };
  for (const document of documents) add(document.contents);
  return out;
}

/** The worker as written in the project's files: its workload's kind and name, and its container's name. */
export interface WorkerIdentity {
  kind: string;
  name: string;
  container: string;
}

/** The workload declared at the service's location and the container the service is (by its name, or the only one). */
export function workerIdentity(service: DeploymentService, files: ProjectFiles): WorkerIdentity | undefined {
  const text = files.text(service.location.file);
  if (typeof text !== 'string') return undefined;
  const documents = yamlDocuments(text, files);
  const offset = offsetOf(text, service.location.line, service.location.column ?? 1);
  if (!documents || offset === undefined) return undefined;
  const document = documents.find((candidate) => candidate.range[0] <= offset && offset <= candidate.range[2]);
  const candidates = document ? objects([document]) : [];
  const workload = candidates.length === 1 ? podSpec(candidates[0]) : candidates.map(podSpec).find((found) => found && service.name.includes(found.name));
  if (!workload) return undefined;
  const containers = valueAt(workload.spec, ['containers']);
  if (!isSeq(containers)) return undefined;
  const names = containers.items.map((item) => stringAt(item, ['name']) ?? '');
  // Service names are `<workload>` for one container, else `<workload>/<container>` (maybe `kind/…`, `…@namespace`).
  const written = service.name.replace(/@[^/@]*$/, '');
  const container = names.length === 1 ? names[0]! : names.find((name) => written.endsWith(`/${name}`));
  return container === undefined ? undefined : { kind: workload.kind, name: workload.name, container };
}

/**
 * The containers (of every workload in `files`) other than the worker's own that read key `key` of ConfigMap
 * `configMap`: a `configMapKeyRef` to it, `envFrom` the whole map, or a volume of the map. Patches of the worker's
 * own workload (same kind and name) are the worker.
 */
export function configMapReaders(configMap: string, key: string, worker: WorkerIdentity, fileNames: string[], files: ProjectFiles): string[] {
  const readers = new Set<string>();
  for (const file of fileNames) {
    if (!/\.ya?ml$/.test(file)) continue;
    const text = files.text(file);
    if (typeof text !== 'string') continue;
    const documents = yamlDocuments(text, files);
    if (!documents) continue;
    for (const root of objects(documents)) {
      const workload = podSpec(root);
      if (!workload) continue;
      const own = workload.kind === worker.kind && workload.name === worker.name;
      const volumes = valueAt(workload.spec, ['volumes']);
      const mountsMap =
        isSeq(volumes) &&
        volumes.items.some((volume) => {
          if (stringAt(volume, ['configMap', 'name']) === configMap) return true;
          const sources = valueAt(volume, ['projected', 'sources']);
          return isSeq(sources) && sources.items.some((source) => stringAt(source, ['configMap', 'name']) === configMap);
        });
      for (const list of ['containers', 'initContainers']) {
        const containers = valueAt(workload.spec, [list]);
        if (!isSeq(containers)) continue;
        for (const container of containers.items) {
          const name = stringAt(container, ['name']) ?? '';
          if (own && list === 'containers' && name === worker.container) continue;
          const env = valueAt(container, ['env']);
          const envFrom = valueAt(container, ['envFrom']);
          const reads =
            mountsMap ||
            (isSeq(env) &&
              env.items.some((item) => stringAt(item, ['valueFrom', 'configMapKeyRef', 'name']) === configMap && stringAt(item, ['valueFrom', 'configMapKeyRef', 'key']) === key)) ||
            (isSeq(envFrom) && envFrom.items.some((item) => stringAt(item, ['configMapRef', 'name']) === configMap));
          if (reads) readers.add(`${workload.kind} ${workload.name} container ${name} (${file})`);
        }
      }
    }
  }
  return [...readers];
}

/** The files of every environment of the same source that reads `file` (where a change to it takes effect). */
export function environmentsReading(file: string, target: ConsumerTarget): DeploymentEnvironment[] {
  const all = target.deployment ?? [target.environment];
  return all.filter((environment) => environment.source === target.environment.source && environment.files.includes(file));
}

/**
 * Whether `file` may be edited for one kustomize overlay: it must belong to that overlay alone (a base, component
 * or generator input other overlays build on is shared), else the refusal says which overlays share it.
 */
export function kustomizeOwnership(file: string, target: ConsumerTarget, context: EditContext): Refusal | undefined {
  const overlays = overlayFiles(context).filter((overlay) => overlay.files.includes(file));
  if (overlays.length === 1) return undefined;
  const named = overlays.length ? `overlays ${overlays.map((overlay) => `\`${overlay.dir}\``).join(', ')}` : 'no single overlay';
  return {
    refused: `the rendered value comes from ${file}, a base or generator shared by ${named}`,
    decide: `whether every overlay should consume the queue; otherwise set the queues in the overlay of ${environmentName(target.environment.name)} alone (a patch, or a configMapGenerator literal with \`behavior: merge\`)`,
  };
}

/** Each overlay (a kustomization no other one references) and the files its build reads, once per fix run. */
const overlayCache = new WeakMap<ProjectFiles, OverlayInputs[]>();

function overlayFiles(context: EditContext): OverlayInputs[] {
  let overlays = overlayCache.get(context.files);
  if (overlays) return overlays;
  try {
    overlays = overlayInputs(context.files.fs, context.root);
  } catch {
    overlays = [];
  }
  overlayCache.set(context.files, overlays);
  return overlays;
}

/** Helm output is rendered: the place that decides a value is the chart, which the project may not even hold. */
export function renderedRefusal(target: ConsumerTarget, where: Location | undefined): Refusal | undefined {
  if (target.environment.source !== 'helm') return undefined;
  return {
    refused: `the manifests of \`${target.environment.name}\` are helm output${where ? ` (${where.file})` : ''}: the value comes from the chart's templates and values`,
    decide: "add the queue in the chart's values (or template) and render again",
  };
}

export const KUBERNETES_SOURCES = new Set(['kubernetes', 'kustomize', 'helm']);
