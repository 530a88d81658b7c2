import * as path from 'node:path';
import { ENVIRONMENT_NAME, isRegularFile, listDir, readDeploymentFile } from '../files.js';
import type { DeploymentSource } from '../source.js';

/** `fly.toml` → `default`; `fly.<name>.toml` (deployed with `fly deploy -c`) → `<name>`. */
const FLY_FILE = /^fly(?:\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*))?\.toml$/;

function flyFiles(fs: Parameters<DeploymentSource['detect']>[0], root: string): { file: string; environment: string }[] {
  return listDir(fs, root)
    .filter((entry) => FLY_FILE.test(entry.name) && isRegularFile(fs, path.posix.join(root, entry.name)))
    .map((entry) => ({ file: entry.name, environment: FLY_FILE.exec(entry.name)![1] ?? 'default' }))
    .sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** fly.toml (Fly.io): `[processes]` and `[env]`. */
export const flySource: DeploymentSource = {
  id: 'fly',
  looksFor: 'fly.toml',
  detect: (fs, root) => flyFiles(fs, root).length > 0,
  async load(fs, root) {
    const { readFlyToml } = await import('./fly.js');
    return flyFiles(fs, root).map(({ file, environment }) => readFlyToml(readDeploymentFile(fs, root, file, 'fly.toml'), file, environment));
  },
  async loadDeclared(fs, root, declaration) {
    const { readFlyToml } = await import('./fly.js');
    const file = path.posix.normalize(declaration.path);
    const fromName = FLY_FILE.exec(path.posix.basename(file))?.[1];
    const environment = declaration.environment ?? (fromName && ENVIRONMENT_NAME.test(fromName) ? fromName : 'default');
    return [readFlyToml(readDeploymentFile(fs, root, file, 'fly.toml'), file, environment)];
  },
};
