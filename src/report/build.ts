import type { Finding, LiveSection, Report, Severity, SmokeSection, StaticSection, Summary } from '../types.js';
import { VERSION } from '../version.js';
import { byCodeUnits } from '../order.js';

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const STAGE_RANK = { static: 0, live: 1, smoke: 2 } as const;

const compareText = (a: string | undefined, b: string | undefined) => byCodeUnits(a ?? '', b ?? '');

/** Project-config severity overrides per rule id; `off` drops the rule's findings. */
export function applyOverrides(findings: Finding[], overrides: Record<string, Severity | 'off'> | undefined): Finding[] {
  if (!overrides) return findings;
  return findings.flatMap((finding) => {
    const override = Object.hasOwn(overrides, finding.rule) ? overrides[finding.rule] : undefined;
    if (override === 'off') return [];
    return override ? [{ ...finding, severity: override }] : [finding];
  });
}

/** docs/CONTRACT.md §3 order: severity, stage, rule, queue, environment (then location, for a stable output). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    STAGE_RANK[a.stage] - STAGE_RANK[b.stage] ||
    compareText(a.rule, b.rule) ||
    compareText(a.queue, b.queue) ||
    compareText(a.environment, b.environment) ||
    compareText(a.service ?? a.worker, b.service ?? b.worker) ||
    compareText(a.location?.file, b.location?.file) ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0)
  );
}

export function summarize(findings: readonly Finding[]): Summary {
  const summary: Summary = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) summary[finding.severity]++;
  return summary;
}

/** True when some finding is at or above the threshold. */
export function failsAt(findings: readonly Finding[], failOn: Severity): boolean {
  return findings.some((finding) => SEVERITY_RANK[finding.severity] <= SEVERITY_RANK[failOn]);
}

export interface ReportSections {
  static?: StaticSection;
  live?: LiveSection;
  smoke?: SmokeSection;
}

export function buildReport(findings: readonly Finding[], sections: ReportSections, failOn: Severity = 'error'): Report {
  const sorted = [...findings].sort(compareFindings);
  const report: Report = {
    tool: 'receipts-doctor',
    version: VERSION,
    ok: !failsAt(sorted, failOn),
    summary: summarize(sorted),
    findings: sorted,
  };
  if (sections.static) report.static = sections.static;
  if (sections.live) report.live = sections.live;
  if (sections.smoke) report.smoke = sections.smoke;
  return report;
}
