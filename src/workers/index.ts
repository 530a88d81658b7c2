import * as path from 'node:path';
import type { FileSystem } from '../fs.js';
import { languageById, type LanguageId, type WorkerScriptReading } from '../languages/index.js';
import { ModuleIndex } from '../languages/modules.js';
import { Resolver } from '../languages/resolver.js';
import { UnreadableFiles, type DeploymentEnvironment, type DeploymentService, type EnvEntry } from '../model.js';
import type { Consumer, Location, QueueSource } from '../types.js';
import { splitQueueList } from '../languages/queue-list.js';
import { analyzeArgv, type ProgramResult, type ProjectScript } from './command.js';
import { programEnvironment } from './command-environment.js';
import type { ProjectCode, QueueSyntax } from './programs/program.js';
import { NestingTooDeepError } from '../languages/facts.js';

export { splitQueueList };
export type { QueueSyntax } from './programs/program.js';

export interface WorkerContext {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  /** Queue variables to honour: the frameworks' own (`RQ_QUEUES`) plus any `--queue-var`. */
  queueVariables: string[];
  /**
   * The project's modules as the scanner read them: worker scripts are read through the same analyzers, cache, caps
   * and unreadable-file record. A fresh index over `fs` and `root` when absent.
   */
  modules?: ModuleIndex;
  /** The project's source files (root-relative), where a program's override by the application is looked for. */
  sourceFiles?: readonly string[];
  /**
   * What each framework's project step keeps for its worker programs, by framework id (Celery's app configuration:
   * a `celery worker` without `-Q` consumes its default queue).
   */
  frameworkData?: Readonly<Record<string, unknown>>;
  /**
   * The run's one Resolver (the scan's, over the files its walk lists): worker scripts and the project's own
   * program overrides resolve names as the producers do. One over every project file of `modules` when absent.
   */
  resolver?: Resolver;
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
  /** In a project with several apps (Celery's), the app the worker loads, as reports name it. */
  app?: string;
  /** How the program that reads its command lists queues, when a known program does (what `fix` writes there). */
  queueSyntax?: QueueSyntax;
}

/**
 * Each consumer's program's queue syntax, kept beside the report's Consumer (a contract type whose JSON does not
 * carry it): `fix` writes a queue into a command in the syntax of the program that reads it.
 */
const QUEUE_SYNTAX = new WeakMap<Consumer, QueueSyntax>();

/** How the program a consumer's command runs lists queues: `words` when no known program reads its command. */
export function queueSyntaxOf(consumer: Consumer): QueueSyntax {
  return QUEUE_SYNTAX.get(consumer) ?? 'words';
}

/** Decides whether a service is a worker and which queues it listens to; null when it is not a worker. */
export function detectWorker(service: DeploymentService, context: WorkerContext): WorkerDetection | null {
  const argv = (service.command?.argv ?? []).map((word) => ({ value: word, variables: [] }));
  const modules = () => (context.modules ??= new ModuleIndex(context.fs, context.root, new UnreadableFiles()));
  const resolver = () => (context.resolver ??= projectResolver(modules()));
  const serviceEnv = (name: string) => service.environment[name]?.value ?? undefined;
  const program = argv.length ? analyzeArgv(argv, { env: serviceEnv, readScript: (word) => readShellScript(word, service, modules()) }) : null;
  const commandLocation = program?.kind === 'queues' && program.writtenAt ? program.writtenAt : service.command?.location;
  // The program runs with the service's environment as its command changes it (`RAILS_ENV=production bundle exec sidekiq`).
  const environment = commandLocation ? programEnvironment(service.environment, program?.environment, commandLocation) : service.environment;

  const setVariable = (name: string): EnvEntry | undefined => {
    const entry = environment[name];
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

  const env = (name: string) => environment[name]?.value ?? undefined;
  let code: ProjectCode | undefined;
  const projectCodeOnce = () => (code ??= projectCode(context, modules(), resolver()));

  if (program?.kind === 'queues') {
    const detected = detectQueues(program);
    const app = program.app?.(projectCodeOnce());
    return app ? { ...detected, app } : detected;
  }
  return detectScriptWorker();

  function detectQueues(program: Extract<ProgramResult, { kind: 'queues' }>): WorkerDetection {
    // The application's own command may change the program's default (a Django app's `rqworker`).
    const overridden = program.projectDefault && context.sourceFiles ? program.projectDefault(projectCodeOnce(), env) : undefined;
    if (overridden) {
      return {
        queues: overridden.queues,
        queueSource: 'code-default',
        location: overridden.location,
        detectedBy: overridden.detectedBy,
        ...(overridden.unknownVariables ? { unsetVariables: overridden.unknownVariables } : {}),
      };
    }
    if (program.fromVariable && setVariable(program.fromVariable)) {
      const entry = setVariable(program.fromVariable)!;
      const detection: WorkerDetection = {
        queues: program.queues,
        queueSource: 'environment',
        variable: program.fromVariable,
        location: entry.location,
        detectedBy: program.detectedBy,
        ...(program.queueSyntax ? { queueSyntax: program.queueSyntax } : {}),
      };
      if (entry.unsetVariables.length) detection.unsetVariables = [...entry.unsetVariables];
      return detection;
    }
    return {
      queues: program.queues,
      queueSource: program.programDefault ? 'program-default' : 'command',
      ...(commandLocation ? { location: commandLocation } : {}),
      detectedBy: program.detectedBy,
      ...(program.queueSyntax ? { queueSyntax: program.queueSyntax } : {}),
      // `rq worker $QUEUES` with QUEUES set nowhere the doctor reads: the same warning as an unset interpolation.
      ...(program.unknownVariables ? { unsetVariables: program.unknownVariables } : {}),
    };
  }

  function detectScriptWorker(): WorkerDetection | null {
    if (program?.kind === 'script') {
      const script = locateScript(program, service, modules());
      const reading = script ? readWorkerScript(script, program.language, modules(), resolver(), context.queueVariables) : undefined;
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
        // The report's name for the app (a contract field): only Celery's programs name apps.
        ...(detection.app ? { celeryApp: detection.app } : {}),
      });
      if (detection.queueSyntax) QUEUE_SYNTAX.set(consumers[consumers.length - 1]!, detection.queueSyntax);
    }
  }
  return consumers;
}

/** A service that looks like a worker but whose queues the doctor cannot read (its script runs no known program). */
export interface UnreadWorker {
  environment: string;
  service: string;
  /** Its command as written (`./bin/start-worker.sh`), shortened, control characters removed. */
  command: string;
  location: Location;
}

/** A worker by its name, or a script it runs whose name says so (`worker`, `start-worker.sh`, `run_consumer`). */
const WORKER_WORD = /worker|consumer|queue|sidekiq|celery|(?:^|[^a-z])(?:rq|jobs?)(?:[^a-z]|$)/i;
const MAX_COMMAND_TEXT = 120;

/** The command a person reads: a shell's script (`sh -c '…'`) as its text, else the words joined. */
export function commandText(argv: readonly string[]): string {
  const text = (/^(?:.*\/)?(?:ba|da|a|z|k)?sh$/.test(argv[0] ?? '') && argv[1] === '-c' && argv.length === 3 ? argv[2]! : argv.join(' '))
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .trim();
  return text.length > MAX_COMMAND_TEXT ? `${text.slice(0, MAX_COMMAND_TEXT - 1)}…` : text;
}

/**
 * Services that are no worker the doctor can read but look like one: named like a worker, or running a script
 * whose name says so. A finding about a queue nobody consumes names them (their command), never "add a worker
 * service" while one exists.
 */
export function unreadWorkers(environments: Pick<DeploymentEnvironment, 'name' | 'services'>[], consumers: Consumer[]): UnreadWorker[] {
  const detected = new Set(consumers.map((consumer) => `${consumer.environment}\0${consumer.service}`));
  const unread: UnreadWorker[] = [];
  for (const environment of environments) {
    for (const service of environment.services) {
      if (!service.command || service.inactiveReason !== undefined || detected.has(`${environment.name}\0${service.name}`)) continue;
      const scripts = commandText(service.command.argv)
        .split(/[\s;&|()'"]+/)
        .filter((word) => word.includes('/') || word.endsWith('.sh'))
        .map((word) => word.slice(word.lastIndexOf('/') + 1));
      if (!WORKER_WORD.test(service.name) && !scripts.some((script) => WORKER_WORD.test(script))) continue;
      unread.push({ environment: environment.name, service: service.name, command: commandText(service.command.argv), location: service.command.location });
    }
  }
  return unread;
}

/** The project's code as worker programs read it: its files, their text and their constants, through the shared modules. */
function projectCode(context: WorkerContext, modules: ModuleIndex, resolver: Resolver): ProjectCode {
  return {
    files: context.sourceFiles ?? [],
    isFile: (relative) => modules.isFile(relative),
    read: (relative) => modules.read(relative),
    resolve: (relative, name) => resolver.resolveName(relative, name, 1),
    ...(context.frameworkData ? { frameworkData: context.frameworkData } : {}),
  };
}

/** A Resolver over every project file of `modules`, for a detection without the scan's (tests, a lone service). */
function projectResolver(modules: ModuleIndex): Resolver {
  return new Resolver({ has: (file) => modules.isFile(file) }, (file) => modules.factsOf(file));
}

/** A shell script's first line names a POSIX-like shell. */
const SHELL_SHEBANG = /^#![ \t]*\S*\/(?:env[ \t]+)?(?:ba|da|a|z|k)?sh(?:\s|$)/;

/**
 * A command word that names a shell script of the project (`./bin/start-worker.sh`, `/app/scripts/worker`, `sh
 * start.sh`), found as the service sees it (code roots, working dir) and read like any project file (regular files
 * inside the project, capped): its text when it is a shell script (`.sh`, or a `#!…sh` first line).
 */
function readShellScript(word: string, service: DeploymentService, modules: ModuleIndex): ProjectScript | undefined {
  if (!word.includes('/') && !word.endsWith('.sh')) return undefined;
  const file = locateFile([word], service, modules, []);
  if (!file) return undefined;
  const text = modules.read(file);
  if (text === undefined) return undefined;
  return file.endsWith('.sh') || SHELL_SHEBANG.test(text) ? { file, text } : undefined;
}

/** Maps a script path from the container to the project: the service's code roots and working dir, else the root. */
function locateScript(program: Extract<ProgramResult, { kind: 'script' }>, service: DeploymentService, modules: ModuleIndex): string | undefined {
  const language = languageById(program.language);
  return locateFile(program.candidates, service, modules, language.scriptSources ? (candidate, bases) => language.scriptSources!(candidate, bases, modules) : []);
}

/** The first of `paths` (as the service's command names them) that is a project file, with extra variants per path. */
function locateFile(
  paths: string[],
  service: DeploymentService,
  modules: ModuleIndex,
  sources: ((candidate: string, bases: string[]) => string[]) | [],
): string | undefined {
  // A command that names a file runs it even when the service has no code of its own as far as the source says.
  const bases = service.code.roots.length ? service.code.roots : [''];
  const workingDir = service.code.workingDir?.replace(/\/$/, '');
  const candidates: string[] = [];
  for (let candidate of paths) {
    if (candidate.startsWith('/')) {
      if (workingDir && candidate.startsWith(`${workingDir}/`)) candidate = candidate.slice(workingDir.length + 1);
      else candidate = candidate.slice(1);
    }
    candidate = path.posix.normalize(candidate).replace(/^\.\//, '');
    const variants = [candidate];
    if (typeof sources === 'function') variants.unshift(...sources(candidate, bases));
    // An absolute path not under working_dir: try dropping leading directories (`/app/server/worker.py`).
    const parts = candidate.split('/');
    for (let drop = 1; drop < parts.length - 1 && paths[0]!.startsWith('/'); drop++) variants.push(parts.slice(drop).join('/'));
    for (const base of bases) for (const variant of variants) candidates.push(base ? `${base}/${variant}` : variant);
  }
  return candidates.find((candidate) => modules.isFile(candidate));
}

/**
 * Reads a worker script with its language's reader, names resolved by the same Resolver (and module facts) as the
 * producers': in a run, the scan's, so a worker script imports from the files the walk lists, as a producer does.
 */
function readWorkerScript(
  relative: string,
  language: LanguageId,
  modules: ModuleIndex,
  resolver: Resolver,
  queueVariables: string[],
): WorkerScriptReading | undefined {
  const text = modules.read(relative);
  if (text === undefined) return undefined;
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
