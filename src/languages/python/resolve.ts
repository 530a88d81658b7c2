import * as path from 'node:path';
import type { KnownFiles } from '../language.js';

/** `from pkg.mod import X` / `from .mod import X` → the module's file, relative to the root. */
export function resolvePythonModule(file: string, module: string, known: KnownFiles): string | undefined {
  const dots = /^\.*/.exec(module)![0].length;
  const parts = module.slice(dots).split('.').filter(Boolean);
  const candidates = (dir: string) => {
    const base = [dir, ...parts].filter(Boolean).join('/');
    return parts.length ? [`${base}.py`, `${base}/__init__.py`] : [`${base ? `${base}/` : ''}__init__.py`];
  };
  let dir = path.posix.dirname(file);
  if (dir === '.') dir = '';
  if (dots > 0) {
    for (let up = 1; up < dots; up++) dir = dir.includes('/') ? path.posix.dirname(dir) : '';
    return candidates(dir).find((candidate) => known.has(candidate));
  }
  // Absolute import: the importing file's directory and its ancestors are the possible source roots.
  for (;;) {
    const found = candidates(dir).find((candidate) => known.has(candidate));
    if (found) return found;
    if (!dir) break;
    dir = dir.includes('/') ? path.posix.dirname(dir) : '';
  }
  for (const candidate of candidates('src')) if (known.has(candidate)) return candidate;
  return undefined;
}
