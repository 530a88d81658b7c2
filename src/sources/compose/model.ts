import type { FileSystem } from '../../fs.js';
import type { Location } from '../../types.js';

/** A value together with where it is written (file relative to the project root). */
export interface Located<T> {
  value: T;
  location: Location;
}

/** One entry of a service's effective environment (after env_file, environment and interpolation). */
export interface EnvEntry {
  /** The resolved value; null when declared without a value (`- FOO` / `FOO:`), i.e. taken from the host. */
  value: string | null;
  /** Where the key is set: the `environment` entry or the env_file line. */
  location: Location;
  source: 'environment' | 'env_file';
  /** Variables interpolated into this value that were unset and had no default (`${QUEUES}` with QUEUES unset). */
  unsetVariables: string[];
}

/** A service of the merged, interpolated compose model: just what worker detection and analysis need. */
export interface ServiceModel {
  name: string;
  /** The `services.<name>` key in the last file that declares the service. */
  location: Location;
  /** Exec form (array) or shell form (string), as in the merged model. */
  command?: Located<string | string[]>;
  entrypoint?: Located<string | string[]>;
  environment: Record<string, EnvEntry>;
  profiles: string[];
  /** `deploy.replicas` when set. */
  replicas?: number;
  /** `scale` when set. */
  scale?: number;
  image?: string;
  /** `build.context` (or `build` string) resolved to a path relative to the project root, '/' separators. */
  buildContext?: string;
  /** Project paths bind-mounted into the container (`volumes: [./src:/app]`), as written (relative) or root-relative. */
  codeMounts?: string[];
  workingDir?: string;
}

/** One environment: the ordered compose files merged into one model. */
export interface ComposeEnvironment {
  name: string;
  /** Files in merge order, relative to the project root. */
  files: string[];
  profiles: string[];
  services: Record<string, ServiceModel>;
}

/** An environment declared explicitly (`--env NAME=FILE[,FILE…]` or the config file). */
export interface EnvironmentSpec {
  name: string;
  /** Paths relative to the project root (or absolute). */
  files: string[];
  profiles?: string[];
}

export interface ComposeOptions {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  /** Explicit environments; when absent they are detected from the file names in root (docs/CONTRACT.md §4). */
  environments?: EnvironmentSpec[];
  /** Profiles activated in every environment (`--profile`). */
  profiles?: string[];
  /** Extra env files for interpolation (`--env-file`), in order; later ones win. Default: root/.env when present. */
  envFiles?: string[];
  /** `--var K=V`: win over env files. */
  vars?: Record<string, string>;
  /** The shell environment, only with `--shell-env`; wins over env files as in compose. */
  shellEnv?: Record<string, string | undefined>;
}

export interface ComposeProject {
  environments: ComposeEnvironment[];
}
