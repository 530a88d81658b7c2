import * as path from 'node:path';
import { InputError } from '../../errors.js';
import type { FileSystem } from '../../fs.js';
import type { EnvironmentSpec } from './model.js';
import { byCodeUnits } from '../../order.js';

/** Base file names in docker compose's order of preference. */
export const BASE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
/** Override file names in docker compose's order of preference. */
export const OVERRIDE_FILE_NAMES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

/**
 * An overlay file and its environment name: every `compose.<name>.y*ml` / `docker-compose.<name>.y*ml`, dots included
 * (`docker-compose.prod.aws.yml` is environment `prod.aws`). Dot-separated parts keep the pattern linear.
 */
export const OVERLAY_FILE = /^(?:docker-)?compose\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\.ya?ml$/;

/**
 * The environments of a project dir (docs/CONTRACT.md §4): `default` = base + override file; every other
 * `compose.<name>.y*ml` / `docker-compose.<name>.y*ml` = base + that overlay (without the override file).
 * Without a base file, each such file is an environment of its own.
 */
export function detectEnvironments(fs: FileSystem, root: string): EnvironmentSpec[] {
  let entries;
  try {
    entries = fs.readdir(root).filter((entry) => entry.isFile || entry.isSymbolicLink);
  } catch {
    throw new InputError(`${root}: project dir cannot be read`);
  }
  // An overlay whose name is not UTF-8 cannot be opened by name: dropping it would drop an environment silently.
  const undecodable = entries.find((entry) => entry.invalidName !== undefined && /^(?:docker-)?compose\..*\.ya?ml$/.test(entry.name));
  if (undecodable) {
    throw new InputError(`${root}: compose file name ${undecodable.invalidName} is not valid UTF-8; rename it so its environment can be read`);
  }
  const names = entries.map((entry) => entry.name);
  const present = new Set(names);
  const base = BASE_FILE_NAMES.find((name) => present.has(name));
  const override = OVERRIDE_FILE_NAMES.find((name) => present.has(name));
  const environments: EnvironmentSpec[] = base ? [{ name: 'default', files: override ? [base, override] : [base] }] : [];
  // compose.* before docker-compose.*, .yaml before .yml: the first file of a name wins.
  const overlays = names
    .filter((name) => !BASE_FILE_NAMES.includes(name) && !OVERRIDE_FILE_NAMES.includes(name))
    .map((name) => ({ name, environment: OVERLAY_FILE.exec(name)?.[1] }))
    .filter((overlay): overlay is { name: string; environment: string } => overlay.environment !== undefined && overlay.environment !== 'override')
    .sort((a, b) => byCodeUnits(a.environment, b.environment) || preference(a.name) - preference(b.name));
  const seen = new Set(['default']);
  for (const overlay of overlays) {
    if (seen.has(overlay.environment)) continue;
    seen.add(overlay.environment);
    // Without a base file each overlay is deployed on its own (`docker compose -f docker-compose.prod.yml`).
    environments.push({ name: overlay.environment, files: base ? [base, overlay.name] : [overlay.name] });
  }
  if (environments.length === 0) {
    throw new InputError(`${root}: no compose file (${BASE_FILE_NAMES.join(', ')}, or compose.<name>.yaml) in this directory`);
  }
  return environments;
}

function preference(name: string): number {
  return (name.startsWith('docker-') ? 2 : 0) + (name.endsWith('.yml') ? 1 : 0);
}

/** Absolute paths of an environment's files; each must exist. */
export function environmentFiles(fs: FileSystem, root: string, spec: EnvironmentSpec): string[] {
  if (spec.files.length === 0) throw new InputError(`environment \`${spec.name}\` lists no compose file`);
  return spec.files.map((file) => {
    const absolute = path.posix.isAbsolute(file) ? path.posix.normalize(file) : path.posix.join(root, file);
    if (!fs.exists(absolute) || fs.isDirectory(absolute)) {
      throw new InputError(`environment \`${spec.name}\`: compose file ${file} not found`);
    }
    return absolute;
  });
}
