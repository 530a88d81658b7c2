import type { KnownFiles } from '../language.js';

/** `Billing::InvoiceJob` → `billing/invoice_job` (ActiveSupport's `underscore`, as Zeitwerk names files). */
export function underscore(path: string): string {
  return path
    .split('::')
    .map((part) => part.replace(/([A-Z\d]+)([A-Z][a-z])/g, '$1_$2').replace(/([a-z\d])([A-Z])/g, '$1_$2').toLowerCase())
    .join('/');
}

/**
 * The autoload specifier of a constant used in a file: a class or module (`HardJob` → `hard_job`) is its own file;
 * a constant in SCREAMING_CASE (`Queues::CRITICAL`) lives in its namespace's file (`queues`). Undefined for a
 * top-level SCREAMING_CASE constant (no file to look in).
 */
export function autoloadSpecifier(path: string): string | undefined {
  // Far longer than any class name: not looked up (and `underscore` stays cheap).
  if (path.length > 256) return undefined;
  const parts = path.split('::');
  const last = parts.at(-1)!;
  if (/^[A-Z][A-Z\d_]*$/.test(last) && last.length > 1) return parts.length > 1 ? underscore(parts.slice(0, -1).join('::')) : undefined;
  return underscore(path);
}

/** Rails' autoload roots: every directory directly under app/ (app/models, app/jobs, app/workers, …), their concerns, and lib/. */
const AUTOLOAD_ROOT = /^(?:(?:.*\/)?app\/[^/]+\/(?:concerns\/)?|(?:.*\/)?lib\/)/;

const indexes = new WeakMap<KnownFiles, Map<string, string>>();

/** Every known Ruby file under an autoload root, by the specifier it defines (the first in path order wins). */
function autoloadIndex(known: KnownFiles): Map<string, string> {
  let index = indexes.get(known);
  if (index) return index;
  index = new Map();
  for (const file of [...(known.values?.() ?? [])].filter((file) => file.endsWith('.rb')).sort()) {
    const root = AUTOLOAD_ROOT.exec(file);
    if (!root) continue;
    const specifier = file.slice(root[0].length, -3);
    if (!index.has(specifier)) index.set(specifier, file);
  }
  indexes.set(known, index);
  return index;
}

/** An autoload specifier (`billing/invoice_job`) → the project file that defines it. */
export function resolveRubyModule(_file: string, specifier: string, known: KnownFiles): string | undefined {
  return autoloadIndex(known).get(specifier);
}
