import * as path from 'node:path';
import { isRegularFile, KUBERNETES_DIRS, presentDirs } from '../files.js';
import type { DeploymentSource } from '../source.js';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Environment names of overlay dirs: `overlays/prod` → `prod`, the root → `default`; clashing names keep their path. */
function overlayNames(dirs: string[]): Map<string, string> {
  const base = (dir: string) => (dir === '.' ? 'default' : path.posix.basename(dir));
  const counts = new Map<string, number>();
  for (const dir of dirs) counts.set(base(dir), (counts.get(base(dir)) ?? 0) + 1);
  return new Map(dirs.map((dir) => [dir, counts.get(base(dir))! > 1 ? dir : base(dir)]));
}

/** kustomize overlays, rendered by `kubectl kustomize`: each kustomization no other one references is an environment. */
export const kustomizeSource: DeploymentSource = {
  id: 'kustomize',
  looksFor: 'kustomization.yaml (rendered with kubectl kustomize)',
  detect: (fs, root) =>
    KUSTOMIZATION_NAMES.some((name) => isRegularFile(fs, path.posix.join(root, name))) || presentDirs(fs, root, KUBERNETES_DIRS).length > 0,
  async load(fs, root) {
    const [{ kustomizeGraph }, { renderOverlay }] = await Promise.all([import('./graph.js'), import('./render.js')]);
    const graph = kustomizeGraph(fs, root);
    const names = overlayNames(graph.roots);
    const environments = [];
    for (const dir of graph.roots) environments.push(await renderOverlay(fs, root, graph, dir, names.get(dir)!));
    return environments;
  },
  async loadDeclared(fs, root, declaration) {
    const [{ kustomizeGraph }, { renderOverlay }] = await Promise.all([import('./graph.js'), import('./render.js')]);
    let dir = path.posix.normalize(declaration.path).replace(/\/$/, '') || '.';
    if (KUSTOMIZATION_NAMES.includes(path.posix.basename(dir))) dir = path.posix.dirname(dir);
    const graph = kustomizeGraph(fs, root, [dir]);
    return [await renderOverlay(fs, root, graph, dir, declaration.environment ?? overlayNames([dir]).get(dir)!)];
  },
};
