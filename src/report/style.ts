import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../types.js';

/** A chalk instance that colours only when asked (formatters stay pure: no TTY sniffing here). */
export const palette = (color: boolean): ChalkInstance => new Chalk({ level: color ? 1 : 0 });

export function severityLabel(c: ChalkInstance, severity: Severity): string {
  if (severity === 'error') return c.red.bold('error');
  if (severity === 'warning') return c.yellow('warning');
  return c.blue('info');
}

/** Milliseconds as a short human duration: 850ms, 4.2s, 3m05s, 2h10m. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Options for cli-table3 that keep the output plain (no colour codes in borders, stable width). */
export const TABLE_STYLE = { head: [] as string[], border: [] as string[], compact: true };
