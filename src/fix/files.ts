import type * as Crypto from 'node:crypto';
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { writeFileAtomically } from '../atomic-write.js';
import { lazyBuiltin } from '../lazy-builtin.js';
import type { FileSystem } from '../fs.js';
import type { ProjectFiles, Refusal } from './types.js';

/** node:crypto on first use: this module is loaded by every run that plans fixes for its hints, few write one. */
const crypto = lazyBuiltin<typeof Crypto>('node:crypto');
export const sha256 = (text: string): string => crypto().createHash('sha256').update(text, 'utf8').digest('hex');

/** Files above this size are not edited (compose files and env files are a few KiB; the loader refuses 10 MiB). */
const MAX_EDITED_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Why a root-relative file may not be edited on disk, or undefined when it may: it must be inside the project,
 * reached without leaving it through a symlink, and a regular file.
 */
export function diskRefusal(root: string, file: string): Refusal | undefined {
  const outside = { refused: `${file} is outside the project`, decide: 'edit it by hand if it is yours to change' };
  if (path.isAbsolute(file) || file === '..' || file.startsWith('../')) return outside;
  let realRoot: string;
  let real: string;
  try {
    realRoot = nodeFs.realpathSync(root);
    real = nodeFs.realpathSync(path.join(root, file));
  } catch (error) {
    return { refused: `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, decide: 'check the file' };
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    return { refused: `${file} is a symlink that leaves the project`, decide: 'edit the file it points to by hand if it is yours to change' };
  }
  const stat = nodeFs.lstatSync(real);
  if (!stat.isFile()) return { refused: `${file} is not a regular file`, decide: 'edit it by hand' };
  if (stat.size > MAX_EDITED_FILE_BYTES) return { refused: `${file} is larger than 10 MiB`, decide: 'edit it by hand' };
  // The edit is computed on decoded text: a file that is not UTF-8 (Latin-1) would come back with every other
  // non-ASCII byte replaced by U+FFFD, far outside the edit.
  if (!isUtf8(nodeFs.readFileSync(real))) return { refused: `${file} is not valid UTF-8`, decide: 'whether to convert it to UTF-8 (iconv -f latin1 -t utf-8) or edit it by hand' };
  return undefined;
}

/** The texts the plan edits, each read once: the fix is computed on, hashed from, and diffed against this text. */
export class FileTexts implements ProjectFiles {
  readonly texts = new Map<string, string>();

  constructor(
    readonly fs: FileSystem,
    private readonly root: string,
    private readonly guard?: (file: string) => Refusal | undefined,
  ) {}

  text(file: string): string | Refusal {
    const known = this.texts.get(file);
    if (known !== undefined) return known;
    if (path.isAbsolute(file) || file.startsWith('../')) return { refused: `${file} is outside the project`, decide: 'edit it by hand if it is yours to change' };
    const refusal = this.guard?.(file);
    if (refusal) return refusal;
    try {
      const text = this.fs.readFile(path.posix.join(this.root, file));
      this.texts.set(file, text);
      return text;
    } catch (error) {
      return { refused: `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, decide: 'check the file' };
    }
  }
}

/** The project's file system with some files' texts replaced (the plan applied in memory, for re-checking). */
export function overlayFileSystem(base: FileSystem, root: string, texts: Map<string, string>): FileSystem {
  const replaced = new Map([...texts].map(([file, text]) => [path.posix.join(root, file), text]));
  const normal = (file: string) => path.posix.normalize(file);
  return {
    readFile: (file) => replaced.get(normal(file)) ?? base.readFile(file),
    readBytesTransient: (file) => {
      const text = replaced.get(normal(file));
      if (text !== undefined) return Buffer.from(text, 'utf8');
      return base.readBytesTransient ? base.readBytesTransient(file) : Buffer.from(base.readFile(file), 'utf8');
    },
    size: (file) => {
      const text = replaced.get(normal(file));
      return text !== undefined ? Buffer.byteLength(text) : base.size(file);
    },
    exists: (file) => replaced.has(normal(file)) || base.exists(file),
    isDirectory: (file) => base.isDirectory(file),
    readdir: (dir) => base.readdir(dir),
  };
}

/** The file changed between the plan and the write. */
class ChangedOnDisk extends Error {}

export interface WriteOutcome {
  file: string;
  written: boolean;
  reason?: string;
}

/**
 * Writes one file atomically: a temp file beside it (same mode), then rename over it, but only when the file on
 * disk still has the text the plan was computed from; a symlink inside the project is written through to its target.
 */
export function writeAtomically(root: string, file: string, original: string, updated: string): WriteOutcome {
  const refusal = diskRefusal(root, file);
  if (refusal) return { file, written: false, reason: refusal.refused };
  const real = nodeFs.realpathSync(path.join(root, file));
  const expected = sha256(original);
  const unchanged = () => sha256(nodeFs.readFileSync(real, 'utf8')) === expected;
  if (!unchanged()) return { file, written: false, reason: `${file} changed on disk since it was read; run fix again` };
  try {
    // Mode and owner kept; the last look before the rename: a concurrent edit is not overwritten.
    writeFileAtomically(real, Buffer.from(updated, 'utf8'), {
      beforeRename: () => {
        if (!unchanged()) throw new ChangedOnDisk();
      },
    });
    return { file, written: true };
  } catch (error) {
    if (error instanceof ChangedOnDisk) return { file, written: false, reason: `${file} changed on disk since it was read; run fix again` };
    return { file, written: false, reason: `${file} could not be written (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}
