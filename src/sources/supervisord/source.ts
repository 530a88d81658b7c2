import * as path from 'node:path';
import { isRegularFile, listDir, presentDirs, SERVICE_DIRS } from '../files.js';
import type { DeploymentSource } from '../source.js';

/** supervisord: `supervisord.conf` (root or conventional dirs), `conf.d/*.conf` with `[program:x]`: the environment `default`. */
export const supervisordSource: DeploymentSource = {
  id: 'supervisord',
  looksFor: 'supervisord.conf, conf.d/*.conf',
  detect: (fs, root) =>
    listDir(fs, root).some((entry) => entry.name === 'supervisord.conf' && isRegularFile(fs, path.posix.join(root, entry.name))) ||
    presentDirs(fs, root, SERVICE_DIRS).length > 0,
  async load(fs, root) {
    const { discoverSupervisord } = await import('./discover.js');
    return discoverSupervisord(fs, root);
  },
  async loadDeclared(fs, root, declaration) {
    const { declaredSupervisord } = await import('./discover.js');
    return [declaredSupervisord(fs, root, path.posix.normalize(declaration.path).replace(/\/$/, '') || '.', declaration.environment ?? 'default')];
  },
};
