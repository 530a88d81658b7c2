import * as path from 'node:path';
import { InputError } from '../../errors.js';
import { readFailure, type FileSystem } from '../../fs.js';
import type { Location } from '../../types.js';
import { DotenvError, type DotenvEntry, parseDotenv } from './dotenv.js';
import { InvalidTemplateError, MissingRequiredError } from './template.js';
import { cloneNode, type YMap } from './tree.js';
import { MAX_COMPOSE_FILE_BYTES, type ParsedDocument, parseComposeYaml } from './yaml.js';

/**
 * The total work of loading one project: files loaded through include, extends and the environments. Real projects
 * load tens; an include fan-out (each of 24 files including the next twice) would load 2^24 without the cache.
 */
export const MAX_FILE_LOADS = 2000;

/** File access shared by every load of one project: parsed files are cached, paths made root-relative. */
export class ComposeFiles {
  private readonly parsed = new Map<string, ParsedDocument[]>();
  /** Included projects already loaded, by what determines them (files, project dir, variables): include fan-out. */
  readonly includes = new Map<string, YMap>();
  /** Compose files loaded (each include, extends file and environment file counts): the total work cap. */
  private loads = 0;

  /** Counts one file load; past MAX_FILE_LOADS the project is refused (compose-go bounds its work the same way). */
  countLoad(file: string, from?: Location): void {
    if (++this.loads > MAX_FILE_LOADS) {
      throw new InputError(`too many compose files loaded (over ${MAX_FILE_LOADS}, last ${this.relative(file)}): check the include and extends fan-out`, from);
    }
  }

  constructor(
    readonly fs: FileSystem,
    readonly root: string,
  ) {}

  /** Whether an absolute path is under the project root. */
  insideRoot(file: string): boolean {
    const relative = path.posix.relative(this.root, file);
    return !relative.startsWith('..') && !path.posix.isAbsolute(relative);
  }

  /** Root-relative, '/'-separated name of an absolute path (as given when outside the root). */
  relative(file: string): string {
    const relative = path.posix.relative(this.root, file);
    return relative === '' ? '.' : relative;
  }

  /**
   * Reads a text file for the loader (regular files only, capped while reading); a missing, oversized or special
   * file (FIFO, device) is an InputError at `from` that names the file and the reason, never its content.
   */
  readText(file: string, what: string, from?: Location): string {
    if (this.fs.isDirectory(file)) throw new InputError(`${what} ${this.relative(file)} not found`, from);
    try {
      return this.fs.readFile(file, MAX_COMPOSE_FILE_BYTES);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new InputError(`${what} ${this.relative(file)} not found`, from);
      const reason = readFailure(error);
      throw new InputError(`${what} ${this.relative(file)} ${reason.startsWith('cannot') ? reason : `is ${reason}`}`, from);
    }
  }

  /** The documents of a compose file, freshly cloned (merges mutate trees). */
  documents(file: string, from?: Location): ParsedDocument[] {
    let documents = this.parsed.get(file);
    if (!documents) {
      const text = this.readText(file, 'compose file', from);
      try {
        documents = parseComposeYaml(text, this.relative(file));
      } catch (error) {
        // A file outside the project (`extends: file: /etc/…`) is read as docker compose reads it, but its
        // content is never quoted in an error: the location and the kind of error only.
        if (error instanceof InputError && !this.insideRoot(file)) {
          throw new InputError(error.message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/`[^`]*`/g, '`…`'), error.location);
        }
        throw error;
      }
      this.parsed.set(file, documents);
    }
    return documents.map((document) => ({
      root: document.root ? cloneNode(document.root) : null,
      resetPaths: document.resetPaths,
    }));
  }

  /** Parses an env file; syntax errors become InputErrors at the offending line. */
  dotenv(file: string, into: Map<string, DotenvEntry>, lookup: (name: string) => string | undefined, from?: Location): void {
    const text = this.readText(file, 'env file', from);
    try {
      parseDotenv(text, into, lookup);
    } catch (error) {
      if (error instanceof DotenvError) throw new InputError(`invalid env file: ${error.message}`, { file: this.relative(file), line: error.line });
      if (error instanceof MissingRequiredError || error instanceof InvalidTemplateError) {
        throw new InputError(error.message, { file: this.relative(file), line: 1 });
      }
      throw error;
    }
  }
}
