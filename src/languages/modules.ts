import type { FileSystem } from '../fs.js';
import type { UnreadableFiles } from '../model.js';
import type { ModuleFacts } from './facts.js';
import { moduleLanguage, type Language, type LanguageId } from './index.js';

/** Files larger than this are generated or vendored, not hand-written queue code. */
export const MAX_SOURCE_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The project's modules, read once and analyzed once: the scanner's producers and checks, the modules imported for
 * a constant and the worker scripts all come from here, through the same analyzers. Reads are capped; a file that
 * cannot be read (or is over the cap) is recorded in `unreadable`, never dropped silently.
 */
export class ModuleIndex {
  private readonly facts = new Map<string, ModuleFacts | null>();
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
      if (this.fs.readBytesTransient) {
        const bytes = this.fs.readBytesTransient(absolute);
        if (bytes.length > MAX_SOURCE_FILE_BYTES) return this.tooLarge(relative);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
      }
      const size = this.fs.size(absolute);
      if (size === undefined) {
        this.unreadable.record(relative, 'cannot be read (ENOENT)');
        return undefined;
      }
      if (size > MAX_SOURCE_FILE_BYTES) return this.tooLarge(relative);
      return this.fs.readFile(absolute);
    } catch (error) {
      this.unreadable.recordError(relative, error);
      return undefined;
    }
  }

  /** Reads a file and returns its text only when it passes its language's prefilter. */
  readCandidate(relative: string, language: Language<LanguageId>): string | undefined {
    if (!this.fs.readBytesTransient) {
      const text = this.read(relative);
      return text !== undefined && language.prefilter(text) ? text : undefined;
    }
    try {
      const raw = this.fs.readBytesTransient(`${this.root}/${relative}`);
      if (raw.length > MAX_SOURCE_FILE_BYTES) return this.tooLarge(relative);
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
      return language.prefilterBytes(bytes) ? bytes.toString('utf8') : undefined;
    } catch (error) {
      this.unreadable.recordError(relative, error);
      return undefined;
    }
  }

  /** Analyzes a module's text (once) with its language's analyzer. */
  analyze(relative: string, language: Language<LanguageId>, text: string): ModuleFacts {
    this.parsed++;
    const result = language.analyze(text);
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

  private tooLarge(relative: string): undefined {
    this.unreadable.record(relative, `larger than ${MAX_SOURCE_FILE_BYTES / 1024 / 1024} MiB`);
    return undefined;
  }
}
