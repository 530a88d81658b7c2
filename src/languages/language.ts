import type { FileSystem } from '../fs.js';
import type { UnreadableFiles } from '../model.js';
import type { Location } from '../types.js';
import type { ModuleFacts } from './facts.js';

/** Which project files exist (relative paths), for module resolution. */
export interface KnownFiles {
  has(relative: string): boolean;
  /** Every known file, for a language whose modules are found by name anywhere under its roots (Ruby's autoload). */
  values?(): Iterable<string>;
}

/** The project's files as a language may need them beyond one module (a tsconfig, say). */
export interface ProjectFiles {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  unreadable: UnreadableFiles;
}

export interface WorkerScriptContext {
  /** Queue variables to honour, in precedence order (`RQ_QUEUES` plus any `--queue-var`). */
  queueVariables: string[];
  /** A name used in the script → its value through module constants and imports (the shared Resolver). */
  resolve(name: string): string | null;
}

/** What a worker script says about its queues. */
export interface WorkerScriptReading {
  /** The queue variable the script reads. */
  variable?: string;
  /** Its code default, split into queues. */
  defaultQueues?: string[];
  /** Queues the script hardcodes (`Worker(['high'])`, `new Worker('x', …)`). */
  hardcoded?: string[];
  location?: Location;
}

/**
 * One scanned language: how its files are found, prefiltered, analyzed (producers, checks, bindings; the queue
 * frameworks are recognised inside the analyzer, see FRAMEWORKS), how its imports resolve, and how
 * a worker script written in it is read.
 */
export interface Language<Id extends string = string> {
  id: Id;
  /** File name endings of its source files (`.py`). */
  extensions: readonly string[];
  /** Files with one of those endings that are generated, not written (`.d.ts`, `.min.js`): never scanned. */
  generated?: RegExp;
  /** Test files by name (skipped unless --include-tests); test dirs are the scanner's. */
  isTest(fileName: string): boolean;
  /** Whether a file's text may hold a producer or a check; only those are tokenized. */
  prefilter(text: string): boolean;
  /** The same test on raw bytes. */
  prefilterBytes(bytes: Buffer): boolean;
  analyze(text: string): ModuleFacts;
  /** An import's module specifier in `file` → the project file it names, relative to the root. */
  resolveModule(file: string, specifier: string, known: KnownFiles): string | undefined;
  readWorkerScript(text: string, relative: string, context: WorkerScriptContext): WorkerScriptReading | undefined;
  /** Source files a script path may have been built from (`dist/worker.js` → `src/worker.ts`), most likely first. */
  scriptSources?(script: string, roots: string[], project: ProjectFiles): string[];
}
