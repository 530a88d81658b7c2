import { InputError } from './errors.js';
import { buildReport } from './report/build.js';
import { findingFingerprint, identity, type FindingIdentity } from './report/fingerprint.js';
import type { Finding, Report, Severity } from './types.js';
import { byCodeUnits } from './order.js';

/**
 * A baseline: the findings a team has accepted, so the gate fails only on new ones.
 * Each entry is one identity with a count, so two identical findings need two entries' worth.
 */
export interface BaselineFile {
  tool: 'receipts-doctor';
  /** Format version of the baseline file. */
  baselineVersion: 1;
  findings: BaselineEntry[];
}

/** One accepted identity; its fields are for humans reading the file, matching uses `fingerprint` only. */
export interface BaselineEntry extends FindingIdentity {
  fingerprint: string;
  count: number;
}

/** The baseline that accepts every finding of `findings`. */
export function createBaseline(findings: readonly Finding[]): BaselineFile {
  const entries = new Map<string, BaselineEntry>();
  for (const finding of findings) {
    const fingerprint = findingFingerprint(finding);
    const entry = entries.get(fingerprint);
    if (entry) entry.count++;
    else entries.set(fingerprint, { fingerprint, count: 1, ...identity(finding) });
  }
  const sorted = [...entries.values()].sort(
    (a, b) => byCodeUnits(a.rule, b.rule) || byCodeUnits(a.fingerprint, b.fingerprint),
  );
  return { tool: 'receipts-doctor', baselineVersion: 1, findings: sorted };
}

export const serializeBaseline = (baseline: BaselineFile) => `${JSON.stringify(baseline, null, 2)}\n`;

/** Parses and validates a baseline file's text; InputError naming the file on anything unexpected. */
export function parseBaseline(text: string, file: string): BaselineFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: baseline is not valid JSON (${(error as Error).message}).`);
  }
  const fail = (reason: string): never => {
    throw new InputError(`${file}: not a receipts-doctor baseline: ${reason}.`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('expected a JSON object');
  const object = data as Record<string, unknown>;
  if (object.tool !== 'receipts-doctor') fail('`tool` must be "receipts-doctor"');
  if (object.baselineVersion !== 1) fail('`baselineVersion` must be 1');
  if (!Array.isArray(object.findings)) fail('`findings` must be an array');
  const findings = (object.findings as unknown[]).map((entry, index): BaselineEntry => {
    if (typeof entry !== 'object' || entry === null) return fail(`findings[${index}] must be an object`);
    const { fingerprint, count, rule } = entry as Record<string, unknown>;
    if (typeof fingerprint !== 'string' || fingerprint === '') fail(`findings[${index}].fingerprint must be a non-empty string`);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) fail(`findings[${index}].count must be a positive integer`);
    if (typeof rule !== 'string') fail(`findings[${index}].rule must be a string`);
    return entry as BaselineEntry;
  });
  return { tool: 'receipts-doctor', baselineVersion: 1, findings };
}

/**
 * Drops the findings the baseline accepts (each entry suppresses up to `count` findings with its
 * fingerprint), recomputing the summary and verdict, and records how many were suppressed.
 */
export function applyBaseline(report: Report, baseline: BaselineFile, failOn: Severity, file: string): Report {
  const remaining = new Map<string, number>();
  for (const entry of baseline.findings) remaining.set(entry.fingerprint, (remaining.get(entry.fingerprint) ?? 0) + entry.count);
  let suppressed = 0;
  const kept = report.findings.filter((finding) => {
    const fingerprint = findingFingerprint(finding);
    const left = remaining.get(fingerprint) ?? 0;
    if (left === 0) return true;
    remaining.set(fingerprint, left - 1);
    suppressed++;
    return false;
  });
  const { static: staticSection, live, smoke } = report;
  const rebuilt = buildReport(
    kept,
    { ...(staticSection ? { static: staticSection } : {}), ...(live ? { live } : {}), ...(smoke ? { smoke } : {}) },
    failOn,
  );
  return { ...rebuilt, version: report.version, baseline: { file, suppressed } };
}
