import { RULES, ruleHelpUri } from '../rules.js';
import type { Finding, Report, Severity } from '../types.js';
import { findingFingerprint } from './fingerprint.js';
import type { FormatOptions } from './format.js';
import { sarifFixes } from './fixes.js';
import { reportStages } from './verdict.js';

/** The OASIS SARIF 2.1.0 (errata01) schema the output conforms to. */
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://github.com/receipts-doctor/receipts-doctor';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A relative file path as a URI reference: each segment percent-encoded, '/' kept. */
const fileUri = (file: string) => file.split('/').map(encodeURIComponent).join('/');

function physicalLocation(file: string, line: number | undefined, column?: number) {
  return {
    artifactLocation: { uri: fileUri(file), uriBaseId: '%SRCROOT%' },
    ...(line !== undefined && line >= 1
      ? { region: { startLine: line, ...(column !== undefined && column >= 1 ? { startColumn: column } : {}) } }
      : {}),
  };
}

/**
 * Where a finding without its own location is shown. GitHub code scanning rejects a whole SARIF file
 * when one result has no artifact location, so live/smoke findings are anchored, in order of relevance,
 * at the code that enqueues to their queue, at their environment's last compose file, or at the
 * project's base compose file. Without a static stage there is no file to anchor to.
 */
function anchor(finding: Finding, report: Report): { file: string; line: number; note: string } | undefined {
  const section = report.static;
  if (!section) return undefined;
  const producer = finding.queue !== undefined ? section.producers.find((site) => site.queue === finding.queue) : undefined;
  if (producer) return { file: producer.location.file, line: producer.location.line, note: `\`${finding.queue}\` is enqueued to here.` };
  const environment = section.environments.find((env) => env.name === finding.environment);
  const file = environment?.files.at(-1) ?? section.environments[0]?.files[0];
  if (!file) return undefined;
  return { file, line: 1, note: `Reported by the ${finding.stage} stage; shown at the compose file it concerns.` };
}

function primaryLocations(finding: Finding, report: Report) {
  if (finding.location) {
    return [{ physicalLocation: physicalLocation(finding.location.file, finding.location.line, finding.location.column) }];
  }
  const anchored = anchor(finding, report);
  if (!anchored) return undefined;
  return [{ physicalLocation: physicalLocation(anchored.file, anchored.line), message: { text: anchored.note } }];
}

function result(finding: Finding, ruleIndex: Map<string, number>, report: Report) {
  const related = (finding.related ?? []).filter((item) => item.file);
  const index = ruleIndex.get(finding.rule);
  const locations = primaryLocations(finding, report);
  return {
    ruleId: finding.rule,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: LEVEL[finding.severity],
    message: { text: finding.hint ? `${finding.message} ${finding.hint}` : finding.message },
    ...(locations ? { locations } : {}),
    ...(related.length
      ? {
          relatedLocations: related.map((item, id) => ({
            id,
            physicalLocation: physicalLocation(item.file!, item.line),
            // The config line to change says what to change there.
            message: { text: item.change ? `${item.message} ${item.change}` : item.message },
          })),
        }
      : {}),
    ...(finding.fix ? { fixes: sarifFixes(finding.fix) } : {}),
    // Lets code scanning track a finding across commits that move lines (same identity as baselines).
    partialFingerprints: { 'receiptsDoctorFinding/v1': findingFingerprint(finding) },
    properties: {
      stage: finding.stage,
      severity: finding.severity,
      ...(finding.queue !== undefined ? { queue: finding.queue } : {}),
      ...(finding.environment !== undefined ? { environment: finding.environment } : {}),
      ...(finding.service !== undefined ? { service: finding.service } : {}),
      ...(finding.worker !== undefined ? { worker: finding.worker } : {}),
      ...(finding.related?.some((item) => !item.file) ? { notes: finding.related.filter((item) => !item.file).map((item) => item.message) } : {}),
    },
  };
}

/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: every rule in the driver (with help and a
 * link to its doc page), one result per finding with a relative `uri` under %SRCROOT%.
 */
export function formatSarif(report: Report, _options?: FormatOptions): string {
  const known = new Set(RULES.map((rule) => rule.id));
  // A finding of a rule the registry does not know (a newer stage) still gets a descriptor.
  const extra = [...new Set(report.findings.map((finding) => finding.rule).filter((id) => !known.has(id)))];
  const rules = [
    ...RULES.map((rule) => ({
      id: rule.id,
      name: rule.id,
      shortDescription: { text: rule.description },
      fullDescription: { text: rule.description },
      help: { text: rule.help, markdown: `${rule.help}\n\n[Documentation](${ruleHelpUri(rule.id)})` },
      helpUri: ruleHelpUri(rule.id),
      defaultConfiguration: { level: LEVEL[rule.severity] },
      properties: { stage: rule.stage, tags: ['receipts-doctor', rule.stage] },
    })),
    ...extra.map((id) => ({ id, name: id, shortDescription: { text: id }, helpUri: ruleHelpUri(id) })),
  ];
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const sarif = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'receipts-doctor',
            version: report.version,
            semanticVersion: report.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        automationDetails: { id: 'receipts-doctor/' },
        columnKind: 'unicodeCodePoints',
        results: report.findings.map((finding) => result(finding, ruleIndex, report)),
        invocations: [{ executionSuccessful: true }],
        properties: {
          ok: report.ok,
          summary: report.summary,
          stages: reportStages(report),
          ...(report.baseline ? { baseline: report.baseline } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
