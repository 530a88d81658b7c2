import { expect } from 'vitest';
import type { Finding, Report } from '../../src/types.js';
import { fixture, runJson } from './cli.js';

/** Distinct rule ids of a report, sorted. */
export const ruleIds = (report: Report | undefined) => [...new Set(report?.findings.map((finding) => finding.rule) ?? [])].sort();

export const errorFindings = (report: Report | undefined) => report?.findings.filter((finding) => finding.severity === 'error') ?? [];

/** Findings of one rule, optionally for one queue. */
export const findingsOf = (report: Report | undefined, rule: string, queue?: string): Finding[] =>
  report?.findings.filter((finding) => finding.rule === rule && (queue === undefined || finding.queue === queue)) ?? [];

/** The static report of fixtures/scenarios/<name> (the CLI as a process; nothing on stderr). */
export async function scenarioReport(name: string, ...args: string[]): Promise<Report> {
  const result = await runJson(['static', fixture('scenarios', name), ...args]);
  expect(result.stderr).toBe('');
  return result.report as Report;
}

/** The one finding of `rule` (in `environment`, when given); fails unless there is exactly one. */
export function onlyFinding(report: Report, rule: string, environment?: string): Finding {
  const found = report.findings.filter((f) => f.rule === rule && (environment === undefined || f.environment === environment));
  expect(found, rule).toHaveLength(1);
  return found[0]!;
}
