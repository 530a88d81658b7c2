import type { FileSystem } from '../fs.js';
import type { DeploymentEnvironment } from '../model.js';
import type { EnvironmentSpec } from './compose/model.js';
import { composeSource } from './compose/source.js';

/** An environment declared explicitly (`--env NAME=FILE[,FILE…]` or the config file): a list of compose files today. */
export type { EnvironmentSpec };

/** What the user said about environments; each source takes what applies to it. */
export interface SourceOptions {
  /** Explicit environments (compose file lists today); when absent each source finds its own. */
  environments?: EnvironmentSpec[];
  /** Profiles activated in every environment (`--profile`). */
  profiles?: string[];
  /** Interpolation variables from these files instead of root/.env (`--env-file`), in order; later ones win. */
  envFiles?: string[];
  /** `--var K=V`: win over env files. */
  vars?: Record<string, string>;
  /** The shell environment, only with `--shell-env`. */
  shellEnv?: Record<string, string | undefined>;
}

/**
 * A deployment source: where environments come from. `detect` is cheap (a readdir, no parsing, nothing heavy
 * imported); `load` reads the files (importing its parser lazily) and returns source-neutral environments, or
 * throws InputError with a location for a bad file.
 */
export interface DeploymentSource {
  id: string;
  detect(fs: FileSystem, root: string): boolean;
  load(fs: FileSystem, root: string, options: SourceOptions): Promise<DeploymentEnvironment[]>;
}

/** The registry: adding a source is its folder plus one line here. The first one is the default. */
export const SOURCES: readonly DeploymentSource[] = [composeSource];

/** Whether a dir holds the files of some deployment source. */
export function hasDeploymentFiles(fs: FileSystem, root: string): boolean {
  return SOURCES.some((source) => source.detect(fs, root));
}

/**
 * Every environment of the project, from every source found in it. With none found (or explicit environments
 * only), the default source loads, so its own error names what is missing.
 */
export async function loadEnvironments(fs: FileSystem, root: string, options: SourceOptions): Promise<DeploymentEnvironment[]> {
  const found = SOURCES.filter((source) => source.detect(fs, root));
  const sources = found.length > 0 ? found : SOURCES.slice(0, 1);
  const environments: DeploymentEnvironment[] = [];
  for (const source of sources) environments.push(...(await source.load(fs, root, options)));
  return environments;
}
