import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { byCodeUnits } from './order.js';

export interface DirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
  /**
   * Set when the name on disk is not valid UTF-8: `name` is then a lossy decoding that cannot be opened, and this
   * is the name with each invalid byte shown as `\xNN`, for reporting it.
   */
  invalidName?: string;
}

/**
 * File access injected into the pure cores (compose loader, scanner), so the same code runs on
 * in-memory fixtures in tests and on disk in the CLI. Paths are absolute, '/'-separated.
 *
 * Only regular files are read (a FIFO, a device or a socket — directly or behind a symlink — throws
 * `code: 'ENOTREG'` without blocking), and every read is capped while reading (`code: 'EFBIG'` past
 * `maxBytes`), because `stat().size` is 0 for devices and FIFOs and a file can grow while it is read.
 */
export interface FileSystem {
  /** Reads a UTF-8 text file of at most `maxBytes` (default DEFAULT_MAX_READ_BYTES); ENOENT, ENOTREG, EFBIG. */
  readFile(file: string, maxBytes?: number): string;
  /** Size in bytes, or undefined when the file does not exist. */
  size(file: string): number | undefined;
  exists(file: string): boolean;
  isDirectory(file: string): boolean;
  /**
   * `listedDirectory`: the listing of `dir`'s parent just said it is a directory, not a link (the scanner's walk), so a
   * confined file system derives its real path from its parent's instead of resolving it again.
   */
  readdir(dir: string, listedDirectory?: boolean): DirEntry[];
  /** Optional: the path with every symlink resolved (for keeping source reads inside the project); throws like readFile. */
  realpath?(file: string): string;
  /**
   * Optional: the raw bytes of a file, without UTF-8 decoding, so a scanner can test many files cheaply and
   * decode only those it keeps. The view may share a buffer that the next call overwrites: copy what you keep.
   * Throws like readFile (ENOTREG, and EFBIG past `maxBytes`, checked before reading and while reading).
   * `listedRegular`: the directory listing just said this name is a regular file (not a link), so the fstat that
   * would say it again is skipped; the open stays non-blocking and the cap still applies while reading, so a FIFO
   * or device swapped in meanwhile still cannot block the read or make it unbounded.
   */
  readBytesTransient?(file: string, maxBytes?: number, listedRegular?: boolean): Uint8Array;
}

/** The cap of a read that names none: no input this tool reads is legitimately larger. */
export const DEFAULT_MAX_READ_BYTES = 32 * 1024 * 1024;

/** Code of the error thrown for a path that is not a regular file (FIFO, device, socket). */
export const NOT_REGULAR_FILE = 'ENOTREG';
/** Code of the error thrown for a file over the read's cap. */
export const FILE_TOO_LARGE = 'EFBIG';

function notRegular(file: string): Error {
  return Object.assign(new Error(`not a regular file: '${file}'`), { code: NOT_REGULAR_FILE });
}

function tooLarge(file: string, maxBytes: number): Error {
  return Object.assign(new Error(`larger than ${maxBytes} bytes: '${file}'`), { code: FILE_TOO_LARGE, limit: maxBytes });
}

/**
 * Code of the error thrown for a path that resolves (symlinks, `..`) outside the project's real root: the
 * repository under check is hostile input, and nothing outside it (`/proc/self/environ`, a CI runner's files) is read.
 */
export const OUTSIDE_PROJECT = 'EOUTSIDE';

/** The reason a read outside the project was refused, as reports show it (never the target's path). */
export const OUTSIDE_PROJECT_REASON = 'outside the project (symlinks resolved; not read)';

function outsideProject(file: string): Error {
  return Object.assign(new Error(`outside the project: '${file}'`), { code: OUTSIDE_PROJECT });
}

/** A size for people: "2 MiB", "512 KiB", "100 bytes". */
export function humanBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Why a read failed, in words for a report (never the absolute path the error carries). */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === NOT_REGULAR_FILE || code === FILE_TOO_LARGE || code === OUTSIDE_PROJECT) return readFailureReason(error);
  return code ? `cannot be read (${code})` : 'cannot be read';
}

/** The short reason for an error line after "Cannot read FILE: ": "not a regular file", "larger than 1 MiB", ENOENT. */
export function readFailureReason(error: unknown): string {
  const failure = error as (NodeJS.ErrnoException & { limit?: number }) | undefined;
  if (failure?.code === NOT_REGULAR_FILE) return 'not a regular file';
  if (failure?.code === OUTSIDE_PROJECT) return OUTSIDE_PROJECT_REASON;
  if (failure?.code === FILE_TOO_LARGE) return failure.limit !== undefined ? `larger than ${humanBytes(failure.limit)}` : 'too large';
  return (failure?.code && ERRNO_WORDS[failure.code]) ?? failure?.code ?? 'cannot be read';
}

/** errno codes a newcomer meets on the command line, in words (the code stays in brackets for searching). */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file (ENOENT)',
  EACCES: 'permission denied (EACCES)',
  EISDIR: 'it is a directory (EISDIR)',
  ENOTDIR: 'a part of the path is not a directory (ENOTDIR)',
};

/** The short reason for an error line after "Cannot write FILE: ": a missing folder is named, not a bare ENOENT. */
export function writeFailureReason(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `the folder ${path.dirname(file)} does not exist (create it first)`;
  return (code && ERRNO_WORDS[code]) ?? code ?? String(error);
}

// O_NONBLOCK: opening a FIFO for reading must not wait for a writer (it is refused right after, by fstat).
// O_NOCTTY: a terminal device never becomes the controlling terminal.
const OPEN_FLAGS = nodeFs.constants.O_RDONLY | (nodeFs.constants.O_NONBLOCK ?? 0) | (nodeFs.constants.O_NOCTTY ?? 0);

/** Opens a regular file (following symlinks); anything else is closed again and refused. */
function openRegular(file: string, maxBytes: number): { fd: number; size: number } {
  const fd = nodeFs.openSync(file, OPEN_FLAGS);
  try {
    const stat = nodeFs.fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), { code: 'EISDIR' });
    if (!stat.isFile()) throw notRegular(file);
    if (stat.size > maxBytes) throw tooLarge(file, maxBytes);
    return { fd, size: stat.size };
  } catch (error) {
    nodeFs.closeSync(fd);
    throw error;
  }
}

/** Reads an open file into `buffer` (grown through `grow`) until its end; EFBIG past `maxBytes` (the file grew). */
function readCapped(fd: number, file: string, maxBytes: number, buffer: Buffer, grow: (length: number, wanted: number) => Buffer): Buffer {
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) throw tooLarge(file, maxBytes);
      buffer = grow(length, Math.min(Math.max(buffer.length * 2, 4096), maxBytes + 1));
    }
    const wanted = buffer.length - length;
    const read = nodeFs.readSync(fd, buffer, length, wanted, null);
    length += read;
    // A short read of a regular file is its end: saves the extra read() that would return 0.
    if (read < wanted) break;
  }
  if (length > maxBytes) throw tooLarge(file, maxBytes);
  return buffer.subarray(0, length);
}

function readRegularFile(file: string, maxBytes = DEFAULT_MAX_READ_BYTES): string {
  const { fd, size } = openRegular(file, maxBytes);
  try {
    // One byte more than the size: a read of 0 there proves the end without a second allocation.
    let buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    const grow = (length: number, wanted: number) => {
      const grown = Buffer.allocUnsafe(wanted);
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
      return grown;
    };
    return readCapped(fd, file, maxBytes, buffer, grow).toString('utf8');
  } finally {
    nodeFs.closeSync(fd);
  }
}

let sharedBuffer = Buffer.allocUnsafe(1 << 20);

/**
 * open + fstat + read + close into one reused buffer (the scanner's hot path; 12,000 files in a monorepo); the buffer
 * never outgrows the cap. Without the fstat for a file the listing called regular: its size is then learnt by reading.
 */
function readBytesIntoSharedBuffer(file: string, maxBytes = DEFAULT_MAX_READ_BYTES, listedRegular = false): Uint8Array {
  const { fd, size } = listedRegular ? { fd: nodeFs.openSync(file, OPEN_FLAGS), size: 0 } : openRegular(file, maxBytes);
  try {
    if (sharedBuffer.length < size + 1) sharedBuffer = Buffer.allocUnsafe(Math.min(Math.max(size + 1, sharedBuffer.length * 2), maxBytes + 1));
    const grow = (length: number, wanted: number) => {
      const grown = Buffer.allocUnsafe(wanted);
      sharedBuffer.copy(grown, 0, 0, length);
      sharedBuffer = grown;
      return grown;
    };
    return readCapped(fd, file, maxBytes, sharedBuffer, grow);
  } finally {
    nodeFs.closeSync(fd);
  }
}

/** `name` shown with each byte that is not part of valid UTF-8 as `\xNN`. */
function escapeInvalidUtf8(bytes: Buffer): string {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const chunk = length ? bytes.subarray(i, i + length) : undefined;
    const decoded = chunk && chunk.length === length ? chunk.toString('utf8') : undefined;
    if (decoded !== undefined && !decoded.includes('\ufffd') && Buffer.byteLength(decoded) === length) {
      text += decoded;
      i += length;
    } else {
      text += `\\x${b.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return text;
}

export const nodeFileSystem: FileSystem = {
  readFile: readRegularFile,
  readBytesTransient: readBytesIntoSharedBuffer,
  realpath: (file) => nodeFs.realpathSync.native(file),
  size: (file) => {
    try {
      return nodeFs.statSync(file).size;
    } catch {
      return undefined;
    }
  },
  exists: (file) => nodeFs.existsSync(file),
  isDirectory: (file) => {
    try {
      return nodeFs.statSync(file).isDirectory();
    } catch {
      return false;
    }
  },
  readdir: (dir) => {
    // Names as text first (no Buffer per entry); only a directory with a name that did not decode (U+FFFD) is read
    // again as bytes, to tell a real U+FFFD from an invalid byte and to show that byte.
    const entries = nodeFs.readdirSync(dir, { withFileTypes: true });
    if (!entries.some((entry) => entry.name.includes('\ufffd'))) {
      return entries.map((entry) => ({
        name: entry.name,
        isFile: entry.isFile(),
        isDirectory: entry.isDirectory(),
        isSymbolicLink: entry.isSymbolicLink(),
      }));
    }
    return nodeFs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }).map((entry) => {
      const name = entry.name.toString('utf8');
      const valid = Buffer.from(name).equals(entry.name);
      return {
        name,
        isFile: entry.isFile(),
        isDirectory: entry.isDirectory(),
        isSymbolicLink: entry.isSymbolicLink(),
        ...(valid ? {} : { invalidName: escapeInvalidUtf8(entry.name) }),
      };
    });
  },
};

function enoent(file: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
}

/** An in-memory file system: keys are absolute paths ('/project/compose.yaml'), values the file text. */
export function memoryFileSystem(files: Record<string, string>): FileSystem {
  const normalized = new Map(Object.entries(files).map(([file, text]) => [path.posix.normalize(file), text]));
  const dirs = new Set<string>(['/']);
  for (const file of normalized.keys()) {
    for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
      dirs.add(dir);
      if (dir === '/' || dir === '.') break;
    }
  }
  return {
    readFile(file, maxBytes = DEFAULT_MAX_READ_BYTES) {
      const text = normalized.get(path.posix.normalize(file));
      if (text === undefined) throw enoent(file);
      if (Buffer.byteLength(text) > maxBytes) throw tooLarge(file, maxBytes);
      return text;
    },
    size: (file) => {
      const text = normalized.get(path.posix.normalize(file));
      return text === undefined ? undefined : Buffer.byteLength(text);
    },
    exists: (file) => normalized.has(path.posix.normalize(file)) || dirs.has(path.posix.normalize(file)),
    isDirectory: (file) => dirs.has(path.posix.normalize(file)),
    readdir(dir) {
      const base = path.posix.normalize(dir);
      const prefix = base === '/' ? '/' : `${base}/`;
      const entries = new Map<string, DirEntry>();
      for (const candidate of [...normalized.keys(), ...dirs]) {
        if (!candidate.startsWith(prefix) || candidate === base) continue;
        const name = candidate.slice(prefix.length).split('/')[0]!;
        if (entries.has(name)) continue;
        const isDirectory = dirs.has(prefix + name);
        entries.set(name, { name, isFile: !isDirectory, isDirectory, isSymbolicLink: false });
      }
      return [...entries.values()].sort((a, b) => byCodeUnits(a.name, b.name));
    },
  };
}

/** Whether `file` is `dir` or below it (both absolute and normalized). */
export function isWithin(dir: string, file: string): boolean {
  return file === dir || file.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** An absolute path with no `.`, `..` or empty segment and no trailing '/' (except `/`): its own lexical normal form. */
function isNormalAbsolute(file: string): boolean {
  return file === '/' || (file.startsWith('/') && !file.endsWith('/') && !/\/\.{0,2}(?:\/|$)/.test(file));
}

/**
 * The project's files only: every read (`readFile`, `readBytesTransient`, `readdir`) of a path that leaves `root` —
 * lexically (`..`, an absolute path) or once every symlink is resolved (when the base has `realpath`) — throws
 * `code: 'EOUTSIDE'` instead of reading, so no reader of deployment files, `.env`, `env_file`, `include`, generator
 * inputs or include directories can forget the check. Metadata (`exists`, `size`, `isDirectory`) stays answered:
 * it says no more than the error does. `allowed`: absolute files the operator named on the command line
 * (`--env-file`), which may live anywhere.
 *
 * A file the directory listing called regular (`listedRegular`, the scanner's hot path) is not a link, so only its
 * directory's real path is checked, once per directory.
 */
export function confinedFileSystem(base: FileSystem, root: string, allowed: readonly string[] = []): FileSystem {
  const lexicalRoot = path.posix.normalize(root);
  const allowedFiles = new Set(allowed.map((file) => path.posix.normalize(file)));
  let realRoot: string | undefined;
  const realDirs = new Map<string, boolean>();
  const realInside = (file: string): boolean => {
    if (!base.realpath) return true;
    realRoot ??= base.realpath(lexicalRoot);
    return isWithin(realRoot, base.realpath(file));
  };
  /**
   * The path to read once `file` is checked: its lexical normal form, the one whose real path was checked (reading
   * `link/../x` as written would let the kernel resolve `link` first and open a file the check never saw); an
   * operator's file as written.
   */
  const check = (file: string): string => {
    const normal = path.posix.normalize(file);
    if (allowedFiles.has(normal)) return file;
    if (!isWithin(lexicalRoot, normal) || !realInside(normal)) throw outsideProject(file);
    return normal;
  };
  /**
   * Whether a directory, keyed as written (the walk writes each one the same way), is inside the real root: one
   * realpath per directory, shared by its listing and the reads of the files listed in it. No normalising per file,
   * which was a tenth of the scanner's time on a 12,000-file tree. Only for paths already in normal form.
   * `listedDirectory` (its parent's listing called it a directory, not a link): its real path is its parent's real
   * path and its name, so it is inside when its parent is — no realpath, which resolves every component of the path
   * again (a fifth of the walk on a 12,000-file tree). A parent not checked yet is not assumed: the check is made.
   */
  const dirInside = (dir: string, listedDirectory = false): boolean => {
    let inside = realDirs.get(dir);
    if (inside === undefined) {
      const parentInside = listedDirectory && realDirs.get(dir.slice(0, dir.lastIndexOf('/')) || '/') === true;
      inside = isWithin(lexicalRoot, dir) && (parentInside || realInside(dir));
      realDirs.set(dir, inside);
    }
    return inside;
  };
  return {
    readFile(file, maxBytes) {
      return base.readFile(check(file), maxBytes);
    },
    ...(base.readBytesTransient
      ? {
          readBytesTransient(file: string, maxBytes?: number, listedRegular?: boolean) {
            if (!listedRegular || !isNormalAbsolute(file)) return base.readBytesTransient!(check(file), maxBytes, listedRegular);
            if (!dirInside(file.slice(0, file.lastIndexOf('/')) || '/')) throw outsideProject(file);
            return base.readBytesTransient!(file, maxBytes, true);
          },
        }
      : {}),
    ...(base.realpath ? { realpath: (file: string) => base.realpath!(file) } : {}),
    size: (file) => base.size(file),
    exists: (file) => base.exists(file),
    isDirectory: (file) => base.isDirectory(file),
    readdir(dir, listedDirectory) {
      if (!isNormalAbsolute(dir)) return base.readdir(check(dir));
      if (!allowedFiles.has(dir) && !dirInside(dir, listedDirectory)) throw outsideProject(dir);
      return base.readdir(dir);
    },
  };
}
