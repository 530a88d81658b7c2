import type { Finding, Report, Severity } from '../types.js';
import type { FormatOptions } from './format.js';
import { verdictLine } from './verdict.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

/** Workflow-command data: `%`, CR and LF must be encoded or the runner cuts the message. */
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** Property values additionally encode `:` and `,`, which delimit properties. */
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * The second annotation of a finding whose fix is a config line elsewhere (`queue-without-worker`: the worker's
 * queue list in docker-compose.prod.yml), so a pull request that edits only that file sees it on its diff.
 */
function changeAnnotations(finding: Finding): string[] {
  return (finding.related ?? [])
    .filter((related) => related.change !== undefined && related.file)
    .map((related) => {
      const properties = [`file=${escapeProperty(related.file!)}`];
      if (related.line !== undefined && related.line >= 1) properties.push(`line=${related.line}`);
      properties.push(`title=${escapeProperty(`receipts-doctor ${finding.rule}: the line to change`)}`);
      const text = [related.change!, finding.message, ...(finding.location ? [`Enqueued at ${finding.location.file}:${finding.location.line}.`] : [])];
      return `::${COMMAND[finding.severity]} ${properties.join(',')}::${escapeData(text.join('\n'))}`;
    });
}

function annotation(finding: Finding): string {
  const properties: string[] = [];
  if (finding.location) {
    properties.push(`file=${escapeProperty(finding.location.file)}`);
    if (finding.location.line >= 1) properties.push(`line=${finding.location.line}`);
    if (finding.location.column !== undefined && finding.location.column >= 1) properties.push(`col=${finding.location.column}`);
  }
  properties.push(`title=${escapeProperty(`receipts-doctor ${finding.rule}`)}`);
  const lines = [finding.message];
  if (finding.hint) lines.push(finding.hint);
  for (const related of finding.related ?? []) {
    lines.push(`- ${related.message}${related.file ? ` (${related.file}${related.line ? `:${related.line}` : ''})` : ''}`);
  }
  return `::${COMMAND[finding.severity]} ${properties.join(',')}::${escapeData(lines.join('\n'))}`;
}

/**
 * GitHub Actions workflow commands: one annotation per finding (error/warning/notice), plus one on the config line
 * to change when the finding names it, then the verdict as a plain log line. The step summary is appended by the
 * CLI, not here (formatters stay pure).
 */
export function formatGithub(report: Report, _options?: FormatOptions): string {
  const lines = report.findings.flatMap((finding) => [annotation(finding), ...changeAnnotations(finding)]);
  const notes = (report.notes ?? []).map((note) => `receipts-doctor: ${escapeData(note)}`);
  return `${[...lines, ...notes, `receipts-doctor: ${verdictLine(report)}`].join('\n')}\n`;
}
