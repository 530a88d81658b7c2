import { isRegularFile, listDir, presentDirs, SERVICE_DIRS } from '../files.js';
import type { DeploymentSource } from '../source.js';
import * as path from 'node:path';

/** systemd service units (`*.service`) in the root and the conventional dirs: together, the environment `default`. */
export const systemdSource: DeploymentSource = {
  id: 'systemd',
  looksFor: '*.service units',
  detect: (fs, root) =>
    listDir(fs, root).some((entry) => entry.name.endsWith('.service') && isRegularFile(fs, path.posix.join(root, entry.name))) ||
    presentDirs(fs, root, SERVICE_DIRS).length > 0,
  async load(fs, root) {
    const { discoverUnits } = await import('./discover.js');
    return discoverUnits(fs, root);
  },
  async loadDeclared(fs, root, declaration) {
    const { declaredUnits } = await import('./discover.js');
    return [declaredUnits(fs, root, path.posix.normalize(declaration.path).replace(/\/$/, '') || '.', declaration.environment ?? 'default')];
  },
};
