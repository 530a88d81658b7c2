import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Finding, RelatedInfo, Report, StaticSection } from '../types.js';
import { groupFindings, relatedOutsideGroup } from './groups.js';
import type { FormatOptions } from './format.js';
import { coverageMatrix } from './coverage.js';
import { palette, severityLabel, TABLE_STYLE } from './style.js';
import { renderLive } from './table-live.js';
import { renderSmoke } from './table-smoke.js';
import { stagesText, verdictWord } from './verdict.js';

/** Queue × environment coverage: which services consume each enqueued queue in each environment. */
function renderCoverage(section: StaticSection, c: ChalkInstance): string[] {
  const matrix = coverageMatrix(section);
  if (matrix.rows.length === 0) return [];
  const table = new Table({ head: ['queue', 'enqueued', ...matrix.environments], style: TABLE_STYLE });
  for (const row of matrix.rows) {
    table.push([
      row.queue,
      row.enqueued ? 'yes' : c.dim('no'),
      ...row.cells.map((cell) =>
        cell.kind === 'served' ? c.green(`✓ ${cell.services.join(', ')}`) : cell.kind === 'missing' ? c.red.bold('✗ no worker') : c.dim('–'),
      ),
    ]);
  }
  return [c.bold('Queue coverage'), table.toString()];
}

/** Files the static stage could not read: the count when there are any, each file and reason with --verbose. */
function renderUnreadable(section: StaticSection, c: ChalkInstance, verbose: boolean): string[] {
  const unreadable = section.unreadable;
  if (!unreadable || unreadable.count === 0) return [];
  // File names come from the scanned project: no control characters reach the terminal.
  const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  const lines = [
    c.yellow(`${unreadable.count} file${unreadable.count === 1 ? '' : 's'} could not be read and ${unreadable.count === 1 ? 'was' : 'were'} skipped${verbose ? ':' : ' (--verbose lists them)'}`),
  ];
  if (verbose) for (const { file, reason } of unreadable.files) lines.push(`  ${c.dim('·')} ${clean(file)}: ${clean(reason)}`);
  return lines;
}

function formatLocation(finding: Finding): string {
  if (!finding.location) return '';
  const { file, line, column } = finding.location;
  return `${file}:${line}${column !== undefined ? `:${column}` : ''}`;
}

const MAX_RELATED = 6;

/** One finding: its line, where, the hint, the related facts (cut unless --verbose); `pad` indents evidence. */
function renderFinding(finding: Finding, related: readonly RelatedInfo[], c: ChalkInstance, verbose: boolean, pad = '', showWhere = true): string[] {
  const lines: string[] = [];
  const where = formatLocation(finding);
  lines.push(`${pad}${severityLabel(c, finding.severity)} ${c.dim(`[${finding.stage}]`)} ${finding.message} ${c.dim(finding.rule)}`);
  if (where && showWhere) lines.push(`${pad}  ${c.dim('at')} ${where}`);
  if (finding.hint) lines.push(`${pad}  ${c.cyan('→')} ${finding.hint}`);
  // Related facts tell the story across stages; a long list is cut unless --verbose.
  const shown = verbose ? related : related.slice(0, MAX_RELATED);
  for (const item of shown) {
    const at = item.file ? ` (${item.file}${item.line ? `:${item.line}` : ''})` : '';
    lines.push(`${pad}  ${c.dim('·')} ${item.message}${c.dim(at)}`);
  }
  if (shown.length < related.length) lines.push(`${pad}  ${c.dim(`· … ${related.length - shown.length} more (--verbose)`)}`);
  return lines;
}

/**
 * Findings, those with one cause under one headline (see groups.ts): the headline in full, then its evidence
 * indented, without the related lines that only quote another member of the group.
 */
function renderFindings(findings: readonly Finding[], c: ChalkInstance, verbose: boolean): string[] {
  if (findings.length === 0) return [];
  const lines = [c.bold('Findings')];
  for (const group of groupFindings(findings)) {
    const { headline, evidence } = group;
    lines.push(...renderFinding(headline, relatedOutsideGroup(headline, group), c, verbose));
    if (evidence.length === 0) continue;
    const count = `${evidence.length} more finding${evidence.length === 1 ? '' : 's'}`;
    lines.push(`  ${c.bold(`+ ${count} with the same cause`)}${group.queue !== undefined ? c.dim(` (queue \`${group.queue}\`)`) : ''}:`);
    const headlineWhere = formatLocation(headline);
    for (const finding of evidence) {
      lines.push(...renderFinding(finding, relatedOutsideGroup(finding, group), c, verbose, '    ', formatLocation(finding) !== headlineWhere));
    }
  }
  return lines;
}

function renderVerdict(report: Report, c: ChalkInstance): string {
  const { error, warning, info } = report.summary;
  const counts = `${error} error${error === 1 ? '' : 's'}, ${warning} warning${warning === 1 ? '' : 's'}, ${info} info`;
  const stages = stagesText(report);
  const word = verdictWord(report);
  return `${word === 'OK' ? c.green.bold(word) : c.red.bold(word)} ${counts}${stages ? c.dim(` (${stages})`) : ''}`;
}

/** The default, human format: coverage matrix, live and smoke views, findings, verdict. */
export function formatTable(report: Report, options: FormatOptions): string {
  const c = palette(options.color);
  const blocks: string[][] = [];
  if (!options.quiet) {
    if (report.static) blocks.push(renderCoverage(report.static, c), renderUnreadable(report.static, c, options.verbose ?? false));
    if (report.live) blocks.push(renderLive(report.live, c));
    if (report.smoke) blocks.push(renderSmoke(report.smoke, c));
  }
  blocks.push(renderFindings(report.findings, c, options.verbose ?? false));
  const verdict = [...(report.notes ?? []).map((note) => c.dim(note)), renderVerdict(report, c)];
  if (report.baseline) {
    const { suppressed, file } = report.baseline;
    verdict.push(c.dim(`${suppressed} known finding${suppressed === 1 ? '' : 's'} suppressed by baseline ${file}`));
  }
  blocks.push(verdict);
  return `${blocks
    .filter((block) => block.length > 0)
    .map((block) => block.join('\n'))
    .join('\n\n')}\n`;
}
