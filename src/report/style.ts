import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../types.js';

/** A chalk instance that colours only when asked (formatters stay pure: no TTY sniffing here). */
export const palette = (color: boolean): ChalkInstance => new Chalk({ level: color ? 1 : 0 });

export function severityLabel(c: ChalkInstance, severity: Severity): string {
  if (severity === 'error') return c.red.bold('error');
  if (severity === 'warning') return c.yellow('warning');
  return c.blue('info');
}

// Celery's live proof (src/frameworks/celery/live-proof.ts) still takes it from here; its home is src/wording.ts.
export { humanDuration } from '../wording.js';

/** Options for cli-table3 that keep the output plain (no colour codes in borders, stable width). */
export const TABLE_STYLE = { head: [] as string[], border: [] as string[], compact: true };
