import type { Report } from '../types.js';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `2 errors, 1 warning, 0 info` */
export const countsText = (report: Report) =>
  `${plural(report.summary.error, 'error')}, ${plural(report.summary.warning, 'warning')}, ${report.summary.info} info`;

/**
 * The stages that ran or produced a finding, in order (`static + live`): a live stage that could not reach Redis
 * has no section but a `live-unreachable` finding, and the verdict must not read `(static)` for a live failure.
 */
export const reportStages = (report: Report) =>
  (['static', 'live', 'smoke'] as const).filter((stage) => report[stage] || report.findings.some((finding) => finding.stage === stage));

export const stagesText = (report: Report) => reportStages(report).join(' + ');

/** `OK`, `FAIL`, or `INTERRUPTED` (Ctrl-C during `check`: a stage did not finish, so nothing says the run is OK). */
export const verdictWord = (report: Report) => (report.interrupted ? 'INTERRUPTED' : report.ok ? 'OK' : 'FAIL');

/** `FAIL 2 errors, 1 warning, 0 info (static + live); 3 baselined` — plain text for the CI formats. */
export function verdictLine(report: Report): string {
  const stages = stagesText(report);
  const baseline = report.baseline ? `; ${report.baseline.suppressed} suppressed by baseline ${report.baseline.file}` : '';
  return `${verdictWord(report)} ${countsText(report)}${stages ? ` (${stages})` : ''}${baseline}`;
}
