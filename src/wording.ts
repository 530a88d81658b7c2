/** The words findings, reports and progress lines share, written once. */

/**
 * How a finding names an environment: "environment `default`", never a bare "`default`" a reader takes for a
 * queue (docs/CONTRACT.md §3). Every message, hint and `fix` line names environments through this.
 */
export const environmentName = (name: string): string => `environment \`${name}\``;

/** Milliseconds as a short human duration: 850ms, 4.2s, 3m05s, 2h10m (findings, the table, markdown, the smoke's progress). */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
