import * as path from 'node:path';
import type { CeleryProject } from '../frameworks/celery/python.js';
import type { FileSystem } from '../fs.js';
import { languageById, type LanguageId, type WorkerScriptReading } from '../languages/index.js';
import { ModuleIndex } from '../languages/modules.js';
import { Resolver } from '../languages/resolver.js';
import { UnreadableFiles, type DeploymentEnvironment, type DeploymentService, type EnvEntry } from '../model.js';
import type { Consumer, Location, QueueSource } from '../types.js';
import { splitQueueList } from '../languages/queue-list.js';
import { analyzeArgv, type ProgramResult } from './command.js';
import type { ProjectCode } from './programs/program.js';
import { NestingTooDeepError } from '../languages/facts.js';

export { splitQueueList };

export interface WorkerContext {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  /** Queue variables to honour; `RQ_QUEUES` plus any `--queue-var`. */
  queueVariables: string[];
  /**
   * The project's modules as the scanner read them: worker scripts are read through the same analyzers, cache, caps
   * and unreadable-file record. A fresh index over `fs` and `root` when absent.
   */
  modules?: ModuleIndex;
  /** The project's source files (root-relative), where a program's override by the application is looked for. */
  sourceFiles?: readonly string[];
  /** The project's Celery app configuration (a `celery worker` without `-Q` consumes its default queue). */
  celery?: CeleryProject;
}

/** What makes a service a worker and which queues it consumes. */
export interface WorkerDetection {
  queues: string[];
  queueSource: QueueSource;
  /** The queue variable, when the queues come from one (set, or unset with a code default). */
  variable?: string;
  /** Where the queue list is written (env entry, command, or the code default in the worker script). */
  location?: Location;
  /** How it was recognised: `rq worker`, `manage.py rqworker`, `celery worker`, `RQ_QUEUES`, `python -m server.worker`, … */
  detectedBy: string;
  /** Unset variables with no default interpolated into the queue variable (queue-var-unset). */
  unsetVariables?: string[];
  /** The project file of the worker script it runs, when found. */
  script?: string;
  /** Celery, in a project with several apps: the app `-A` loads. */
  celeryApp?: string;
}

/** Decides whether a service is a worker and which queues it listens to; null when it is not a worker. */
export function detectWorker(service: DeploymentService, context: WorkerContext): WorkerDetection | null {
  const setVariable = (name: string): EnvEntry | undefined => {
    const entry = service.environment[name];
    return entry && entry.value !== null ? entry : undefined;
  };
  const fromEnvironment = (variable: string, detectedBy: string): WorkerDetection => {
    const entry = setVariable(variable)!;
    const detection: WorkerDetection = {
      queues: splitQueueList(entry.value!),
      queueSource: 'environment',
      variable,
      location: entry.location,
      detectedBy,
    };
    if (entry.unsetVariables.length) detection.unsetVariables = [...entry.unsetVariables];
    return detection;
  };
  const envQueueVariable = context.queueVariables.find((name) => setVariable(name) !== undefined);

  const argv = (service.command?.argv ?? []).map((word) => ({ value: word, variables: [] }));
  const env = (name: string) => service.environment[name]?.value ?? undefined;
  const program = argv.length ? analyzeArgv(argv, env) : null;
  const commandLocation = service.command?.location;

  if (program?.kind === 'queues') {
    const detected = detectQueues(program);
    const app = program.celeryApp !== undefined && context.celery && context.celery.apps.length > 1 ? context.celery.find(program.celeryApp)?.label : undefined;
    return app ? { ...detected, celeryApp: app } : detected;
  }
  return detectScriptWorker();

  function detectQueues(program: Extract<ProgramResult, { kind: 'queues' }>): WorkerDetection {
    // The application's own command may change the program's default (a Django app's `rqworker`).
    const overridden = program.projectDefault && context.sourceFiles ? program.projectDefault(projectCode(context)) : undefined;
    if (overridden) {
      return { queues: overridden.queues, queueSource: 'code-default', location: overridden.location, detectedBy: overridden.detectedBy };
    }
    if (program.fromVariable && setVariable(program.fromVariable)) {
      const entry = setVariable(program.fromVariable)!;
      const detection: WorkerDetection = {
        queues: program.queues,
        queueSource: 'environment',
        variable: program.fromVariable,
        location: entry.location,
        detectedBy: program.detectedBy,
      };
      if (entry.unsetVariables.length) detection.unsetVariables = [...entry.unsetVariables];
      return detection;
    }
    return {
      queues: program.queues,
      queueSource: program.programDefault ? 'program-default' : 'command',
      ...(commandLocation ? { location: commandLocation } : {}),
      detectedBy: program.detectedBy,
    };
  }

  function detectScriptWorker(): WorkerDetection | null {
    if (program?.kind === 'script') {
      const modules = context.modules ?? new ModuleIndex(context.fs, context.root, new UnreadableFiles());
      const script = locateScript(program, service, modules);
      const reading = script ? readWorkerScript(script, program.language, modules, context.queueVariables) : undefined;
      if (reading?.variable) {
        if (setVariable(reading.variable)) return { ...fromEnvironment(reading.variable, program.detectedBy), script: script! };
        const detection: WorkerDetection = {
          queues: reading.defaultQueues ?? [],
          queueSource: 'code-default',
          variable: reading.variable,
          detectedBy: program.detectedBy,
          script: script!,
        };
        if (reading.location) detection.location = reading.location;
        if (!reading.defaultQueues) detection.unsetVariables = [reading.variable];
        return detection;
      }
      if (reading?.hardcoded) {
        return {
          queues: reading.hardcoded,
          queueSource: 'code-default',
          ...(reading.location ? { location: reading.location } : {}),
          detectedBy: program.detectedBy,
          script: script!,
        };
      }
    }
    if (envQueueVariable) return fromEnvironment(envQueueVariable, envQueueVariable);
    return null;
  }
}

/** Every worker service of every environment and the queues it consumes there; inactive ones say why (from the source). */
export function findConsumers(environments: DeploymentEnvironment[], context: WorkerContext): Consumer[] {
  const consumers: Consumer[] = [];
  for (const environment of environments) {
    for (const service of environment.services) {
      const detection = detectWorker(service, context);
      if (!detection) continue;
      const reason = service.inactiveReason;
      consumers.push({
        environment: environment.name,
        service: service.name,
        active: reason === undefined,
        ...(reason ? { inactiveReason: reason } : {}),
        // A queue named twice is still one queue.
        queues: [...new Set(detection.queues)],
        queueSource: detection.queueSource,
        ...(detection.variable ? { variable: detection.variable } : {}),
        ...(detection.location ? { location: detection.location } : {}),
        serviceLocation: service.location,
        detectedBy: detection.detectedBy,
        ...(detection.unsetVariables?.length ? { unsetVariables: detection.unsetVariables } : {}),
        ...(detection.script ? { script: detection.script } : {}),
        ...(detection.celeryApp ? { celeryApp: detection.celeryApp } : {}),
      });
    }
  }
  return consumers;
}

/** The project's code as worker programs read it: its files, their text and their constants, through the shared modules. */
function projectCode(context: WorkerContext): ProjectCode {
  const modules = context.modules ?? new ModuleIndex(context.fs, context.root, new UnreadableFiles());
  const resolver = new Resolver({ has: (file) => modules.isFile(file) }, (file) => modules.factsOf(file));
  return {
    files: context.sourceFiles ?? [],
    read: (relative) => modules.read(relative),
    resolve: (relative, name) => resolver.resolveName(relative, name, 1),
    ...(context.celery ? { celery: context.celery } : {}),
  };
}

/** Maps a script path from the container to the project: the service's code roots and working dir, else the root. */
function locateScript(program: Extract<ProgramResult, { kind: 'script' }>, service: DeploymentService, modules: ModuleIndex): string | undefined {
  const bases = service.code.roots;
  const workingDir = service.code.workingDir?.replace(/\/$/, '');
  const language = languageById(program.language);
  const candidates: string[] = [];
  for (let candidate of program.candidates) {
    if (candidate.startsWith('/')) {
      if (workingDir && candidate.startsWith(`${workingDir}/`)) candidate = candidate.slice(workingDir.length + 1);
      else candidate = candidate.slice(1);
    }
    candidate = path.posix.normalize(candidate).replace(/^\.\//, '');
    const variants = [candidate];
    if (language.scriptSources) variants.unshift(...language.scriptSources(candidate, bases, modules));
    // An absolute path not under working_dir: try dropping leading directories (`/app/server/worker.py`).
    const parts = candidate.split('/');
    for (let drop = 1; drop < parts.length - 1 && program.candidates[0]!.startsWith('/'); drop++) variants.push(parts.slice(drop).join('/'));
    for (const base of bases) for (const variant of variants) candidates.push(base ? `${base}/${variant}` : variant);
  }
  return candidates.find((candidate) => modules.isFile(candidate));
}

/**
 * Reads a worker script with its language's reader, names resolved by the same Resolver (and module facts) as the
 * producers'. Any project file may be imported from a worker script, scanned or not.
 */
function readWorkerScript(
  relative: string,
  language: LanguageId,
  modules: ModuleIndex,
  queueVariables: string[],
): WorkerScriptReading | undefined {
  const text = modules.read(relative);
  if (text === undefined) return undefined;
  const resolver = new Resolver({ has: (file) => modules.isFile(file) }, (file) => modules.factsOf(file));
  try {
    return languageById(language).readWorkerScript(text, relative, {
      queueVariables,
      resolve: (name) => resolver.resolveName(relative, name, 1),
    });
  } catch (error) {
    // A script nested too deeply to tokenize is a reported skip, as a source file is.
    if (!(error instanceof NestingTooDeepError) && !(error instanceof RangeError)) throw error;
    modules.unreadable.record(relative, 'nested too deeply to analyze');
    return undefined;
  }
}
