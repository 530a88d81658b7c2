import { RULES } from '../rules.js';
import type { Finding, Report, Severity, Stage } from '../types.js';
import { failsAt } from './build.js';
import type { FormatOptions } from './format.js';

const STAGES: readonly Stage[] = ['static', 'live', 'smoke'];

/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF) are dropped. */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text content and attribute values alike; CR/LF/TAB as references so attributes keep them. */
export function escapeXml(text: string, attribute = false): string {
  const escaped = text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
  return attribute ? escaped.replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;') : escaped;
}

const attributes = (values: Record<string, string | number | undefined>) =>
  Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value), true)}"`)
    .join('');

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** What a finding is about, to tell its testcase from the rule's others (`default @ prod`). */
function subject(finding: Finding): string {
  const parts = [
    finding.queue,
    finding.environment && `@ ${finding.environment}`,
    finding.service && `service ${finding.service}`,
    finding.worker && `worker ${finding.worker}`,
    finding.location && `${finding.location.file}:${finding.location.line}`,
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : finding.message;
}

function failureText(finding: Finding): string {
  const lines = [finding.message];
  if (finding.hint) lines.push(finding.hint);
  if (finding.location) lines.push(`at ${finding.location.file}:${finding.location.line}`);
  for (const related of finding.related ?? []) {
    lines.push(`- ${related.message}${related.file ? ` (${related.file}${related.line ? `:${related.line}` : ''})` : ''}`);
  }
  return lines.join('\n');
}

interface Testcase {
  xml: string;
  failed: boolean;
}

function testcases(stage: Stage, findings: readonly Finding[], failOn: Severity): Testcase[] {
  const ids = [...RULES.filter((rule) => rule.stage === stage).map((rule) => rule.id)];
  for (const finding of findings) if (!ids.includes(finding.rule)) ids.push(finding.rule);
  const cases: Testcase[] = [];
  for (const id of ids) {
    const classname = `receipts-doctor.${stage}.${id}`;
    const matching = findings.filter((finding) => finding.rule === id);
    if (matching.length === 0) {
      cases.push({ xml: `    <testcase${attributes({ classname, name: id, time: '0.000' })}/>`, failed: false });
      continue;
    }
    for (const finding of matching) {
      const head = attributes({
        classname,
        name: `${id}: ${subject(finding)}`,
        file: finding.location?.file,
        line: finding.location?.line,
        time: '0.000',
      });
      // Below --fail-on a finding does not fail the gate, so it is a passing test that still carries its text.
      const failed = failsAt([finding], failOn);
      const body = failed
        ? `<failure${attributes({ message: finding.message, type: finding.severity })}>${escapeXml(failureText(finding))}</failure>`
        : `<system-out>${escapeXml(`${finding.severity}: ${failureText(finding)}`)}</system-out>`;
      cases.push({ xml: `    <testcase${head}>\n      ${body}\n    </testcase>`, failed });
    }
  }
  return cases;
}

/**
 * JUnit XML for GitLab/Jenkins test reports: one testsuite per stage that ran (or reported), one
 * testcase per rule it checks — passing when the rule found nothing, one testcase per finding: failing when the
 * finding is at or above `--fail-on` (as the exit code), passing with the finding in `system-out` below it.
 */
export function formatJunit(report: Report, options?: FormatOptions): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let totalMs = 0;
  for (const stage of STAGES) {
    const findings = report.findings.filter((finding) => finding.stage === stage);
    const section = report[stage];
    if (!section && findings.length === 0) continue;
    const cases = testcases(stage, findings, options?.failOn ?? 'error');
    const failed = cases.filter((testcase) => testcase.failed).length;
    tests += cases.length;
    failures += failed;
    totalMs += section?.durationMs ?? 0;
    const head = attributes({
      name: `receipts-doctor ${stage}`,
      tests: cases.length,
      failures: failed,
      errors: 0,
      skipped: 0,
      time: seconds(section?.durationMs),
    });
    suites.push(`  <testsuite${head}>\n${cases.map((testcase) => testcase.xml).join('\n')}\n  </testsuite>`);
  }
  const root = attributes({ name: 'receipts-doctor', tests, failures, errors: 0, time: seconds(totalMs) });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    suites.length ? `<testsuites${root}>\n${suites.join('\n')}\n</testsuites>` : `<testsuites${root}/>`,
    '',
  ].join('\n');
}
