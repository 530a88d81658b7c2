import { InputError } from '../errors.js';
import type { Report } from '../types.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatSarif } from './sarif.js';
import { formatTable } from './table.js';

export interface FormatOptions {
  /** ANSI colours (only on a TTY, never with NO_COLOR). */
  color: boolean;
  verbose?: boolean;
}

/** A formatter is a pure function of the report. */
export type Formatter = (report: Report, options: FormatOptions) => string;

export const FORMATTERS: Record<string, Formatter> = {
  table: formatTable,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
  junit: formatJunit,
  markdown: formatMarkdown,
};

export const FORMAT_NAMES = ['table', 'json', 'sarif', 'github', 'junit', 'markdown'] as const;

export function getFormatter(name: string): Formatter {
  const formatter = Object.hasOwn(FORMATTERS, name) ? FORMATTERS[name] : undefined;
  if (!formatter) {
    throw new InputError(`Unknown format \`${name}\`; valid formats: ${Object.keys(FORMATTERS).join(', ')}.`);
  }
  return formatter;
}
