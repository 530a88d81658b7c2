import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { lazyBuiltin } from './lazy-builtin.js';

/** Only `--output` and `fix --write` write a file; every run loads this module (the CLI's output options). */
const crypto = lazyBuiltin<typeof import('node:crypto')>('node:crypto');

/**
 * Replaces a file atomically and safely in a directory that others may write to (a repository under check, a
 * shared output dir): the text goes to a temp file beside the target, created exclusively (O_CREAT|O_EXCL: a
 * symlink or file planted at its name makes the open fail instead of being followed or overwritten) under a name
 * no other run uses (pid + random), then renamed over the target. The target keeps its mode and owner; a reader
 * (a textfile collector, an editor) sees the old file or the new one, never half of one.
 */
export interface AtomicWriteOptions {
  /** Mode of the new file (default: the target's, else 0o666 less the umask). */
  mode?: number;
  /** Owner to keep (default: the target's when it exists); a change the process may not make throws EPERM. */
  owner?: { uid: number; gid: number };
  /** Called with the temp file written and synced, just before the rename: throw to abandon the write. */
  beforeRename?: () => void;
}

/** Writes `data` to `target` atomically; throws the failing call's error (the temp file is removed). */
export function writeFileAtomically(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const existing = statIfPresent(target);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.receipts-doctor-${process.pid}-${crypto().randomBytes(6).toString('hex')}.tmp`);
  const mode = options.mode ?? (existing ? existing.mode & 0o7777 : undefined);
  const owner = options.owner ?? (existing ? { uid: existing.uid, gid: existing.gid } : undefined);
  const fd = nodeFs.openSync(temp, nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_EXCL | (nodeFs.constants.O_NOFOLLOW ?? 0), mode ?? 0o666);
  try {
    try {
      nodeFs.writeFileSync(fd, data);
      if (mode !== undefined) nodeFs.fchmodSync(fd, mode);
      const created = nodeFs.fstatSync(fd);
      if (owner && (created.uid !== owner.uid || created.gid !== owner.gid)) nodeFs.fchownSync(fd, owner.uid, owner.gid);
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
    options.beforeRename?.();
    nodeFs.renameSync(temp, target);
  } catch (error) {
    nodeFs.rmSync(temp, { force: true });
    throw error;
  }
}

function statIfPresent(file: string): nodeFs.Stats | undefined {
  try {
    return nodeFs.statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Why `--output FILE` may not be written, or undefined when it is a regular file or absent: a symlink (it would be
 * replaced, or followed to a place of the link's choosing), a directory, a device, a FIFO or a socket.
 */
export function outputRefusal(file: string): string | undefined {
  let stat: nodeFs.Stats;
  try {
    stat = nodeFs.lstatSync(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `cannot be inspected (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (stat.isSymbolicLink()) return 'is a symlink (only a regular file is written)';
  if (stat.isDirectory()) return 'is a directory';
  if (!stat.isFile()) return 'is not a regular file (a device, FIFO or socket)';
  return undefined;
}
