import type { FileSystem } from '../fs.js';
import { ModuleIndex } from '../languages/modules.js';
import { LANGUAGES, sourceLanguage, type Language, type LanguageId } from '../languages/index.js';
import type { RawQueueObject, TaskSend, ValueExpr } from '../languages/facts.js';
import { djangoSettingsModule } from '../languages/python/django-settings.js';
import { FRAMEWORKS, sendsOn, sentOnly, type FrameworkProject } from '../frameworks/index.js';
import { Resolver, type QueueObjectRef } from '../languages/resolver.js';
import { UnreadableFiles } from '../model.js';
import type { AvailabilityCheck, Finding, Location, Producer, ProducerKind } from '../types.js';
import { compileIgnorePattern, isIgnored, parseGitignore, type IgnoreFile } from './gitignore.js';

export interface ScanOptions {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  /** Scan tests too (tests/, test_*.py, *_test.py, *.test.ts, *.spec.ts). */
  includeTests?: boolean;
  /** Extra ignore globs (from the config file), relative to root. */
  ignore?: string[];
  /** Where files that cannot be read are recorded (a fresh collector when absent). */
  unreadable?: UnreadableFiles;
  /** Whether a symlinked source file leads outside the project (it is then recorded and skipped). */
  outsideRoot?: (relative: string) => boolean;
  /**
   * An environment variable as the deployment's services set it: one value when every service that sets it agrees,
   * null when they disagree, undefined when none sets it (DJANGO_SETTINGS_MODULE, RAILS_ENV).
   */
  deployedValue?: (variable: string) => string | null | undefined;
}

export interface ScanResult {
  producers: Producer[];
  checks: AvailabilityCheck[];
  /** Source files the walk found (after ignores). */
  filesScanned: number;
  /** Their root-relative paths (worker programs look for the project's own overrides among them). */
  files: string[];
  /** Files that passed the text prefilter (or were imported for a constant) and were tokenized. */
  filesParsed: number;
  /** The modules read, for reading worker scripts with the same analyzers, cache and caps. */
  modules: ModuleIndex;
  /** What each framework's project step keeps for its worker programs, by framework id (Celery's app configuration). */
  frameworkData: Record<string, unknown>;
  /** The frameworks' findings about their own configuration (Celery's ignored settings), in registry order. */
  configurationFindings: Finding[];
  /** The Redis the project's code configures for a side of a framework's processes in a service (Sidekiq's initializer). */
  redisEndpoint: NonNullable<FrameworkProject['redisEndpoint']>;
  /** The run's one Resolver (over the files the walk lists): worker scripts and the analysis resolve names with it too. */
  resolver: Resolver;
}

/** Directories never scanned, whatever .gitignore says. */
const ALWAYS_SKIPPED_DIRS = new Set([
  'node_modules', '.venv', 'venv', 'dist', 'build', '.git', '__pycache__', 'site-packages', '.tox', '.nox',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', '.hg', '.svn', '.next', '.turbo', 'coverage',
]);
const TEST_DIRS = new Set(['tests', 'test', '__tests__']);

interface SourceFile {
  relative: string;
  language: Language<LanguageId>;
  /** The directory listing says it is a regular file (not a symlink to one). */
  listedRegular: boolean;
}

/** Walks the project: .gitignore files (root and nested), `ignore` globs, always-skipped dirs, tests. */
export function listSourceFiles(options: ScanOptions): SourceFile[] {
  const { fs, root } = options;
  const files: SourceFile[] = [];
  const extra: IgnoreFile = {
    base: '',
    rules: (options.ignore ?? []).map(compileIgnorePattern).filter((rule) => rule !== undefined),
  };
  const walk = (relativeDir: string, stack: IgnoreFile[]) => {
    const absoluteDir = relativeDir ? `${root}/${relativeDir}` : root;
    let entries;
    try {
      // A subdirectory was listed as a directory, not a link (links are not followed, below).
      entries = fs.readdir(absoluteDir, relativeDir !== '');
    } catch (error) {
      options.unreadable?.recordError(relativeDir ? `${relativeDir}/` : './', error);
      return;
    }
    // A virtualenv under any name.
    if (relativeDir && entries.some((entry) => entry.name === 'pyvenv.cfg' && entry.isFile)) return;
    let ownStack = stack;
    if (entries.some((entry) => entry.name === '.gitignore' && entry.isFile)) {
      try {
        const rules = parseGitignore(fs.readFile(`${absoluteDir}/.gitignore`));
        if (rules.length) ownStack = [...stack, { base: relativeDir, rules }];
      } catch (error) {
        // An unreadable .gitignore: scan as if absent, and say so.
        options.unreadable?.recordError(relativeDir ? `${relativeDir}/.gitignore` : '.gitignore', error);
      }
    }
    const fullStack = extra.rules.length ? [...ownStack, extra] : ownStack;
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.invalidName !== undefined) {
        // A name that is not UTF-8 cannot be opened through a text path: report it instead of dropping it.
        if (!entry.isDirectory && sourceLanguage(entry.name)) {
          options.unreadable?.record(relativeDir ? `${relativeDir}/${entry.invalidName}` : entry.invalidName, 'file name is not valid UTF-8');
        }
        continue;
      }
      // Symlinked directories are not followed (no loops, as ripgrep by default); symlinked files are read when
      // they stay inside the project (checked before reading).
      const isDirectory = entry.isDirectory;
      const isFile = entry.isFile || (entry.isSymbolicLink && !fs.isDirectory(`${absoluteDir}/${entry.name}`));
      if (isDirectory) {
        if (ALWAYS_SKIPPED_DIRS.has(entry.name)) continue;
        if (!options.includeTests && TEST_DIRS.has(entry.name)) continue;
        if (isIgnored(fullStack, relative, true)) continue;
        walk(relative, ownStack);
      } else {
        const language = sourceLanguage(entry.name);
        if (!language) continue;
        if (!options.includeTests && language.isTest(entry.name)) continue;
        if (isIgnored(fullStack, relative, false)) continue;
        // A FIFO, socket or device under a source name is a counted skip, never a blocking read.
        if (!isFile) options.unreadable?.record(relative, 'not a regular file');
        else if (!entry.isSymbolicLink || !options.outsideRoot?.(relative)) files.push({ relative, language, listedRegular: entry.isFile });
      }
    }
  };
  walk('', []);
  return files;
}

/** Reads each walked file, keeps those that pass their language's prefilter and analyzes them, in walk order. */
function readModules(files: readonly SourceFile[], modules: ModuleIndex): string[] {
  const matched: string[] = [];
  for (const file of files) {
    const text = modules.readCandidate(file.relative, file.language, file.listedRegular);
    if (text === undefined) continue;
    modules.analyze(file.relative, file.language, text);
    matched.push(file.relative);
  }
  return matched;
}

/**
 * An unresolved queue expression as the report shows it: one line, at most 120 characters. An unclosed call's
 * expression runs to the end of its file, so 100k of them would otherwise make a report of 100k × 2 MB.
 */
function shortExpression(expression: string): string {
  if (expression.length <= 120 && !/[\r\n]/.test(expression)) return expression;
  // Cut before normalising: the expression can be megabytes long.
  const line = expression.slice(0, 480).replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Finds every enqueue site and availability check in the project's sources, in every registered language. */
export function scanSources(options: ScanOptions): ScanResult {
  const root = options.root.replace(/\\/g, '/').replace(/\/+$/, '') || '/';
  const unreadable = options.unreadable ?? new UnreadableFiles();
  const modules = new ModuleIndex(options.fs, root, unreadable);
  const files = listSourceFiles({ ...options, root, unreadable, outsideRoot: (relative) => !modules.insideRoot(relative) });
  const known = new Set(files.map((file) => file.relative));

  const matched = readModules(files, modules);

  // Imports resolve only to files the walk lists (not ignored, not tests unless included): the run's one Resolver,
  // handed to worker detection and the analysis too.
  const resolver = new Resolver(known, (relative) => modules.factsOf(relative));
  const producers: Producer[] = [];
  const checks: AvailabilityCheck[] = [];
  const resolveName = (file: string, name: string) => resolver.resolveName(file, name, 1);
  const sourceFiles = files.map((file) => file.relative);
  const entryPointSettings = djangoSettingsModule(sourceFiles, (file) => modules.read(file));
  const deployedSettings = options.deployedValue?.('DJANGO_SETTINGS_MODULE');
  // The frameworks' project steps, in registry order: each reads what its recognizer kept per module.
  const projects: { id: string; project: FrameworkProject }[] = FRAMEWORKS.flatMap((framework) => {
    if (!framework.project) return [];
    const project = framework.project({
      files: sourceFiles,
      modules: matched,
      dataOf: (file) => modules.factsOf(file)?.frameworks?.[framework.id],
      resolveName,
      resolveValue: (file, value) => resolver.resolveSymbolic(file, value),
      definition: (file, name) => resolver.definition(file, name),
      starModules: (file) => resolver.starModules(file),
      importOf: (file, name) => {
        const binding = modules.factsOf(file)?.bindings.get(name);
        return binding?.kind === 'import' ? { module: binding.module, name: binding.name } : undefined;
      },
      settingsModule: {
        ...(deployedSettings ? { deployed: deployedSettings } : {}),
        ...(entryPointSettings ? { entryPoint: entryPointSettings } : {}),
      },
      read: (file) => (modules.isFile(file) ? modules.read(file) : undefined),
      deployedValue: (variable) => options.deployedValue?.(variable),
    });
    return [{ id: framework.id, project }];
  });
  /** A producer made from a queue object: each framework's project step completes it (BullMQ's prefix). */
  const completeProducer = (producer: Producer, object: RawQueueObject, file: string) => {
    for (const { project } of projects) project.completeProducer?.(producer, object, file);
  };
  /** A task send (a Celery task, `send_task`): the producers it stands for once its framework's project step routes it. */
  const route = (producer: Producer, task: TaskSend, file: string): Producer[] => {
    for (const { project } of projects) {
      const routed = project.route?.(producer, task, file);
      if (routed) return routed;
    }
    return [producer];
  };
  // Queue objects some enqueue site uses (`file\0index`): the others are producers at their construction.
  const used = new Set<string>();
  const sites = new Map<string, Producer[]>();
  for (const file of matched) {
    const module = modules.factsOf(file)!;
    const own: Producer[] = [];
    for (const raw of module.producers) {
      let target: QueueObjectRef | null = null;
      if (raw.object !== undefined) {
        const object = module.queues?.[raw.object];
        if (object) target = { file, index: raw.object, object };
      } else if (raw.receiver !== undefined) {
        target = resolver.resolveQueueObject(file, raw.receiver, raw.factoryCall === true);
        // A method call on something that is no queue object (`self.tasks.add`, `jobs.enqueue`) enqueues nothing.
        if (!target) continue;
      }
      const location = { file, line: raw.position.line, column: raw.position.column };
      if (!target) {
        const producer = producerOf(resolver, file, raw.queue, raw.expression, raw.kind, location, raw.scope, raw.via);
        own.push(...(raw.task ? route(producer, raw.task, file) : [producer]));
        continue;
      }
      const { object } = target;
      // A task's sending methods enqueue only on tasks, a queue's only on queue objects (`apply_async` on an RQ queue sends nothing).
      if (!sendsOn(object.kind, raw.via)) continue;
      used.add(`${target.file}\0${target.index}`);
      const [queueFile, queue, expression] = raw.override ? [file, raw.queue, raw.expression] : [target.file, object.queue, object.expression];
      const producer = producerOf(resolver, queueFile, queue, expression, object.kind, location, raw.scope, raw.via);
      const construction = { file: target.file, line: object.position.line, column: object.position.column };
      if (construction.file !== file || construction.line !== location.line || construction.column !== location.column) {
        producer.construction = construction;
      }
      completeProducer(producer, object, target.file);
      own.push(...(object.task ? route(producer, { ...object.task, routed: object.task.routed && !raw.override }, target.file) : [producer]));
    }
    sites.set(file, own);
    for (const raw of module.checks) {
      const queue = resolver.resolve(file, raw.queue);
      if (queue === null) continue;
      const check: AvailabilityCheck = {
        queue,
        location: { file, line: raw.position.line, column: raw.position.column },
        callee: raw.callee,
      };
      if (raw.scope) check.scope = raw.scope;
      checks.push(check);
    }
  }
  for (const file of matched) {
    const own = sites.get(file)!;
    (modules.factsOf(file)!.queues ?? []).forEach((object, index) => {
      // A task never sent from the code is no producer: beat entries and `send_task` name it themselves.
      if (used.has(`${file}\0${index}`) || sentOnly(object.kind)) return;
      const location = { file, line: object.position.line, column: object.position.column };
      const producer = producerOf(resolver, file, object.queue, object.expression, object.kind, location, object.scope);
      completeProducer(producer, object, file);
      own.push(...(object.task ? route(producer, object.task, file) : [producer]));
    });
    // What the frameworks' configuration declares here (Celery's beat schedule).
    for (const { project } of projects) own.push(...(project.producersIn?.(file) ?? []));
    own.sort((a, b) => a.location.line - b.location.line || (a.location.column ?? 0) - (b.location.column ?? 0));
    producers.push(...own);
  }
  return {
    producers: finishProducers(producers, projects.map(({ project }) => project)),
    checks,
    filesScanned: files.length,
    files: sourceFiles,
    filesParsed: modules.parsed,
    modules,
    frameworkData: Object.fromEntries(projects.flatMap(({ id, project }) => (project.workerData !== undefined ? [[id, project.workerData]] : []))),
    configurationFindings: projects.flatMap(({ project }) => project.findings ?? []),
    redisEndpoint: (side, service) => {
      for (const { project } of projects) {
        const endpoint = project.redisEndpoint?.(side, service);
        if (endpoint !== undefined) return endpoint;
      }
      return undefined;
    },
    resolver,
  };
}

/** The frameworks' last word on the producers, in order (ActiveJob's Rails configuration completes or drops its own). */
function finishProducers(producers: Producer[], projects: readonly FrameworkProject[]): Producer[] {
  return producers.flatMap((found) => {
    let producer: Producer | null = found;
    for (const project of projects) if (producer && project.finishProducer) producer = project.finishProducer(producer);
    return producer ? [producer] : [];
  });
}

/** A producer from its queue expression: a name, a variable read from the environment (kept symbolic), or null. */
function producerOf(
  resolver: Resolver,
  file: string,
  queue: ValueExpr,
  expression: string,
  kind: ProducerKind,
  location: Location,
  scope: string | undefined,
  via?: string,
): Producer {
  const name = resolver.resolveSymbolic(file, queue);
  const producer: Producer = { queue: name?.kind === 'literal' ? name.value : name?.kind === 'env' ? name.fallback : null, kind, location };
  if (name?.kind === 'env') producer.env = { variable: name.variable, default: name.fallback };
  if (producer.queue === null || name?.kind === 'env') producer.expression = shortExpression(expression);
  if (scope) producer.scope = scope;
  if (via) producer.via = via;
  return producer;
}
