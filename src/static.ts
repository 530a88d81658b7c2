import * as path from 'node:path';
import { analyzeStatic } from './analysis/static.js';
import { InputError } from './errors.js';
import type { FileSystem } from './fs.js';
import { UnreadableFiles, type DeploymentEnvironment } from './model.js';
import { scanSources } from './scan/index.js';
import { loadEnvironments, type EnvironmentSpec, type SourceDeclaration } from './sources/index.js';
import type { Finding, StaticSection } from './types.js';
import { findConsumers } from './workers/index.js';

export interface StaticOptions {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  environments?: EnvironmentSpec[];
  /** Deployment sources declared explicitly (`--source`, config `sources`); with them nothing is discovered. */
  sources?: SourceDeclaration[];
  /** Reads stdin for a source declared as `-`. */
  readStdin?: () => Promise<string>;
  profiles?: string[];
  envFiles?: string[];
  vars?: Record<string, string>;
  shellEnv?: Record<string, string | undefined>;
  /** Queue variables besides RQ_QUEUES. */
  queueVariables?: string[];
  includeTests?: boolean;
  ignore?: string[];
}

export interface StaticResult {
  section: StaticSection;
  findings: Finding[];
  /** The environments as the sources read them (for `fix`, which edits the places they name). */
  deployment: DeploymentEnvironment[];
}

/** Input errors of the loader carry root-relative files; make them absolute so the CLI can show them from the cwd. */
async function withAbsoluteErrorPaths<T>(root: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    // `<stdin>` names no file.
    if (error instanceof InputError && error.location && !path.isAbsolute(error.location.file) && !error.location.file.startsWith('<')) {
      throw new InputError(error.message, { ...error.location, file: path.join(root, error.location.file) });
    }
    throw error;
  }
}

/**
 * The static stage's entry, the one place it does I/O (through the injected FileSystem): deployment sources →
 * environments, source files → producers and checks, services → consumers (worker scripts read with the scanner's
 * modules), then the pure analysis. No network.
 */
export async function runStatic(options: StaticOptions): Promise<StaticResult> {
  const started = performance.now();
  const environments = await withAbsoluteErrorPaths(options.root, () =>
    loadEnvironments(options.fs, options.root, {
      ...(options.environments ? { environments: options.environments } : {}),
      ...(options.sources?.length ? { declared: options.sources } : {}),
      ...(options.readStdin ? { readStdin: options.readStdin } : {}),
      ...(options.profiles ? { profiles: options.profiles } : {}),
      ...(options.envFiles ? { envFiles: options.envFiles } : {}),
      ...(options.vars ? { vars: options.vars } : {}),
      ...(options.shellEnv ? { shellEnv: options.shellEnv } : {}),
    }),
  );
  const unreadable = new UnreadableFiles();
  const scan = scanSources({
    fs: options.fs,
    root: options.root,
    unreadable,
    ...(options.includeTests ? { includeTests: true } : {}),
    ...(options.ignore ? { ignore: options.ignore } : {}),
  });
  const consumers = findConsumers(environments, {
    fs: options.fs,
    root: options.root,
    queueVariables: ['RQ_QUEUES', ...(options.queueVariables ?? []).filter((name) => name !== 'RQ_QUEUES')],
    modules: scan.modules,
    sourceFiles: scan.files,
  });
  const findings = analyzeStatic(environments, scan.producers, scan.checks, consumers);
  return {
    section: {
      environments: environments.map((environment) => ({
        name: environment.name,
        source: environment.source,
        files: environment.files,
        profiles: environment.profiles,
        services: environment.services.map((service) => service.name).sort(),
      })),
      producers: scan.producers,
      consumers,
      checks: scan.checks,
      ...(unreadable.count > 0 ? { unreadable: { count: unreadable.count, files: unreadable.list() } } : {}),
      durationMs: Math.round(performance.now() - started),
    },
    findings,
    deployment: environments,
  };
}
