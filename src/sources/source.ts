import type { FileSystem } from '../fs.js';
import type { DeploymentEnvironment } from '../model.js';
import type { EnvironmentSpec } from './compose/model.js';

/*
 * What a deployment source is, and what it is told: the interface each `<id>/source.ts` implements. The registry
 * that lists them is index.ts; apart from it, so a source never imports the registry it is listed in.
 */

/** An environment declared explicitly (`--env NAME=FILE[,FILE…]` or the config file): a list of compose files. */
export type { EnvironmentSpec };

/**
 * A deployment source declared explicitly (`--source KIND[:ENV]=PATH`, or `sources:` in the config file): which
 * source reads which file or dir, and optionally the environment it makes. `-` is stdin (helm).
 */
export interface SourceDeclaration {
  source: string;
  path: string;
  environment?: string;
}

/** What the user said about environments; each source takes what applies to it. */
export interface SourceOptions {
  /** Explicit compose environments (file lists); with them (or `declared`) nothing is discovered. */
  environments?: EnvironmentSpec[];
  /** Explicitly declared sources; with them (or `environments`) nothing is discovered. */
  declared?: SourceDeclaration[];
  /** Reads stdin, for a declaration whose path is `-` (the CLI's; absent in tests that do not need it). */
  readStdin?: () => Promise<string>;
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
 * A deployment source: where environments come from. `detect` is cheap (readdirs, no parsing, nothing heavy
 * imported); `load` reads the files it finds (importing its parser lazily) and returns source-neutral environments,
 * or throws InputError with a location for a bad file; `loadDeclared` reads one explicitly declared file or dir.
 */
export interface DeploymentSource {
  id: string;
  /** What discovery looks for, for the message of a dir that holds no deployment files. */
  looksFor: string;
  detect(fs: FileSystem, root: string): boolean;
  load(fs: FileSystem, root: string, options: SourceOptions): Promise<DeploymentEnvironment[]>;
  loadDeclared(fs: FileSystem, root: string, declaration: SourceDeclaration, options: SourceOptions): Promise<DeploymentEnvironment[]>;
}
