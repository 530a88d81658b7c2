import type { FileSystem } from '../fs.js';
import type { UnreadableFiles } from '../model.js';
import { NestingTooDeepError, type ModuleFacts } from './facts.js';
import { moduleLanguage, type Language, type LanguageId } from './index.js';

/** Files larger than this are generated or vendored, not hand-written queue code. */
export const MAX_SOURCE_FILE_BYTES = 2 * 1024 * 1024;

/** The reason recorded for a source file whose symlink leads outside the project root. */
export const OUTSIDE_ROOT = 'symlink to a file outside the project (not followed)';

/**
 * The project's modules, read once and analyzed once: the scanner's producers and checks, the modules imported for
 * a constant and the worker scripts all come from here, through the same analyzers. Reads are capped; a file that
 * cannot be read (or is over the cap) is recorded in `unreadable`, never dropped silently.
 */
export class ModuleIndex {
  private readonly facts = new Map<string, ModuleFacts | null>();
  private realRoot: string | undefined;
  /** Files that passed the prefilter (or were needed for a constant or a worker script) and were tokenized. */
  parsed = 0;

  constructor(
    readonly fs: FileSystem,
    /** Absolute project root, no trailing '/'. */
    readonly root: string,
    readonly unreadable: UnreadableFiles,
  ) {}

  /** Whether `relative` is an existing regular file (or a link to one) of the project. */
  isFile(relative: string): boolean {
    const absolute = `${this.root}/${relative}`;
    return this.fs.exists(absolute) && !this.fs.isDirectory(absolute);
  }

  /** The text of a project file, or undefined (recorded as unreadable) when it cannot be read or is over the cap. */
  read(relative: string): string | undefined {
    const absolute = `${this.root}/${relative}`;
    try {
      if (!this.insideRoot(relative)) return undefined;
      if (this.fs.readBytesTransient) {
        const bytes = this.fs.readBytesTransient(absolute, MAX_SOURCE_FILE_BYTES);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
      }
      return this.fs.readFile(absolute, MAX_SOURCE_FILE_BYTES);
    } catch (error) {
      this.unreadable.recordError(relative, error);
      return undefined;
    }
  }

  /**
   * Reads a file the walk listed (its symlinks already checked) and returns its text only when it passes its
   * language's prefilter.
   */
  readCandidate(relative: string, language: Language<LanguageId>, listedRegular = false): string | undefined {
    if (!this.fs.readBytesTransient) {
      const text = this.read(relative);
      return text !== undefined && language.prefilter(text) ? text : undefined;
    }
    try {
      const raw = this.fs.readBytesTransient(`${this.root}/${relative}`, MAX_SOURCE_FILE_BYTES, listedRegular);
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
      return language.prefilterBytes(bytes) ? bytes.toString('utf8') : undefined;
    } catch (error) {
      this.unreadable.recordError(relative, error);
      return undefined;
    }
  }

  /**
   * Whether a project file, with every symlink on its path resolved, is still inside the project root; a source
   * file that leaves it (a link to another checkout, /etc, a home dir) is recorded and not read.
   */
  insideRoot(relative: string): boolean {
    if (!this.fs.realpath) return true;
    let real: string;
    try {
      this.realRoot ??= this.fs.realpath(this.root);
      real = this.fs.realpath(`${this.root}/${relative}`);
    } catch (error) {
      this.unreadable.recordError(relative, error);
      return false;
    }
    if (real === this.realRoot || real.startsWith(this.realRoot.endsWith('/') ? this.realRoot : `${this.realRoot}/`)) return true;
    this.unreadable.record(relative, OUTSIDE_ROOT);
    return false;
  }

  /** Analyzes a module's text (once) with its language's analyzer. */
  analyze(relative: string, language: Language<LanguageId>, text: string): ModuleFacts {
    this.parsed++;
    let result: ModuleFacts;
    try {
      result = language.analyze(text);
    } catch (error) {
      // One hostile file (strings nested thousands deep) is a reported skip, never the end of the whole run. A
      // stack overflow anywhere in the analysis of one file is the same case.
      if (!(error instanceof NestingTooDeepError) && !(error instanceof RangeError)) throw error;
      this.unreadable.record(relative, 'nested too deeply to analyze');
      result = { language: language.id, bindings: new Map(), producers: [], checks: [] };
    }
    this.facts.set(relative, result);
    return result;
  }

  /** The facts of a module, read and analyzed on demand (an import target, a worker script); null when unreadable. */
  factsOf(relative: string): ModuleFacts | null {
    const cached = this.facts.get(relative);
    if (cached !== undefined) return cached;
    const language = moduleLanguage(relative);
    const text = language ? this.read(relative) : undefined;
    if (!language || text === undefined) {
      this.facts.set(relative, null);
      return null;
    }
    return this.analyze(relative, language, text);
  }

  /** The facts of a module already analyzed (the walk's prefilter passed it), never reading one more file. */
  analyzedFactsOf(relative: string): ModuleFacts | null {
    return this.facts.get(relative) ?? null;
  }
}
