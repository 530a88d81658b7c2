import * as nodeFs from 'node:fs';
import * as path from 'node:path';

export interface DirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
}

/**
 * File access injected into the pure cores (compose loader, scanner), so the same code runs on
 * in-memory fixtures in tests and on disk in the CLI. Paths are absolute, '/'-separated.
 */
export interface FileSystem {
  /** Reads a UTF-8 text file; throws an error with `code: 'ENOENT'` when it does not exist. */
  readFile(file: string): string;
  /** Size in bytes, or undefined when the file does not exist. */
  size(file: string): number | undefined;
  exists(file: string): boolean;
  isDirectory(file: string): boolean;
  readdir(dir: string): DirEntry[];
  /**
   * Optional: the raw bytes of a file, without UTF-8 decoding, so a scanner can test many files cheaply and
   * decode only those it keeps. The view may share a buffer that the next call overwrites: copy what you keep.
   * Throws like readFile.
   */
  readBytesTransient?(file: string): Uint8Array;
}

let sharedBuffer = Buffer.allocUnsafe(1 << 20);

/** open + read + close into one reused buffer: no per-file allocation, no fstat (the scanner's hot path). */
function readBytesIntoSharedBuffer(file: string): Uint8Array {
  const fd = nodeFs.openSync(file, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === sharedBuffer.length) {
        const grown = Buffer.allocUnsafe(sharedBuffer.length * 2);
        sharedBuffer.copy(grown, 0, 0, length);
        sharedBuffer = grown;
      }
      const wanted = sharedBuffer.length - length;
      const read = nodeFs.readSync(fd, sharedBuffer, length, wanted, null);
      length += read;
      // A short read of a regular file is its end: saves the extra read() that would return 0.
      if (read < wanted) break;
    }
    return sharedBuffer.subarray(0, length);
  } finally {
    nodeFs.closeSync(fd);
  }
}

export const nodeFileSystem: FileSystem = {
  readFile: (file) => nodeFs.readFileSync(file, 'utf8'),
  readBytesTransient: readBytesIntoSharedBuffer,
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
  readdir: (dir) =>
    nodeFs.readdirSync(dir, { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      isFile: entry.isFile(),
      isDirectory: entry.isDirectory(),
      isSymbolicLink: entry.isSymbolicLink(),
    })),
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
    readFile(file) {
      const text = normalized.get(path.posix.normalize(file));
      if (text === undefined) throw enoent(file);
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
      return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
