import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../types.js';

/** A chalk instance that colours only when asked (formatters stay pure: no TTY sniffing here). */
export const palette = (color: boolean): ChalkInstance => new Chalk({ level: color ? 1 : 0 });

export function severityLabel(c: ChalkInstance, severity: Severity): string {
  if (severity === 'error') return c.red.bold('error');
  if (severity === 'warning') return c.yellow('warning');
  return c.blue('info');
}

/** Options for cli-table3 that keep the output plain (no colour codes in borders, stable width). */
export const TABLE_STYLE = { head: [] as string[], border: [] as string[], compact: true };
