import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { formatGithub } from '../../src/report/github.js';
import { formatJunit } from '../../src/report/junit.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { formatSarif } from '../../src/report/sarif.js';
import { groupFindings } from '../../src/report/groups.js';
import { formatTable } from '../../src/report/table.js';
import { RULE_DOCS_BASE_URL, RULES } from '../../src/rules.js';
import type { Finding } from '../../src/types.js';
import { emptyReport } from './reports.js';
import { findAll, parseXml } from './xml.js';

const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Findings with arbitrary text (any code point, lone surrogates, markup, newlines) in every free-text field. */
const findingArbitrary = fc
  .record({
    rule: fc.constantFrom(...RULES.map((rule) => rule.id)),
    message: fc.string({ unit: 'binary', minLength: 1 }),
    hint: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
    queue: fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
    file: fc.option(fc.string({ unit: 'grapheme', minLength: 1 }), { nil: undefined }),
    line: fc.integer({ min: 1, max: 100_000 }),
  })
  .map(({ rule, message, hint, queue, file, line }): Finding => {
    const meta = RULES.find((candidate) => candidate.id === rule)!;
    return {
      rule,
      severity: meta.severity,
      stage: meta.stage,
      message,
      ...(hint !== undefined ? { hint } : {}),
      ...(queue !== undefined ? { queue } : {}),
      ...(file !== undefined ? { location: { file, line } } : {}),
    };
  });

describe('formats on arbitrary text', () => {
  it('junit stays well-formed and keeps every message (minus characters XML cannot carry)', () => {
    fc.assert(
      fc.property(fc.array(findingArbitrary, { maxLength: 5 }), (findings) => {
        const report = buildReport(findings, {});
        const root = parseXml(formatJunit(report, { color: false, failOn: 'warning' }));
        const failing = report.findings.filter((finding) => finding.severity !== 'info');
        const failures = findAll(root, 'failure');
        expect(failures).toHaveLength(failing.length);
        expect(failures.map((failure) => failure.attributes.message).sort()).toEqual(
          failing.map((finding) => finding.message.replace(INVALID_XML, '')).sort(),
        );
        // Below --fail-on: passing testcases that keep the text, one per info finding.
        const passed = findAll(root, 'system-out');
        expect(passed).toHaveLength(report.findings.length - failing.length);
        for (const out of passed) expect(out.text.startsWith('info: ')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('github prints exactly one command line per finding', () => {
    fc.assert(
      fc.property(fc.array(findingArbitrary, { maxLength: 5 }), (findings) => {
        const lines = formatGithub(buildReport(findings, {})).trimEnd().split('\n');
        expect(lines).toHaveLength(findings.length + 1);
        expect(lines.slice(0, -1).every((line) => /^::(error|warning|notice) [^\r\n]*::[^\r\n]*$/.test(line))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('markdown keeps one table row per cause and every finding in it; sarif stays JSON; table does not throw', () => {
    fc.assert(
      fc.property(fc.array(findingArbitrary, { maxLength: 5 }), (findings) => {
        const report = buildReport(findings, {});
        const rows = formatMarkdown(report).split('\n').filter((line) => line.startsWith('| 🔴') || line.startsWith('| 🟡') || line.startsWith('| 🔵'));
        expect(rows).toHaveLength(groupFindings(report.findings).length);
        expect(rows.join('\n').split(`](${RULE_DOCS_BASE_URL}`).length - 1).toBe(findings.length);
        expect(JSON.parse(formatSarif(report)).runs[0].results).toHaveLength(findings.length);
        expect(formatTable(report, { color: false })).toContain(report.ok ? 'OK' : 'FAIL');
      }),
      { numRuns: 200 },
    );
  });

  it('the table shows how many findings a baseline suppressed (and nothing when there is no baseline)', () => {
    const withBaseline = formatTable({ ...emptyReport(), baseline: { file: 'b.json', suppressed: 3 } }, { color: false });
    expect(withBaseline).toMatch(/3 known findings suppressed by baseline b\.json/);
    expect(formatTable(emptyReport(), { color: false })).not.toMatch(/baseline/);
  });
});
