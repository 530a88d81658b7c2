import type { LanguageId } from '../../languages/language-id.js';
import type { Word } from '../../shell-words.js';
import type { Location } from '../../types.js';

/** The project's code, for a program whose default the application may override (django-rq's `rqworker`). */
export interface ProjectCode {
  /** Root-relative source files of the project (as the scanner listed them). */
  files: readonly string[];
  /** Whether a project file exists (a config file a program may read). */
  isFile(relative: string): boolean;
  /** The text of a project file (capped, recorded when unreadable). */
  read(relative: string): string | undefined;
  /** A module-level name of a module → its string value, through constants and imports. */
  resolve(relative: string, name: string): string | null;
  /**
   * What each framework's project step keeps for its worker programs, by framework id (Celery's app configuration),
   * when the scan ran them: each framework's programs read their own entry.
   */
  frameworkData?: Readonly<Record<string, unknown>>;
}

/** Queues the application's own code sets as a program's default, and where. */
export interface ProjectDefault {
  queues: string[];
  location: Location;
  /** How it was found, e.g. `rqworker override in core/management/commands/rqworker.py`. */
  detectedBy: string;
  /** Variables the queue list reads that the service does not set (Sidekiq's ERB `<%= ENV['X'] %>`): unknown, not absent. */
  unknownVariables?: string[];
}

/**
 * How a program's command line lists queues, which `fix` writes in: positional words (`rq worker high low`), one
 * comma-separated value (`celery worker -Q high,low`), or a flag per queue (`sidekiq -q high -q low`: Sidekiq::CLI#option_parser,
 * a weight after the comma).
 */
export type QueueSyntax = 'words' | 'commas' | 'flags';

/** What a worker program's command line says: the queues it consumes, or the script it runs (read later). */
export type ProgramResult =
  | {
      kind: 'queues';
      queues: string[];
      /** The syntax of the program that read them (set from its WorkerProgram entry). */
      queueSyntax?: QueueSyntax;
      fromVariable?: string;
      detectedBy: string;
      programDefault: boolean;
      /**
       * Which of the project's apps the worker loads, as reports name it (Celery's `-A` in a project with several
       * apps; the report's `celeryApp`); undefined when the project has one app or the app is not found.
       */
      app?: (code: ProjectCode) => string | undefined;
      /** With no queues given: the application's own override of the program's default, when it has one. */
      /** `env`: the service's environment (a config file the program reads may depend on it). */
      projectDefault?: (code: ProjectCode, env?: (name: string) => string | undefined) => ProjectDefault | undefined;
      /** Variables the queue words name that the service does not set: those queues are unknown, not absent. */
      unknownVariables?: string[];
      /** Where the worker command is written when it is not the service's own command (a project script's line). */
      writtenAt?: Location;
    }
  | { kind: 'script'; language: LanguageId; candidates: string[]; detectedBy: string };

/** A worker program: how it is invoked and how its arguments name queues. */
export interface WorkerProgram {
  /** Executable names it runs as (`rq`, `celery`, `manage.py`, `node`), compared with the argv word's basename. */
  executables: readonly string[];
  /** Module names it runs as under `python -m`. */
  pythonModules?: readonly string[];
  /** Script names it runs as under `python <script>`, compared with the script's basename. */
  pythonScripts?: readonly string[];
  /** The arguments after the program → its queues, a script to read, or null when this is not a worker run. */
  read(args: Word[], invokedAs: string): ProgramResult | null;
  /** How its command line lists queues (a program that only runs scripts lists none: `words`, never used). */
  queueSyntax: QueueSyntax;
}

/** A program's reading of its arguments, with the program's queue syntax on a queue list. */
export function readProgram(program: WorkerProgram, args: Word[], invokedAs: string): ProgramResult | null {
  const result = program.read(args, invokedAs);
  return result?.kind === 'queues' ? { ...result, queueSyntax: program.queueSyntax } : result;
}

/** The queues a program lists as positional words; none means the program's own default. */
export function queuesFrom(args: Word[], detectedBy: string, programDefault: string): ProgramResult {
  const unknown = [...new Set(args.flatMap((word) => word.unknown ?? []))];
  const queues = args.filter((word) => !word.unknown).map((word) => word.value).filter(Boolean);
  const variable = args.flatMap((word) => word.variables)[0];
  const named = queues.length > 0 || unknown.length > 0;
  return {
    kind: 'queues',
    queues: named ? queues : [programDefault],
    ...(variable && named ? { fromVariable: variable } : {}),
    detectedBy,
    programDefault: !named,
    ...(unknown.length ? { unknownVariables: unknown } : {}),
  };
}
