import type { DeploymentSource } from '../index.js';

/** Compose files by name: base, override and overlay files (`docker-compose.prod.yml`). */
const COMPOSE_FILE = /^(docker-)?compose(\.[A-Za-z0-9_-]+)?\.ya?ml$/;

/** docker compose files: one environment per base + overlay pair (see environments.ts). */
export const composeSource: DeploymentSource = {
  id: 'compose',
  detect(fs, root) {
    try {
      return fs.readdir(root).some((entry) => COMPOSE_FILE.test(entry.name));
    } catch {
      // An unreadable dir has no compose file to offer; loading it reports the dir itself.
      return false;
    }
  },
  async load(fs, root, options) {
    // The loader (and its YAML parser) is loaded only when a project is read.
    const [{ loadComposeProject }, { composeEnvironment }] = await Promise.all([import('./index.js'), import('./adapter.js')]);
    const project = loadComposeProject({
      fs,
      root,
      ...(options.environments ? { environments: options.environments } : {}),
      ...(options.profiles ? { profiles: options.profiles } : {}),
      ...(options.envFiles ? { envFiles: options.envFiles } : {}),
      ...(options.vars ? { vars: options.vars } : {}),
      ...(options.shellEnv ? { shellEnv: options.shellEnv } : {}),
    });
    return project.environments.map(composeEnvironment);
  },
};
