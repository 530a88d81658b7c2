import * as path from 'node:path';
import { InputError } from '../../errors.js';
import type { FileSystem } from '../../fs.js';
import type { DeploymentEnvironment } from '../../model.js';
import type { DeploymentSource, SourceOptions } from '../source.js';
import { OVERLAY_FILE } from './environments.js';
import type { EnvironmentSpec } from './model.js';

/** Compose files by name: base, override and overlay files (`docker-compose.prod.yml`). */
const BASE_FILE = /^(?:docker-)?compose\.ya?ml$/;
const isComposeFile = (name: string) => BASE_FILE.test(name) || OVERLAY_FILE.test(name);

async function loadCompose(fs: FileSystem, root: string, options: SourceOptions, environments?: EnvironmentSpec[]): Promise<DeploymentEnvironment[]> {
  // The loader (and its YAML parser) is loaded only when a project is read.
  const [{ loadComposeProject }, { composeEnvironment }] = await Promise.all([import('./index.js'), import('./adapter.js')]);
  const specs = environments ?? options.environments;
  const project = loadComposeProject({
    fs,
    root,
    ...(specs ? { environments: specs } : {}),
    ...(options.profiles ? { profiles: options.profiles } : {}),
    ...(options.envFiles ? { envFiles: options.envFiles } : {}),
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.shellEnv ? { shellEnv: options.shellEnv } : {}),
  });
  return project.environments.map(composeEnvironment);
}

/** docker compose files: one environment per base + overlay pair (see environments.ts). */
export const composeSource: DeploymentSource = {
  id: 'compose',
  looksFor: 'compose.yaml, docker-compose.yml or compose.<name>.yaml',
  detect(fs, root) {
    try {
      return fs.readdir(root).some((entry) => isComposeFile(entry.name));
    } catch {
      // An unreadable dir has no compose file to offer; loading it reports the dir itself.
      return false;
    }
  },
  load: (fs, root, options) => loadCompose(fs, root, options),
  /** A compose file is one environment (named by `compose.<name>.yaml`, else `default`); a dir, the environments found in it. */
  async loadDeclared(fs, root, declaration, options) {
    const relative = path.posix.normalize(declaration.path).replace(/\/$/, '') || '.';
    const absolute = path.posix.isAbsolute(relative) ? relative : path.posix.join(root, relative);
    if (fs.isDirectory(absolute)) {
      const { detectEnvironments } = await import('./environments.js');
      const specs = detectEnvironments(fs, absolute).map((spec) => ({
        ...spec,
        files: spec.files.map((file) => (relative === '.' ? file : `${relative}/${file}`)),
      }));
      if (declaration.environment) {
        if (specs.length > 1) throw new InputError(`--source compose:${declaration.environment}=${declaration.path}: the dir holds ${specs.length} environments; declare one file`);
        specs[0]!.name = declaration.environment;
      }
      return loadCompose(fs, root, options, specs);
    }
    const name = declaration.environment ?? OVERLAY_FILE.exec(path.posix.basename(relative))?.[1] ?? 'default';
    return loadCompose(fs, root, options, [{ name, files: [relative] }]);
  },
};
