import * as path from 'node:path';
import type { FileSystem } from '../../fs.js';
import type { DeploymentEnvironment, DeploymentService } from '../../model.js';
import { absoluteIn, readDeploymentFile, SERVICE_DIRS, walkFiles } from '../files.js';
import { includedFiles, readPrograms } from './conf.js';

const PROGRAM_SECTION = /^\s*\[(?:fcgi-)?program:/m;

/** The files of a set, with the files their `[include]` sections name (once each, bounded). */
function withIncludes(fs: FileSystem, root: string, files: string[]): { file: string; text: string }[] {
  const read: { file: string; text: string }[] = [];
  const seen = new Set<string>();
  const queue = [...files];
  while (queue.length > 0 && read.length < 1000) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readDeploymentFile(fs, root, file, 'supervisord config');
    read.push({ file, text });
    queue.push(...includedFiles(fs, root, text, file));
  }
  return read;
}

function environment(fs: FileSystem, root: string, files: string[], name: string): DeploymentEnvironment {
  const services: DeploymentService[] = [];
  const read = withIncludes(fs, root, files).filter(({ text }) => PROGRAM_SECTION.test(text));
  for (const { file, text } of read) {
    for (const service of readPrograms(text, file)) {
      // A later section of the same name replaces an earlier one.
      const index = services.findIndex((other) => other.name === service.name);
      if (index !== -1) services.splice(index, 1);
      services.push(service);
    }
  }
  return { name, source: 'supervisord', files: read.map(({ file }) => file), profiles: [], services };
}

const isMainConf = (file: string) => path.posix.basename(file) === 'supervisord.conf';
const isProgramConf = (file: string) => /\.(conf|ini)$/.test(file) && file.split('/').some((part) => part === 'conf.d' || part.startsWith('supervisor'));

/** supervisord.conf in the root or the conventional dirs, and program files in `conf.d`/`supervisor*` dirs. */
export function discoverSupervisord(fs: FileSystem, root: string): DeploymentEnvironment[] {
  const files = [...walkFiles(fs, root, ['.'], { skipDir: (dir) => dir !== '.' }), ...walkFiles(fs, root, SERVICE_DIRS)].filter(
    (file) => isMainConf(file) || isProgramConf(file),
  );
  if (files.length === 0) return [];
  const found = environment(fs, root, files, 'default');
  return found.services.length > 0 ? [found] : [];
}

/** A declared supervisord config file (with its includes), or a dir of program files. */
export function declaredSupervisord(fs: FileSystem, root: string, relative: string, name: string): DeploymentEnvironment {
  const files = fs.isDirectory(absoluteIn(root, relative)) ? walkFiles(fs, root, [relative]).filter((file) => /\.(conf|ini)$/.test(file)) : [relative];
  return environment(fs, root, files, name);
}
