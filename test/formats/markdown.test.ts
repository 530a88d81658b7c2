import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { coverageMatrix } from '../../src/report/coverage.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { emptyReport, FINDING_BY_RULE, fullReport, STATIC_SECTION } from './reports.js';

/** The rows of the Markdown table under `heading`, split into cells (escaped pipes kept inside cells). */
function table(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(2, -2).split(/(?<!\\)\| /).map((cell) => cell.trim()));
  }
  return rows;
}

describe('markdown format', () => {
  it('an empty report: a passing verdict and no tables', () => {
    const markdown = formatMarkdown(emptyReport());
    expect(markdown.split('\n')[0]).toMatch(/^## .*OK/);
    expect(markdown).not.toContain('|');
  });

  it('a report with findings of every stage: failing verdict, coverage matrix, one row per cause', () => {
    const report = fullReport();
    const markdown = formatMarkdown(report);
    expect(markdown.split('\n')[0]).toMatch(/^## .*FAIL/);
    expect(markdown).toContain(`${report.summary.error} errors`);

    const coverage = table(markdown, '### Queue coverage');
    const matrix = coverageMatrix(STATIC_SECTION);
    expect(coverage[0]).toEqual(['queue', 'enqueued', ...matrix.environments]);
    expect(coverage.slice(2)).toHaveLength(matrix.rows.length);
    const defaultRow = coverage.find((row) => row[0] === '`default`')!;
    expect(defaultRow[matrix.environments.indexOf('prod') + 2]).toContain('no worker');

    // One row per cause: the `default` errors of static, live and smoke share the row of their headline.
    const findings = table(markdown, '### Findings').slice(2);
    const grouped = ['queue-without-worker', 'config-live-drift', 'live-queue-without-worker', 'smoke-http-status'];
    expect(findings).toHaveLength(report.findings.length - (grouped.length - 1));
    const links = (cell: string) => [...cell.matchAll(/docs\/rules\/([a-z-]+)\.md/g)].map((match) => match[1]);
    // Every finding is still there, exactly once.
    expect(findings.flatMap((row) => [...links(row[2]!), ...links(row[3]!)]).sort()).toEqual(report.findings.map((finding) => finding.rule).sort());
    const headline = findings.find((row) => row[2]!.includes('docs/rules/queue-without-worker.md'))!;
    expect(headline[3]).toContain('+ 3 more findings with the same cause (queue `default`)');
    expect(links(headline[3]!)).toEqual(['config-live-drift', 'live-queue-without-worker', 'smoke-http-status']);
    for (const row of findings) {
      expect(row).toHaveLength(5);
      const finding = report.findings.find((candidate) => row[2]!.includes(`docs/rules/${candidate.rule}.md`))!;
      expect(row[0]).toContain(finding.severity);
      expect(row[1]).toBe(finding.stage);
      expect(row[4] !== '').toBe(finding.location !== undefined);
    }
  });

  it('cells cannot break the table or inject HTML', () => {
    const finding = { ...FINDING_BY_RULE['smoke-job-failed']!, message: 'a | b\n<script>alert(1)</script>' };
    const markdown = formatMarkdown(buildReport([finding], {}));
    const rows = table(markdown, '### Findings');
    expect(rows[2]).toHaveLength(5);
    expect(markdown).not.toContain('<script>');
  });

  it('shows how many findings a baseline suppressed', () => {
    const report = { ...emptyReport(), baseline: { file: 'receipts-doctor.baseline.json', suppressed: 4 } };
    expect(formatMarkdown(report)).toMatch(/4 known finding\(s\) suppressed/);
  });
});
