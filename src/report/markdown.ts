import type { Finding, Report, Severity, StaticSection } from '../types.js';
import { coverageMatrix } from './coverage.js';
import { groupFindings, type FindingGroup } from './groups.js';
import type { FormatOptions } from './format.js';
import { escapeControlChars } from '../redact.js';
import { ruleHelpUri } from '../rules.js';
import { humanDuration } from '../wording.js';
import { countsText, stagesText, verdictWord } from './verdict.js';
import { markdownSuggestions } from './fixes.js';

/** Job statuses after which nothing is left behind (RQ and BullMQ spellings). */
const FINAL_STATUSES = new Set(['finished', 'completed', 'failed', 'stopped', 'canceled', 'cancelled']);

const SEVERITY_ICON: Record<Severity, string> = { error: '🔴 error', warning: '🟡 warning', info: '🔵 info' };

/** Text safe inside a Markdown table cell: no HTML, no cell breaks, no line breaks. */
export function escapeCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

/**
 * A finding's message or hint, safe as Markdown: the text between the tool's own backtick pairs stays a code span
 * (inert: no link or image can start inside one), and every character that could start a link, an image, emphasis,
 * HTML or an autolink outside them is backslash-escaped, so a queue name with backticks from code or from Redis
 * (`a`![x](https://…)`b`) renders as text, never as a live link or image. A lone backtick is escaped too.
 */
export function escapeMarkdownText(text: string): string {
  const parts = escapeControlChars(text).split('`');
  // An even count of parts means an odd count of backticks: the last one opens no span.
  const unpaired = parts.length % 2 === 0 ? parts.length - 1 : -1;
  return parts
    .map((part, index) => {
      if (index % 2 === 1 && index !== unpaired && part !== '') return `\`${escapeCell(part)}\``;
      const escaped = escapeCell(
        part
          .replace(/[\\[\]()!*_~]/g, (char) => `\\${char}`)
          .replace(/:\/\//g, '\\://')
          .replace(/\b(www)\./gi, '$1\\.'),
      );
      // A lone backtick (or an empty pair) is literal text, not the start of a span that swallows what follows.
      return index === 0 ? escaped : index % 2 === 1 && part === '' && index !== unpaired ? '\\`\\`' : index % 2 === 1 ? `\\\`${escaped}` : escaped;
    })
    .join('');
}

/** Inline code that survives backticks in the text (CommonMark: a longer fence, padded). */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

function coverage(section: StaticSection): string[] {
  const matrix = coverageMatrix(section);
  if (matrix.rows.length === 0) return [];
  const lines = [
    '### Queue coverage',
    '',
    row(['queue', 'enqueued', ...matrix.environments.map(escapeCell)]),
    row(['---', '---', ...matrix.environments.map(() => '---')]),
  ];
  for (const entry of matrix.rows) {
    lines.push(
      row([
        escapeCell(code(entry.queue)),
        entry.enqueued ? 'yes' : 'no',
        ...entry.cells.map((cell) =>
          cell.kind === 'served' ? `✅ ${escapeCell(cell.services.join(', '))}` : cell.kind === 'missing' ? '❌ no worker' : '–',
        ),
      ]),
    );
  }
  return lines;
}

function findingCell(finding: Finding): string {
  const parts = [escapeMarkdownText(finding.message)];
  if (finding.hint) parts.push(`→ ${escapeMarkdownText(finding.hint)}`);
  return parts.join('<br>');
}

/** A group's evidence inside its headline's cell: one line per finding with the same cause (see groups.ts). */
function evidenceLines(group: FindingGroup): string[] {
  if (group.evidence.length === 0) return [];
  const count = `${group.evidence.length} more finding${group.evidence.length === 1 ? '' : 's'}`;
  const about = group.queue !== undefined ? ` (queue ${escapeCell(code(group.queue))})` : '';
  return [
    `**+ ${count} with the same cause${about}:**`,
    ...group.evidence.map(
      (finding) =>
        `↳ ${finding.severity} · ${finding.stage} · [${escapeCell(finding.rule)}](${ruleHelpUri(finding.rule)}): ${escapeMarkdownText(finding.message)}${finding.hint ? ` → ${escapeMarkdownText(finding.hint)}` : ''}`,
    ),
  ];
}

/** One row per cause: findings with one cause share the row of their headline (json keeps them all). */
function findings(report: Report): string[] {
  if (report.findings.length === 0) return [];
  const lines = ['### Findings', '', row(['severity', 'stage', 'rule', 'finding', 'location']), row(['---', '---', '---', '---', '---'])];
  for (const group of groupFindings(report.findings)) {
    const finding = group.headline;
    const where = finding.location ? escapeCell(code(`${finding.location.file}:${finding.location.line}`)) : '';
    lines.push(
      row([
        SEVERITY_ICON[finding.severity],
        finding.stage,
        `[${escapeCell(finding.rule)}](${ruleHelpUri(finding.rule)})`,
        [findingCell(finding), ...evidenceLines(group)].join('<br>'),
        where,
      ]),
    );
  }
  return lines;
}

function stageFacts(report: Report): string[] {
  const facts: string[] = [];
  if (report.static) {
    facts.push(
      `- static: ${report.static.environments.length} environment(s) (${report.static.environments.map((env) => code(env.name)).join(', ') || 'none'}), ${report.static.producers.length} enqueue site(s), ${report.static.consumers.filter((consumer) => consumer.active).length} active worker service(s)`,
    );
  }
  if (report.live) {
    const alive = report.live.workers.filter((worker) => worker.alive).length;
    const waiting = report.live.queues.reduce((sum, queue) => sum + queue.waiting, 0);
    facts.push(`- live (${report.live.backend}): ${alive} live worker(s), ${report.live.queues.length} queue(s), ${waiting} waiting job(s)`);
  }
  if (report.smoke) {
    const status = report.smoke.finalStatus ? code(report.smoke.finalStatus) : 'no final status';
    const final = report.smoke.finalStatus !== undefined && FINAL_STATUSES.has(report.smoke.finalStatus);
    const left = report.smoke.jobId && !final ? ' (the job is still there: the smoke does not remove it)' : '';
    facts.push(`- smoke: job ${report.smoke.jobId ? code(report.smoke.jobId) : '(none)'} → ${status} in ${humanDuration(report.smoke.durationMs)}${left}`);
  }
  return facts;
}

/** A report for pull-request comments and step summaries: verdict, coverage matrix, findings table. */
export function formatMarkdown(report: Report, _options?: FormatOptions): string {
  const stages = stagesText(report);
  const verdict = `## receipts-doctor: ${report.ok ? '✅' : '❌'} ${verdictWord(report)}`;
  const summary = `**${countsText(report)}**${stages ? ` (${stages})` : ''}`;
  const blocks: string[][] = [[verdict, '', summary]];
  if (report.baseline) {
    blocks[0]!.push('', `${report.baseline.suppressed} known finding(s) suppressed by the baseline ${code(report.baseline.file)}.`);
  }
  if (report.notes?.length) blocks[0]!.push('', ...report.notes.map((note) => `> ${escapeCell(note)}`));
  const facts = stageFacts(report);
  if (facts.length) blocks.push(facts);
  if (report.static) blocks.push(coverage(report.static));
  blocks.push(findings(report));
  if (report.findings.length === 0) blocks.push(['No findings.']);
  blocks.push(markdownSuggestions(report, escapeCell));
  return `${blocks
    .filter((block) => block.length > 0)
    .map((block) => block.join('\n'))
    .join('\n\n')}\n`;
}
