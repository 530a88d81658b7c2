import * as path from 'node:path';
import { InputError } from '../errors.js';
import { readFailure, type FileSystem } from '../fs.js';
import { lineAt } from '../lines.js';
import type { Location } from '../types.js';

/**
 * File helpers shared by the deployment sources: capped reads of regular files (a bad or oversized deployment
 * file is an InputError at the file), a bounded walk of the conventional deployment dirs, and line lookups.
 */

/** Deployment files above this size are refused rather than parsed (real ones are a few KiB; rendered charts, a few MiB). */
export const MAX_DEPLOYMENT_FILE_BYTES = 10 * 1024 * 1024;

/** The dirs where Kubernetes manifests and kustomizations conventionally live (the root is looked at too). */
export const KUBERNETES_DIRS = [
  'k8s', 'kubernetes', 'deploy', 'deployment', 'deployments', 'manifests', 'kustomize', 'overlays', 'base', 'bases',
  'environments', 'envs', 'ops', 'infra', 'clusters',
];

/** The dirs where systemd units and supervisord programs conventionally live (besides the root). */
export const SERVICE_DIRS = ['deploy', 'deployment', 'ops', 'infra', 'etc', 'systemd', 'supervisor', 'supervisord', 'conf.d', 'config', 'conf'];

/** Dirs never walked: dependencies, VCS data, virtualenvs, build output. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'venv', '.venv', '__pycache__', 'dist', 'build', 'vendor', '.terraform']);

/** Bounds of a walk: a deployment tree is small; a pathological one must not stall discovery. */
const MAX_WALK_DEPTH = 8;
const MAX_WALK_ENTRIES = 20_000;

/** Root-relative, '/'-separated form of `absolute` ('.' for the root itself). */
export function relativeTo(root: string, absolute: string): string {
  const relative = path.posix.relative(root, absolute);
  return relative === '' ? '.' : relative;
}

/** An absolute path for a root-relative (or absolute) one. */
export function absoluteIn(root: string, file: string): string {
  return path.posix.isAbsolute(file) ? path.posix.normalize(file) : path.posix.join(root, file);
}

/** Whether `absolute` is a regular file (or a link to one). */
export function isRegularFile(fs: FileSystem, absolute: string): boolean {
  return fs.exists(absolute) && !fs.isDirectory(absolute);
}

/**
 * Reads a deployment file (`relative` to the root) with the size cap; a missing, oversized, unreadable or binary
 * file is an InputError naming it (what: "Procfile", "systemd unit", …).
 */
export function readDeploymentFile(fs: FileSystem, root: string, relative: string, what: string, from?: Location): string {
  const absolute = absoluteIn(root, relative);
  const size = fs.size(absolute);
  if (size === undefined || fs.isDirectory(absolute)) throw new InputError(`${what} ${relative} not found`, from);
  if (size > MAX_DEPLOYMENT_FILE_BYTES) {
    throw new InputError(`${what} is larger than ${MAX_DEPLOYMENT_FILE_BYTES / 1024 / 1024} MiB`, { file: relative, line: 1 });
  }
  let text: string;
  try {
    text = fs.readFile(absolute);
  } catch (error) {
    const reason = readFailure(error);
    throw new InputError(`${what} ${reason.startsWith('cannot') ? reason : `is ${reason}`}`, from ?? { file: relative, line: 1 });
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) throw new InputError(`${what} is not a text file (it holds NUL bytes)`, { file: relative, line: lineAt(text, nul) });
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** The entries of a dir, or [] when it cannot be read (discovery only looks; loading reports what is wrong). */
export function listDir(fs: FileSystem, absolute: string): ReturnType<FileSystem['readdir']> {
  try {
    return fs.readdir(absolute);
  } catch {
    return [];
  }
}

export interface WalkOptions {
  /** Stop descending into a dir for which this is true (its files are still not listed). */
  skipDir?: (relative: string, entries: ReturnType<FileSystem['readdir']>) => boolean;
}

/**
 * Regular files (root-relative, sorted) under `dirs` (root-relative), depth- and entry-bounded; symlinked dirs are not
 * followed, hidden and dependency dirs are skipped.
 */
export function walkFiles(fs: FileSystem, root: string, dirs: string[], options: WalkOptions = {}): string[] {
  const files: string[] = [];
  let entries = 0;
  const visit = (relative: string, depth: number): void => {
    if (depth > MAX_WALK_DEPTH || entries > MAX_WALK_ENTRIES) return;
    const absolute = absoluteIn(root, relative);
    const listed = listDir(fs, absolute);
    entries += listed.length;
    if (options.skipDir?.(relative, listed)) return;
    for (const entry of [...listed].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = relative === '.' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) visit(child, depth + 1);
      } else if (entry.isFile || (entry.isSymbolicLink && isRegularFile(fs, absoluteIn(root, child)))) files.push(child);
    }
  };
  for (const dir of dirs) if (fs.isDirectory(absoluteIn(root, dir))) visit(dir, 0);
  return files;
}

/** Which of `dirs` are present under the root (one readdir). */
export function presentDirs(fs: FileSystem, root: string, dirs: readonly string[]): string[] {
  const names = new Set(listDir(fs, root).filter((entry) => entry.isDirectory).map((entry) => entry.name));
  return dirs.filter((dir) => names.has(dir));
}

/** `Procfile.prod` → `prod`; names of environments must be simple. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9_.-]+$/;
