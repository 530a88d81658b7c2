import { InputError } from '../errors.js';
import type { FileSystem } from '../fs.js';
import type { DeploymentEnvironment } from '../model.js';
import { composeSource } from './compose/source.js';
import { flySource } from './fly/source.js';
import { helmSource } from './helm/source.js';
import { kubernetesSource } from './kubernetes/source.js';
import { kustomizeSource } from './kustomize/source.js';
import { procfileSource } from './procfile/source.js';
import { supervisordSource } from './supervisord/source.js';
import { systemdSource } from './systemd/source.js';
import type { DeploymentSource, EnvironmentSpec, SourceDeclaration, SourceOptions } from './source.js';

export { matchEnvironmentName } from './environment-name.js';

export type { DeploymentSource, EnvironmentSpec, SourceDeclaration, SourceOptions };

/** The registry: adding a source is its folder plus one line here. */
export const SOURCES: readonly DeploymentSource[] = [
  composeSource,
  kustomizeSource,
  kubernetesSource,
  helmSource,
  procfileSource,
  systemdSource,
  supervisordSource,
  flySource,
];

/** Other names a source may be declared by. */
const SOURCE_ALIASES: Record<string, string> = { k8s: 'kubernetes', manifests: 'kubernetes', supervisor: 'supervisord', 'fly.toml': 'fly' };

/** Every name a declaration may use, on the command line or in the config file: the ids in registry order, then the aliases. */
export const SOURCE_NAMES: readonly string[] = [...SOURCES.map((source) => source.id), ...Object.keys(SOURCE_ALIASES)];

/** The source a declaration names; an unknown one is an input error listing the known ones. */
export function sourceById(id: string): DeploymentSource {
  const wanted = SOURCE_ALIASES[id] ?? id;
  const source = SOURCES.find((candidate) => candidate.id === wanted);
  if (!source) throw new InputError(`unknown deployment source \`${id}\` (known: ${SOURCES.map((known) => known.id).join(', ')})`);
  return source;
}

/** Whether a dir holds the files of some deployment source. */
export function hasDeploymentFiles(fs: FileSystem, root: string): boolean {
  return SOURCES.some((source) => source.detect(fs, root));
}

/** What discovery looks for, in one line (for "no deployment files" messages). */
export function describeDiscovery(): string {
  return SOURCES.map((source) => source.looksFor).filter(Boolean).join('; ');
}

/**
 * Every environment of the project: from the declared sources and compose environments when there are any, else
 * from every source found in it. When more than one kind of source made environments, names carry the source as a
 * prefix (`compose:prod`, `kustomize:prod`); two environments of one name are an input error.
 */
export async function loadEnvironments(fs: FileSystem, root: string, options: SourceOptions): Promise<DeploymentEnvironment[]> {
  const environments: DeploymentEnvironment[] = [];
  if (options.environments !== undefined || (options.declared?.length ?? 0) > 0) {
    if (options.environments !== undefined) environments.push(...(await composeSource.load(fs, root, options)));
    for (const declaration of options.declared ?? []) {
      environments.push(...(await sourceById(declaration.source).loadDeclared(fs, root, declaration, options)));
    }
  } else {
    const found = SOURCES.filter((source) => source.detect(fs, root));
    for (const source of found) environments.push(...(await source.load(fs, root, options)));
    if (environments.length === 0) throw new InputError(`${root}: no deployment files (looked for ${describeDiscovery()})`);
  }
  return qualifyNames(environments);
}

function qualifyNames(environments: DeploymentEnvironment[]): DeploymentEnvironment[] {
  const kinds = new Set(environments.map((environment) => environment.source));
  const named = kinds.size > 1 ? environments.map((environment) => ({ ...environment, name: `${environment.source}:${environment.name}` })) : environments;
  const seen = new Map<string, DeploymentEnvironment>();
  for (const environment of named) {
    const other = seen.get(environment.name);
    if (other) {
      throw new InputError(
        `two environments are named \`${environment.name}\` (${other.files.join(' + ') || other.source} and ${environment.files.join(' + ') || environment.source}); ` +
          'name them apart, e.g. --source KIND:NAME=PATH',
      );
    }
    seen.set(environment.name, environment);
  }
  return named;
}
