import type { Finding, Report } from '../../src/types.js';

/** Distinct rule ids of a report, sorted. */
export const ruleIds = (report: Report | undefined) => [...new Set(report?.findings.map((finding) => finding.rule) ?? [])].sort();

export const errorFindings = (report: Report | undefined) => report?.findings.filter((finding) => finding.severity === 'error') ?? [];

/** Findings of one rule, optionally for one queue. */
export const findingsOf = (report: Report | undefined, rule: string, queue?: string): Finding[] =>
  report?.findings.filter((finding) => finding.rule === rule && (queue === undefined || finding.queue === queue)) ?? [];
