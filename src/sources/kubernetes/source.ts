import * as path from 'node:path';
import { KUBERNETES_DIRS, presentDirs } from '../files.js';
import type { DeploymentSource } from '../source.js';

/** Plain Kubernetes manifests (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, ReplicaSet). */
export const kubernetesSource: DeploymentSource = {
  id: 'kubernetes',
  looksFor: 'Kubernetes manifests in k8s/, deploy/, manifests/ (…)',
  // Cheap: one readdir of the root; the trees are walked and their files read by `load`.
  detect: (fs, root) => presentDirs(fs, root, KUBERNETES_DIRS).length > 0,
  async load(fs, root) {
    const { discoverManifests } = await import('./discover.js');
    return discoverManifests(fs, root);
  },
  async loadDeclared(fs, root, declaration) {
    const { declaredManifests } = await import('./discover.js');
    const relative = path.posix.normalize(declaration.path).replace(/\/$/, '') || '.';
    return [declaredManifests(fs, root, relative, declaration.environment ?? 'default', 'kubernetes')];
  },
};

