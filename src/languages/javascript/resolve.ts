import * as path from 'node:path';
import type { KnownFiles } from '../language.js';

/** `import { X } from './mod'` → './mod.ts', './mod/index.ts', './mod.js' (a `.js` specifier may be a `.ts` source). */
export function resolveJsModule(file: string, specifier: string, known: KnownFiles): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  const stem = base.replace(/\.(?:[cm]?js|jsx)$/, '');
  const candidates = [
    base,
    ...['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'].map((ext) => stem + ext),
    ...['ts', 'tsx', 'js', 'mjs'].map((ext) => `${base}/index.${ext}`),
  ];
  return candidates.find((candidate) => known.has(candidate));
}
