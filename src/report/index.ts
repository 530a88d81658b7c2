import { InputError } from '../errors.js';
import type { Formatter } from './format.js';

/**
 * The registry: format name → loader of its pure formatter. Loaded on use, so a `--format json` run never
 * pays for the table's cli-table3 and chalk.
 */
export const FORMATTERS: Record<string, () => Promise<Formatter>> = {
  table: async () => (await import('./table.js')).formatTable,
  json: async () => (await import('./json.js')).formatJson,
  sarif: async () => (await import('./sarif.js')).formatSarif,
  github: async () => (await import('./github.js')).formatGithub,
  junit: async () => (await import('./junit.js')).formatJunit,
  markdown: async () => (await import('./markdown.js')).formatMarkdown,
  openmetrics: async () => (await import('./openmetrics.js')).formatOpenMetrics,
};

/** The valid `--format` names, in the registry's order. */
export const FORMAT_NAMES = Object.keys(FORMATTERS);

/** Rejects an unknown format name with an input error that lists the valid ones. */
export function assertFormat(name: string): void {
  if (!Object.hasOwn(FORMATTERS, name)) {
    throw new InputError(`Unknown format \`${name}\`; valid formats: ${FORMAT_NAMES.join(', ')}.`);
  }
}

export async function getFormatter(name: string): Promise<Formatter> {
  assertFormat(name);
  return FORMATTERS[name]!();
}
