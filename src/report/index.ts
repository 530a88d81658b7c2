import { InputError } from '../errors.js';
import type { Report, Severity } from '../types.js';

export interface FormatOptions {
  /** ANSI colours (only on a TTY, never with NO_COLOR). */
  color: boolean;
  verbose?: boolean;
  /** Table: the findings and the verdict only (the stage views are left out; the verdict still names the stages). */
  quiet?: boolean;
  /** The gate's threshold (default `error`): JUnit counts only findings at or above it as failures. */
  failOn?: Severity;
}

/** A formatter is a pure function of the report. */
export type Formatter = (report: Report, options: FormatOptions) => string;

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
