import type { FileSystem } from '../fs.js';
import { ModuleIndex } from '../languages/modules.js';
import { LANGUAGES, sourceLanguage, type Language, type LanguageId } from '../languages/index.js';
import type { CeleryTaskRef, RawQueueObject, ValueExpr } from '../languages/facts.js';
import { djangoSettingsModule } from '../languages/python/django-settings.js';
import { FRAMEWORKS, type FrameworkProject } from '../frameworks/index.js';
import type { CeleryModuleFacts } from '../frameworks/celery/module-facts.js';
import { celeryProject, routeTask, stringOf, type CeleryAppConfig, type CeleryProject } from '../frameworks/celery/project.js';
import { CELERY_SITE_METHODS } from '../frameworks/celery/python.js';
import { dictGet } from '../frameworks/celery/python-literal.js';
import { Resolver, type QueueObjectRef } from '../languages/resolver.js';
import { UnreadableFiles } from '../model.js';
import type { AvailabilityCheck, Location, Producer, ProducerKind } from '../types.js';
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
  /** DJANGO_SETTINGS_MODULE as the deployment sets it (one value for every service that sets it). */
  djangoSettingsModule?: string;
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
  /** The project's Celery app configuration (defaults when the project has none). */
  celery: CeleryProject;
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
      entries = fs.readdir(absoluteDir);
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

  // Imports resolve only to files the walk lists (not ignored, not tests unless included).
  const resolver = new Resolver(known, (relative) => modules.factsOf(relative));
  const producers: Producer[] = [];
  const checks: AvailabilityCheck[] = [];
  const resolveName = (file: string, name: string) => resolver.resolveName(file, name, 1);
  const sourceFiles = files.map((file) => file.relative);
  const entryPointSettings = djangoSettingsModule(sourceFiles, (file) => modules.read(file));
  const celery = celeryProject(matched, (file) => modules.factsOf(file)?.frameworks?.celery as CeleryModuleFacts | undefined, resolveName, (file, name) => resolver.definition(file, name), {
    files: sourceFiles,
    starModules: (file) => resolver.starModules(file),
    importOf: (file, name) => {
      const binding = modules.factsOf(file)?.bindings.get(name);
      return binding?.kind === 'import' ? { module: binding.module, name: binding.name } : undefined;
    },
    ...(options.djangoSettingsModule ? { deployedSettingsModule: options.djangoSettingsModule } : {}),
    ...(entryPointSettings ? { entryPointSettingsModule: entryPointSettings } : {}),
  });
  // The frameworks' project steps (Celery's routing and beat are still below).
  const projects: FrameworkProject[] = FRAMEWORKS.flatMap((framework) => {
    if (!framework.project) return [];
    return [
      framework.project({
        files: sourceFiles,
        modules: matched,
        // No framework keeps module data for its project step yet (Celery's is still ModuleFacts.celery).
        dataOf: () => undefined,
        resolveName,
        resolveValue: (file, value) => resolver.resolveSymbolic(file, value),
        definition: (file, name) => resolver.definition(file, name),
        starModules: (file) => resolver.starModules(file),
        importOf: (file, name) => {
          const binding = modules.factsOf(file)?.bindings.get(name);
          return binding?.kind === 'import' ? { module: binding.module, name: binding.name } : undefined;
        },
        settingsModule: {
          ...(options.djangoSettingsModule ? { deployed: options.djangoSettingsModule } : {}),
          ...(entryPointSettings ? { entryPoint: entryPointSettings } : {}),
        },
        read: (file) => (modules.isFile(file) ? modules.read(file) : undefined),
      }),
    ];
  });
  /** A producer made from a queue object: each framework's project step completes it (BullMQ's prefix). */
  const completeProducer = (producer: Producer, object: RawQueueObject, file: string) => {
    for (const project of projects) project.completeProducer?.(producer, object, file);
  };
  const severalApps = celery.apps.length > 1;
  /**
   * A Celery task without its own queue: where its app's routes (or default queue) send it. With several apps, the
   * app is the one the task is bound to or sent through; a `@shared_task` is sent through whichever app is current in
   * the sending process, which the code does not say: it is routed through every app, one producer per distinct
   * queue (each naming its app). Returns the producers the send stands for (the given one, or copies of it).
   */
  const route = (producer: Producer, task: CeleryTaskRef, file: string, appOfSend?: CeleryAppConfig): Producer[] => {
    const name = task.name ?? (task.function ? `${pythonModuleName(file)}.${task.function}` : undefined);
    if (name) producer.task = name;
    if (!task.routed) return [producer];
    const apps = appOfSend
      ? [appOfSend]
      : !severalApps || task.shared || task.app === 'current_app'
        ? celery.apps.length ? celery.apps : [celery]
        : [task.app === undefined ? undefined : celery.appAt(file, task.app)];
    const routes = apps.map((app) =>
      !app
        ? ({ queue: null, by: 'router' as const, expression: `the Celery app \`${task.app ?? '?'}\` (several apps; not traced to one)` })
        : name
          ? routeTask(app, name, resolveName)
          : ({ queue: null, by: 'router' as const, expression: 'the task name' }),
    );
    const distinct = routes.filter((routed, index) => routes.findIndex((other) => other.queue === routed.queue && other.by === routed.by) === index);
    return distinct.map((routed) => {
      const copy = distinct.length > 1 ? { ...producer } : producer;
      copy.queue = routed.queue;
      delete copy.expression;
      if (routed.queue === null) copy.expression = routed.expression;
      else copy.routedBy = routed.by;
      const app = apps[routes.indexOf(routed)];
      if (severalApps && app?.label && (apps.length === 1 || distinct.length > 1)) {
        copy.celeryApp = app.label;
        const at = routed.by === 'route' ? routed : routed.by === 'default' && 'file' in app.defaultQueue ? app.defaultQueue : undefined;
        if (at) copy.routedAt = { file: at.file, line: at.position.line, column: at.position.column };
      }
      return copy;
    });
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
        own.push(...(raw.celeryTask ? route(producer, raw.celeryTask, file) : [producer]));
        continue;
      }
      const { object } = target;
      // Celery's sending methods enqueue only on tasks, RQ's only on RQ queue objects.
      const celerySend = CELERY_SITE_METHODS.has(raw.via ?? '');
      if (object.kind === 'celery-task' ? !celerySend : celerySend && raw.via !== 'delay') continue;
      used.add(`${target.file}\0${target.index}`);
      const [queueFile, queue, expression] = raw.override ? [file, raw.queue, raw.expression] : [target.file, object.queue, object.expression];
      const producer = producerOf(resolver, queueFile, queue, expression, object.kind, location, raw.scope, raw.via);
      const construction = { file: target.file, line: object.position.line, column: object.position.column };
      if (construction.file !== file || construction.line !== location.line || construction.column !== location.column) {
        producer.construction = construction;
      }
      completeProducer(producer, object, target.file);
      own.push(...(object.celeryTask ? route(producer, { ...object.celeryTask, routed: object.celeryTask.routed && !raw.override }, target.file) : [producer]));
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
      // A Celery task never sent from the code is no producer: beat entries and `send_task` name it themselves.
      if (used.has(`${file}\0${index}`) || object.kind === 'celery-task') return;
      const location = { file, line: object.position.line, column: object.position.column };
      const producer = producerOf(resolver, file, object.queue, object.expression, object.kind, location, object.scope);
      completeProducer(producer, object, file);
      own.push(...(object.celeryTask ? route(producer, object.celeryTask, file) : [producer]));
    });
    // Each app's beat sends its schedule's tasks through that app. Two apps reading one schedule send it twice.
    for (const app of celery.apps.length ? celery.apps : [celery]) {
      if (app.beatSchedule?.file === file) own.push(...beatProducers(app, resolveName, route));
    }
    own.sort((a, b) => a.location.line - b.location.line || (a.location.column ?? 0) - (b.location.column ?? 0));
    producers.push(...own);
  }
  return {
    producers: finishProducers(producers, projects),
    checks,
    filesScanned: files.length,
    files: sourceFiles,
    filesParsed: modules.parsed,
    modules,
    celery,
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

/** The Python module a file is (`proj/tasks.py` → `proj.tasks`): Celery names a task `<module>.<function>`. */
function pythonModuleName(file: string): string {
  return file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

/** `beat_schedule` entries: each sends its `task` to `options.queue`, or where the routes send it. */
function beatProducers(
  celery: CeleryAppConfig,
  resolveName: (file: string, name: string) => string | null,
  route: (producer: Producer, task: CeleryTaskRef, file: string, app?: CeleryAppConfig) => Producer[],
): Producer[] {
  const schedule = celery.beatSchedule!;
  if (schedule.value.kind !== 'dict') return [];
  const producers: Producer[] = [];
  for (const [key, entry] of schedule.value.entries) {
    const task = stringOf(schedule.file, dictGet(entry, 'task'), resolveName);
    if (task === null) continue;
    const queueValue = dictGet(dictGet(entry, 'options'), 'queue');
    const queue = queueValue ? stringOf(schedule.file, queueValue, resolveName) : null;
    const location = { file: schedule.file, line: key.position.line, column: key.position.column };
    const producer: Producer = { queue, kind: 'celery-beat', location, via: 'beat_schedule' };
    if (queueValue && queue === null) producer.expression = 'options.queue';
    producers.push(...route(producer, { name: task, routed: !queueValue }, schedule.file, celery));
  }
  return producers;
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
