import * as path from 'node:path';
import type { FileSystem } from '../../fs.js';
import type { DeploymentEnvironment, DeploymentService } from '../../model.js';
import { absoluteIn, readDeploymentFile, SERVICE_DIRS, walkFiles } from '../files.js';
import { readUnit } from './unit.js';

const isUnit = (file: string) => file.endsWith('.service') && !file.split('/').some((part) => part.endsWith('.service.d'));

function environment(fs: FileSystem, root: string, files: string[], name: string): DeploymentEnvironment {
  const services: DeploymentService[] = [];
  for (const file of files) {
    const service = readUnit(fs, root, file, readDeploymentFile(fs, root, file, 'systemd unit'));
    if (service) services.push(service);
  }
  return { name, source: 'systemd', files, profiles: [], services };
}

/** Units in the root and under the conventional dirs (`deploy/`, `etc/`, `systemd/` …): the environment `default`. */
export function discoverUnits(fs: FileSystem, root: string): DeploymentEnvironment[] {
  const files = [...walkFiles(fs, root, ['.'], { skipDir: (dir) => dir !== '.' }), ...walkFiles(fs, root, SERVICE_DIRS)].filter(isUnit);
  return files.length > 0 ? [environment(fs, root, files, 'default')] : [];
}

/** A declared unit file, or a dir of them. */
export function declaredUnits(fs: FileSystem, root: string, relative: string, name: string): DeploymentEnvironment {
  const files = fs.isDirectory(absoluteIn(root, relative)) ? walkFiles(fs, root, [relative]).filter(isUnit) : [path.posix.normalize(relative)];
  return environment(fs, root, files, name);
}
