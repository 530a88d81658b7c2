import * as path from 'node:path';
import type { FileSystem } from '../../fs.js';
import type { DeploymentEnvironment } from '../../model.js';
import { KUBERNETES_DIRS, readDeploymentFile, walkFiles } from '../files.js';
import { kustomizeGraph } from '../kustomize/graph.js';
import { manifestEnvironment, parseManifests, type KubeObject } from './manifests.js';

/** Names of dirs that mean an environment (`k8s/prod/`), besides dirs that repeat one another's workloads. */
const ENVIRONMENT_WORDS = new Set([
  'prod', 'production', 'staging', 'stage', 'stg', 'dev', 'development', 'test', 'testing', 'qa', 'uat', 'preview',
  'sandbox', 'demo', 'local', 'live', 'canary', 'beta', 'preprod', 'pre-prod', 'integration', 'perf', 'default',
]);

const YAML_FILE = /\.ya?ml$/;
/** A Kubernetes object has `apiVersion` and `kind` at the top level of some document. */
const looksLikeManifest = (text: string) => /^apiVersion\s*:/m.test(text) && /^kind\s*:/m.test(text);

/** YAML files under the conventional dirs, skipping Helm charts (templates are not YAML until rendered). */
export function manifestCandidates(fs: FileSystem, root: string): string[] {
  return walkFiles(fs, root, KUBERNETES_DIRS, { skipDir: (_dir, entries) => entries.some((entry) => entry.name === 'Chart.yaml') }).filter((file) =>
    YAML_FILE.test(file),
  );
}

/**
 * Plain manifests in the conventional dirs that no kustomization claims: one environment `default`, or one per
 * directory when they sit in per-environment directories (`k8s/prod/` → `prod`): dirs named like environments, or
 * sibling dirs that declare the same workloads. Files next to such dirs are shared by all of them.
 */
export function discoverManifests(fs: FileSystem, root: string): DeploymentEnvironment[] {
  const candidates = manifestCandidates(fs, root);
  if (candidates.length === 0) return [];
  const graph = kustomizeGraph(fs, root);
  const kustomizeDirs = [...graph.kustomizations.keys()];
  const inKustomizeDir = (file: string) => kustomizeDirs.some((dir) => dir !== '.' && (path.posix.dirname(file) === dir || file.startsWith(`${dir}/`)));
  const groups = new Map<string, { files: string[]; objects: KubeObject[] }>();
  for (const file of candidates) {
    if (graph.claimed.has(file) || inKustomizeDir(file)) continue;
    const text = readDeploymentFile(fs, root, file, 'Kubernetes manifest');
    if (!looksLikeManifest(text)) continue;
    const objects = parseManifests(text, file);
    if (objects.length === 0) continue;
    const parts = file.split('/');
    const key = parts.length > 2 ? parts[1]! : '';
    const group = groups.get(key) ?? { files: [], objects: [] };
    group.files.push(file);
    group.objects.push(...objects);
    groups.set(key, group);
  }
  if (groups.size === 0) return [];
  const subdirs = [...groups.keys()].filter((key) => key !== '');
  const workloads = (key: string) => new Set(groups.get(key)!.objects.map((object) => `${object.kind}/${object.name}`));
  const repeated = subdirs.some((a, i) => subdirs.slice(i + 1).some((b) => [...workloads(a)].some((workload) => workloads(b).has(workload))));
  const perEnvironment = subdirs.length > 0 && (subdirs.every((key) => ENVIRONMENT_WORDS.has(key.toLowerCase())) || repeated);
  const shared = groups.get('') ?? { files: [], objects: [] };
  if (!perEnvironment) {
    const all = [...groups.values()];
    return [manifestEnvironment('default', 'kubernetes', all.flatMap((group) => group.files), all.flatMap((group) => group.objects)).environment];
  }
  return subdirs
    .sort()
    .map((key) => manifestEnvironment(key, 'kubernetes', [...shared.files, ...groups.get(key)!.files], [...shared.objects, ...groups.get(key)!.objects]).environment);
}

/** A declared file or dir of manifests: one environment (`default` unless named). */
export function declaredManifests(fs: FileSystem, root: string, relative: string, name: string, source: string): DeploymentEnvironment {
  const absolute = relative === '.' ? root : path.posix.join(root, relative);
  const files = fs.isDirectory(absolute) ? walkFiles(fs, root, [relative]).filter((file) => YAML_FILE.test(file)) : [relative];
  const objects = files.flatMap((file) => parseManifests(readDeploymentFile(fs, root, file, 'Kubernetes manifest'), file));
  return manifestEnvironment(name, source, files, objects).environment;
}
