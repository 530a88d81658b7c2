import * as path from 'node:path';
import { resolveProducerEnvironments } from './analysis/producer-environments.js';
import { connectionMismatches, type WorkerPrefixes } from './analysis/connections.js';
import { analyzeStatic } from './analysis/static.js';
import { celeryRabbitmqBrokers } from './analysis/celery-broker.js';
import type { ModuleIndex } from './languages/modules.js';
import type { Resolver } from './languages/resolver.js';
import { InputError } from './errors.js';
import { confinedFileSystem, type FileSystem } from './fs.js';
import { UnreadableFiles, type DeploymentEnvironment } from './model.js';
import { FRAMEWORK_QUEUE_VARIABLES } from './frameworks/index.js';
import { scanSources } from './scan/index.js';
import { withCommandCode } from './sources/command-code.js';
import { loadEnvironments, type EnvironmentSpec, type SourceDeclaration } from './sources/index.js';
import type { Finding, StaticSection } from './types.js';
import type { VariableOriginInfo } from './fix/types.js';
import { findConsumers, unreadWorkers } from './workers/index.js';

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
  /** Absolute files the operator named on the command line (`--env-file`): read even outside the project root. */
  operatorFiles?: string[];
  vars?: Record<string, string>;
  shellEnv?: Record<string, string | undefined>;
  /** Queue variables besides the frameworks' own (RQ_QUEUES). */
  queueVariables?: string[];
  includeTests?: boolean;
  ignore?: string[];
  /** Queues the code enqueues to that the scan cannot see (`--queue`): each must have a worker. */
  queues?: string[];
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
  // The one place every static read goes through: nothing outside the project's real root is read.
  const fs = confinedFileSystem(options.fs, options.root, options.operatorFiles);
  const loaded = await withAbsoluteErrorPaths(options.root, () =>
    loadEnvironments(fs, options.root, {
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
    fs,
    root: options.root,
    unreadable,
    ...(options.includeTests ? { includeTests: true } : {}),
    ...(options.ignore ? { ignore: options.ignore } : {}),
    deployedValue: deployedValues(loaded),
  });
  // Which services run the project's code: a set lookup in the walk's files (a shell script: its own check).
  const sourceFiles = new Set(scan.files);
  const environments = withCommandCode(loaded, (relative) => {
    if (sourceFiles.has(relative)) return true;
    if (!relative.endsWith('.sh')) return false;
    const absolute = `${options.root}/${relative}`;
    return fs.exists(absolute) && !fs.isDirectory(absolute);
  });
  const consumers = findConsumers(environments, {
    fs,
    root: options.root,
    queueVariables: [...FRAMEWORK_QUEUE_VARIABLES, ...(options.queueVariables ?? []).filter((name) => !FRAMEWORK_QUEUE_VARIABLES.includes(name))],
    modules: scan.modules,
    sourceFiles: scan.files,
    frameworkData: scan.frameworkData,
    resolver: scan.resolver,
  });
  // Queue names read from the environment, per environment, from the services that run that code.
  const producers = resolveProducerEnvironments(environments, scan.producers, consumers);
  const findings = analyzeStatic(environments, producers, scan.checks, consumers, {
    ...(options.queues?.length ? { declaredQueues: options.queues } : {}),
    ...(scan.configurationFindings.length ? { configurationFindings: scan.configurationFindings } : {}),
    scanned: { files: scan.files.length },
    unreadWorkers: unreadWorkers(environments, consumers),
  });
  findings.push(...connectionMismatches(environments, producers, consumers, workerPrefixReader(scan.modules, scan.resolver), scan.redisEndpoint));
  findings.push(...celeryRabbitmqBrokers(environments, consumers));
  const section: StaticSection = {
      environments: environments.map((environment) => ({
        name: environment.name,
        source: environment.source,
        files: environment.files,
        profiles: environment.profiles,
        services: environment.services.map((service) => service.name).sort(),
      })),
      producers,
      consumers,
      checks: scan.checks,
      ...(unreadable.count > 0 ? { unreadable: { count: unreadable.count, files: unreadable.list() } } : {}),
      durationMs: 0,
  };
  const aligned = await hintsAtFixPlaces(findings, section, environments, { ...options, fs });
  section.durationMs = Math.round(performance.now() - started);
  return { section, findings: aligned, deployment: environments };
}

/**
 * A finding's hint names the place `fix` changes (src/fix/hint-places.ts): loaded only when some queue has no
 * worker, reading the deployment files again through the fix layer's reader (read-only, through the confined file system).
 */
async function hintsAtFixPlaces(findings: Finding[], section: StaticSection, environments: DeploymentEnvironment[], options: StaticOptions): Promise<Finding[]> {
  if (!findings.some((finding) => finding.rule === 'queue-without-worker')) return findings;
  const [{ alignHintsWithFix }, { FileTexts }, { interpolationOrigins }] = await Promise.all([
    import('./fix/hint-places.js'),
    import('./fix/files.js'),
    import('./sources/compose/index.js'),
  ]);
  const origins = interpolationOrigins({
    fs: options.fs,
    root: options.root,
    ...(options.envFiles ? { envFiles: options.envFiles } : {}),
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.shellEnv ? { shellEnv: options.shellEnv } : {}),
  });
  const context = { root: options.root, files: new FileTexts(options.fs, options.root), variableOrigin: (name: string) => origins.get(name) as VariableOriginInfo | undefined };
  return alignHintsWithFix(findings, section, environments, context);
}

/**
 * An environment variable as the deployment's services set it (DJANGO_SETTINGS_MODULE, RAILS_ENV): its value when
 * every service that sets it agrees on one, null when they disagree (one value per environment), undefined when none
 * sets it. A framework's project step reads the project's configuration for that value.
 */
function deployedValues(environments: DeploymentEnvironment[]): (variable: string) => string | null | undefined {
  return (variable) => {
    const values = new Set(environments.flatMap((environment) => environment.services.map((service) => service.environment[variable]?.value ?? undefined)));
    values.delete(undefined);
    return values.size === 1 ? [...values][0]! : values.size > 1 ? null : undefined;
  };
}

/** The BullMQ prefix a worker's script gives `new Worker(…, { prefix })` (`bull` without one), in its service's environment. */
function workerPrefixReader(modules: ModuleIndex, resolver: Resolver): WorkerPrefixes {
  return (consumer, service) => {
    if (!consumer.script) return undefined;
    const worker = modules.factsOf(consumer.script)?.workers?.[0];
    if (!worker) return undefined;
    if (!worker.prefix) return 'bull';
    const prefix = resolver.resolveSymbolic(consumer.script, worker.prefix);
    if (prefix?.kind === 'literal') return prefix.value;
    if (prefix?.kind === 'env') return service.environment[prefix.variable]?.value ?? prefix.fallback ?? undefined;
    return undefined;
  };
}
