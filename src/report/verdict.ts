import type { Report } from '../types.js';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `2 errors, 1 warning, 0 info` */
export const countsText = (report: Report) =>
  `${plural(report.summary.error, 'error')}, ${plural(report.summary.warning, 'warning')}, ${report.summary.info} info`;

/** The stages that ran, in order (`static + live`). */
export const stagesText = (report: Report) => (['static', 'live', 'smoke'] as const).filter((stage) => report[stage]).join(' + ');

/** `FAIL 2 errors, 1 warning, 0 info (static + live); 3 baselined` — plain text for the CI formats. */
export function verdictLine(report: Report): string {
  const stages = stagesText(report);
  const baseline = report.baseline ? `; ${report.baseline.suppressed} suppressed by baseline ${report.baseline.file}` : '';
  return `${report.ok ? 'OK' : 'FAIL'} ${countsText(report)}${stages ? ` (${stages})` : ''}${baseline}`;
}
