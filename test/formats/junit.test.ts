import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { escapeXml, formatJunit } from '../../src/report/junit.js';
import { RULES } from '../../src/rules.js';
import { cleanStaticReport, emptyReport, FINDING_BY_RULE, fullReport } from './reports.js';
import { findAll, parseXml } from './xml.js';
import { fixture, runCli } from '../helpers/cli.js';
import type { Finding } from '../../src/types.js';

const int = (value: string | undefined) => Number.parseInt(value ?? 'NaN', 10);

/** The testcase name's subject, as the formatter builds it (queue, environment, service, worker, location). */
const subjectOf = (finding: Finding) =>
  [
    finding.queue,
    finding.environment && `@ ${finding.environment}`,
    finding.service && `service ${finding.service}`,
    finding.worker && `worker ${finding.worker}`,
    finding.location && `${finding.location.file}:${finding.location.line}`,
  ]
    .filter(Boolean)
    .join(' ') || finding.message;

describe('junit format', () => {
  it('the XML checker rejects malformed documents (it can fail)', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow();
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow();
    expect(() => parseXml('<a>AT&T</a>')).toThrow();
    expect(() => parseXml('<a x="<"/>')).toThrow();
    expect(() => parseXml('<a>\u0001</a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
    expect(parseXml('<?xml version="1.0"?><a x="&lt;&#10;">&amp;&#x41;</a>')).toMatchObject({ attributes: { x: '<\n' }, text: '&A' });
  });

  it('an empty report is a well-formed empty testsuites element', () => {
    const root = parseXml(formatJunit(emptyReport()));
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '0', failures: '0', errors: '0' });
    expect(root.children).toEqual([]);
  });

  it('a clean static run: one suite, one passing testcase per static rule', () => {
    const root = parseXml(formatJunit(cleanStaticReport()));
    const suites = findAll(root, 'testsuite');
    expect(suites).toHaveLength(1);
    const staticRules = RULES.filter((rule) => rule.stage === 'static');
    expect(int(suites[0]!.attributes.tests)).toBe(staticRules.length);
    expect(int(suites[0]!.attributes.failures)).toBe(0);
    expect(findAll(root, 'testcase').map((testcase) => testcase.attributes.name)).toEqual(staticRules.map((rule) => rule.id));
    expect(findAll(root, 'failure')).toEqual([]);
  });

  it.each(['error', 'warning', 'info'] as const)(
    'findings from every stage, --fail-on %s: one suite per stage, only findings at or above it fail, the others pass with their text',
    (failOn) => {
      const report = fullReport();
      const atOrAbove = (severity: string) => ['error', 'warning', 'info'].indexOf(severity) <= ['error', 'warning', 'info'].indexOf(failOn);
      const root = parseXml(formatJunit(report, { color: false, failOn }));
      const suites = findAll(root, 'testsuite');
      expect(suites.map((suite) => suite.attributes.name)).toEqual(['receipts-doctor static', 'receipts-doctor live', 'receipts-doctor smoke']);
      let totalTests = 0;
      for (const [index, stage] of (['static', 'live', 'smoke'] as const).entries()) {
        const suite = suites[index]!;
        const cases = suite.children.filter((child) => child.name === 'testcase');
        const failures = cases.filter((testcase) => testcase.children.some((child) => child.name === 'failure'));
        const passedWithText = cases.filter((testcase) => testcase.children.some((child) => child.name === 'system-out'));
        const findings = report.findings.filter((finding) => finding.stage === stage);
        const failing = findings.filter((finding) => atOrAbove(finding.severity));
        const rulesWithout = RULES.filter((rule) => rule.stage === stage && !findings.some((finding) => finding.rule === rule.id));
        expect(int(suite.attributes.tests)).toBe(cases.length);
        expect(int(suite.attributes.failures)).toBe(failing.length);
        expect(failures).toHaveLength(failing.length);
        expect(passedWithText).toHaveLength(findings.length - failing.length);
        for (const testcase of passedWithText) {
          const finding = findings.find((candidate) => testcase.attributes.name === `${candidate.rule}: ${subjectOf(candidate)}`);
          expect(finding, testcase.attributes.name).toBeDefined();
          expect(atOrAbove(finding!.severity)).toBe(false);
          expect(testcase.children.find((child) => child.name === 'system-out')!.text).toContain(finding!.message);
        }
        expect(cases).toHaveLength(findings.length + rulesWithout.length);
        totalTests += cases.length;
      }
      const failingTotal = report.findings.filter((finding) => atOrAbove(finding.severity)).length;
      expect(failingTotal).toBeGreaterThan(0);
      if (failOn !== 'info') expect(failingTotal).toBeLessThan(report.findings.length);
      expect(int(root.attributes.tests)).toBe(totalTests);
      expect(int(root.attributes.failures)).toBe(failingTotal);
      expect(findAll(root, 'failure')).toHaveLength(failingTotal);
      const located = findAll(root, 'testcase').filter((testcase) => testcase.attributes.file);
      expect(located).toHaveLength(report.findings.filter((finding) => finding.location).length);
      for (const failure of findAll(root, 'failure')) expect(['error', 'warning', 'info']).toContain(failure.attributes.type);
    },
  );

  it('without --fail-on the threshold is error: warnings and info are passing testcases', () => {
    const root = parseXml(formatJunit(fullReport()));
    expect(int(root.attributes.failures)).toBe(fullReport().findings.filter((finding) => finding.severity === 'error').length);
    for (const failure of findAll(root, 'failure')) expect(failure.attributes.type).toBe('error');
  });

  it('the CLI: info findings of a passing check are no failures (exit 0, failures="0")', async () => {
    const result = await runCli(['check', fixture('prosaas'), '--format', 'junit']);
    expect(result.exitCode).toBe(0);
    const root = parseXml(result.stdout);
    expect(root.attributes.failures).toBe('0');
    expect(findAll(root, 'failure')).toEqual([]);
    const infos = findAll(root, 'system-out');
    expect(infos.length).toBeGreaterThan(0);
    for (const out of infos) expect(out.text).toMatch(/^info: /);
    const strict = parseXml((await runCli(['check', fixture('prosaas'), '--format', 'junit', '--fail-on', 'info'])).stdout);
    expect(int(strict.attributes.failures)).toBe(infos.length);
  });

  it('round-trips markup characters and strips characters XML 1.0 cannot carry', () => {
    const message = 'Job <1> & "two" \'three\' ]]> failed\u0000\u001b[31m\uD800 \u{1F600}';
    const finding = { ...FINDING_BY_RULE['smoke-job-failed']!, message };
    const root = parseXml(formatJunit(buildReport([finding], {})));
    const failure = findAll(root, 'failure')[0]!;
    const expected = 'Job <1> & "two" \'three\' ]]> failed[31m \u{1F600}';
    expect(failure.attributes.message).toBe(expected);
    expect(failure.text.split('\n')[0]).toBe(expected);
    expect(escapeXml('a\nb', true)).toBe('a&#10;b');
  });
});
