import type { Finding, FindingFix, Report } from '../types.js';

/**
 * The edits `receipts-doctor fix` plans, as report formatters show them: SARIF `fixes` (artifactChanges with
 * replacements) and Markdown suggestion blocks. Present only when the findings carry a `fix` (the `fix` command's
 * reports).
 */

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const clean = (text: string): string => text.replace(CONTROL, '\uFFFD');

/** A 1-based UTF-16 column of `line` as a 1-based code point column (the SARIF run's `columnKind`). */
const codePointColumn = (line: string, column: number): number => [...line.slice(0, column - 1)].length + 1;

const fileUri = (file: string) => file.split('/').map(encodeURIComponent).join('/');

/** SARIF `fixes` of one finding. */
export function sarifFixes(fix: FindingFix) {
  const byFile = new Map<string, FindingFix['replacements']>();
  for (const replacement of fix.replacements) byFile.set(replacement.file, [...(byFile.get(replacement.file) ?? []), replacement]);
  return [
    {
      description: { text: fix.description },
      artifactChanges: [...byFile].map(([file, replacements]) => ({
        artifactLocation: { uri: fileUri(file), uriBaseId: '%SRCROOT%' },
        replacements: replacements.map((replacement) => ({
          deletedRegion: {
            startLine: replacement.startLine,
            startColumn: codePointColumn(replacement.linesBefore[0] ?? '', replacement.startColumn),
            endLine: replacement.endLine,
            endColumn: codePointColumn(replacement.linesBefore[replacement.endLine - replacement.startLine] ?? '', replacement.endColumn),
          },
          insertedContent: { text: replacement.insertedText },
        })),
      })),
    },
  ];
}

/** A fenced block whose fence is longer than any backtick run in its text. */
function fenced(info: string, lines: string[]): string[] {
  const longest = Math.max(2, ...lines.flatMap((line) => [...line.matchAll(/`+/g)].map((match) => match[0].length)));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${info}`, ...lines, fence];
}

/** Markdown: one suggestion block per planned change (the changed lines as they read after it), for a reviewer to apply. */
export function markdownSuggestions(report: Report, escape: (text: string) => string): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const finding of report.findings as Finding[]) {
    if (!finding.fix || seen.has(finding.fix.description)) continue;
    seen.add(finding.fix.description);
    lines.push(`**${escape(clean(finding.fix.description))}**`, '');
    for (const replacement of finding.fix.replacements) {
      const last = replacement.startLine + replacement.linesBefore.length - 1;
      const range = last > replacement.startLine ? `lines ${replacement.startLine}–${last}` : `line ${replacement.startLine}`;
      lines.push(`${escape(clean(replacement.file))} ${range}:`, '', ...fenced('suggestion', replacement.linesAfter.map(clean)), '');
    }
  }
  return lines.length ? ['### Suggested fixes', '', ...lines.slice(0, -1)] : [];
}
