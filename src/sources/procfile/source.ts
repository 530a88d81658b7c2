import * as path from 'node:path';
import type { DeploymentSource } from '../source.js';
import { ENVIRONMENT_NAME, isRegularFile, listDir, readDeploymentFile } from '../files.js';

/** `Procfile` → `default`, `Procfile.<name>` → `<name>`. */
const PROCFILE = /^Procfile(?:\.([A-Za-z0-9_.-]+))?$/;

function procfiles(fs: Parameters<DeploymentSource['detect']>[0], root: string): { file: string; environment: string }[] {
  return listDir(fs, root)
    .filter((entry) => PROCFILE.test(entry.name) && (entry.isFile || (entry.isSymbolicLink && isRegularFile(fs, path.posix.join(root, entry.name)))))
    .map((entry) => ({ file: entry.name, environment: PROCFILE.exec(entry.name)![1] ?? 'default' }))
    .sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** Procfiles (Heroku, foreman, honcho) in the project root. */
export const procfileSource: DeploymentSource = {
  id: 'procfile',
  looksFor: 'Procfile, Procfile.<name>',
  detect: (fs, root) => procfiles(fs, root).length > 0,
  async load(fs, root) {
    const { readProcfile } = await import('./procfile.js');
    return procfiles(fs, root).map(({ file, environment }) => readProcfile(readDeploymentFile(fs, root, file, 'Procfile'), file, environment));
  },
  async loadDeclared(fs, root, declaration) {
    const { readProcfile } = await import('./procfile.js');
    const file = path.posix.normalize(declaration.path);
    const fromName = PROCFILE.exec(path.posix.basename(file))?.[1];
    const environment = declaration.environment ?? (fromName && ENVIRONMENT_NAME.test(fromName) ? fromName : 'default');
    return [readProcfile(readDeploymentFile(fs, root, file, 'Procfile'), file, environment)];
  },
};
