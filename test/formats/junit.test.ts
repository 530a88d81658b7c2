import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { escapeXml, formatJunit } from '../../src/report/junit.js';
import { RULES } from '../../src/rules.js';
import { cleanStaticReport, emptyReport, FINDING_BY_RULE, fullReport } from './reports.js';
import { findAll, parseXml } from './xml.js';

const int = (value: string | undefined) => Number.parseInt(value ?? 'NaN', 10);

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

  it('findings from every stage: one suite per stage, counts match, one failure per finding', () => {
    const report = fullReport();
    const root = parseXml(formatJunit(report));
    const suites = findAll(root, 'testsuite');
    expect(suites.map((suite) => suite.attributes.name)).toEqual(['receipts-doctor static', 'receipts-doctor live', 'receipts-doctor smoke']);
    let totalTests = 0;
    let totalFailures = 0;
    for (const [index, stage] of (['static', 'live', 'smoke'] as const).entries()) {
      const suite = suites[index]!;
      const cases = suite.children.filter((child) => child.name === 'testcase');
      const failures = cases.filter((testcase) => testcase.children.some((child) => child.name === 'failure'));
      const findings = report.findings.filter((finding) => finding.stage === stage);
      const rulesWithout = RULES.filter((rule) => rule.stage === stage && !findings.some((finding) => finding.rule === rule.id));
      expect(int(suite.attributes.tests)).toBe(cases.length);
      expect(int(suite.attributes.failures)).toBe(failures.length);
      expect(failures).toHaveLength(findings.length);
      expect(cases).toHaveLength(findings.length + rulesWithout.length);
      totalTests += cases.length;
      totalFailures += failures.length;
    }
    expect(int(root.attributes.tests)).toBe(totalTests);
    expect(int(root.attributes.failures)).toBe(report.findings.length);
    expect(totalFailures).toBe(report.findings.length);
    const located = findAll(root, 'testcase').filter((testcase) => testcase.attributes.file);
    expect(located).toHaveLength(report.findings.filter((finding) => finding.location).length);
    for (const failure of findAll(root, 'failure')) expect(['error', 'warning', 'info']).toContain(failure.attributes.type);
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
