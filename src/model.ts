import { readFailure } from './fs.js';
import type { Location, UnreadableFile } from './types.js';
import { byCodeUnits } from './order.js';

export type { UnreadableFile };

/**
 * The source-neutral deployment model: every deployment source (src/sources/<id>/) turns its files into
 * environments of services in this shape, and worker detection, the analysis, the report and `check` read
 * only this. Locations are relative to the project root with '/' separators.
 */

/** One entry of a service's effective environment, after the source's own merging and interpolation. */
export interface EnvEntry {
  /** The resolved value; null when declared without a value (taken from the host at run time). */
  value: string | null;
  /** Where the key is set. */
  location: Location;
  /** Variables interpolated into this value that were unset and had no default. */
  unsetVariables: string[];
  /** Set when the entry comes from an env file's `KEY=value` line (`location` is that line) rather than the manifest. */
  fromEnvFile?: boolean;
}

/** The program a service runs: its whole argv (entrypoint and command joined, as the process sees it). */
export interface ServiceCommand {
  argv: string[];
  /** Where the command is written (the command when the source separates it from the entrypoint, else the entrypoint). */
  location: Location;
}

/** The code a service runs, for mapping the paths its command names (in the container) to project files. */
export interface ServiceCode {
  /**
   * Project-relative directories the service's code comes from, most specific first ('' is the project root;
   * a build context, a mount, a checkout dir). A script path is looked up under each. Empty: the service runs
   * none of the project's code (an image built elsewhere, such as `redis:7`).
   */
  roots: string[];
  /** The directory the command runs in, as the service sees it (`working_dir`, `WorkingDirectory=`), when set. */
  workingDir?: string;
}

/** One service (process type, container, unit) of an environment. */
export interface DeploymentService {
  name: string;
  /** Where the service is declared (for compose: the `services.<name>` key in the last file that declares it). */
  location: Location;
  command?: ServiceCommand;
  environment: Record<string, EnvEntry>;
  /** Profiles (or similar opt-in groups) the service belongs to. */
  profiles: string[];
  /** Why the service does not run in this environment (profile not active, zero replicas), or undefined when it runs. */
  inactiveReason?: string;
  /** The replica count when the source sets one. */
  replicas?: number;
  image?: string;
  code: ServiceCode;
}

/** One environment a project deploys to, from one source. */
export interface DeploymentEnvironment {
  name: string;
  /** The id of the source that produced it (`compose`). */
  source: string;
  /** The files it is read from, in merge order, relative to the project root. */
  files: string[];
  /** The profiles active in it. */
  profiles: string[];
  /** Its services, in declaration order. */
  services: DeploymentService[];
}

/** Collects the files (relative to the root) that could not be read while loading sources, scanning code and reading worker scripts. */
export class UnreadableFiles {
  private readonly byFile = new Map<string, string>();

  record(file: string, reason: string): void {
    if (!this.byFile.has(file)) this.byFile.set(file, reason);
  }

  /**
   * Records a failed read: "not a regular file", "larger than N MiB", or the error's code (ENOENT, EACCES, ELOOP,
   * EISDIR …) — never its absolute path.
   */
  recordError(file: string, error: unknown): void {
    this.record(file, readFailure(error));
  }

  get count(): number {
    return this.byFile.size;
  }

  list(): UnreadableFile[] {
    return [...this.byFile].map(([file, reason]) => ({ file, reason })).sort((a, b) => byCodeUnits(a.file, b.file));
  }
}
