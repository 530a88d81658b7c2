import type { Finding, FindingFix, FixReplacement, StaticSection } from '../types.js';
import { InputError } from '../errors.js';
import { runStatic, type StaticOptions } from '../static.js';
import { applyEdits, unifiedDiff } from './diff.js';
import { FileTexts, overlayFileSystem, writeAtomically, type WriteOutcome } from './files.js';
import { planFixes } from './plan.js';
import { lineStarts, positionOf } from '../lines.js';
import { lineEnd } from './text.js';
import type { PlannedFix, Refusal, SkippedFinding, TextEdit, VariableOriginInfo } from './types.js';
import { byCodeUnits } from '../order.js';
import { isFixable } from '../rules.js';

export type { PlannedFix, SkippedFinding, TextEdit };

export interface FixOptions {
  static: StaticOptions;
  /** Apply the edits (default: a dry run). */
  write: boolean;
  /** Why a root-relative file may not be edited (on disk: outside the project, a symlink leaving it). */
  guard?: (file: string) => Refusal | undefined;
}

export interface FileChange {
  file: string;
  original: string;
  updated: string;
  diff: string;
}

export interface FixResult {
  fixes: PlannedFix[];
  skipped: SkippedFinding[];
  changes: FileChange[];
  /** The findings the re-check still reports although an edit targeted them (after writing, or in memory). */
  remaining: Finding[];
  /** Error findings the edits would bring that were not there before. */
  introduced: Finding[];
  /** With --write: what happened to each file. */
  written?: WriteOutcome[];
  /** The findings of the static stage before fixing, each with its `fix` when one is planned. */
  findings: Finding[];
  section: StaticSection;
}

/** The identity of a finding across runs (the edit moves no line that names it). */
const identity = (finding: Finding): string =>
  JSON.stringify([finding.rule, finding.queue ?? null, finding.environment ?? null, finding.service ?? null, finding.location?.file ?? null]);

function textsAfter(fixes: PlannedFix[], files: FileTexts): Map<string, string> {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of fixes.flatMap((fix) => fix.edits)) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  const texts = new Map<string, string>();
  for (const [file, edits] of byFile) texts.set(file, applyEdits(files.texts.get(file)!, edits));
  return texts;
}

/** A planned edit as SARIF-style replacements against the text it was computed on. */
function replacement(edit: TextEdit, original: string): FixReplacement {
  const starts = lineStarts(original);
  const start = positionOf(starts, edit.start);
  const end = positionOf(starts, edit.end);
  const from = starts[start.line - 1]!;
  const to = lineEnd(original, edit.end);
  const before = original.slice(from, to);
  const after = before.slice(0, edit.start - from) + edit.text + before.slice(edit.end - from);
  const lines = (text: string) => text.split(/\r?\n/);
  return {
    file: edit.file,
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
    deletedText: original.slice(edit.start, edit.end),
    insertedText: edit.text,
    linesBefore: lines(before),
    linesAfter: lines(after),
  };
}

/**
 * `fix`: the static stage, the plan (src/fix/plan.ts), a re-check of the plan in memory (an edit that does not
 * remove its finding is dropped), the diffs, and with `write` the atomic writes and a re-check on disk.
 */
export async function runFix(options: FixOptions): Promise<FixResult> {
  const before = await runStatic(options.static);
  const { interpolationOrigins } = await import('../sources/compose/index.js');
  const { fs, root } = options.static;
  const origins = interpolationOrigins({
    fs,
    root,
    ...(options.static.envFiles ? { envFiles: options.static.envFiles } : {}),
    ...(options.static.vars ? { vars: options.static.vars } : {}),
    ...(options.static.shellEnv ? { shellEnv: options.static.shellEnv } : {}),
  });
  const files = new FileTexts(fs, root, options.guard);
  const targets = before.findings.filter((finding) => isFixable(finding.rule));
  const plan = planFixes({
    findings: targets,
    section: before.section,
    deployment: before.deployment,
    context: { root, files, variableOrigin: (name) => origins.get(name) as VariableOriginInfo | undefined },
  });

  // Re-check in memory: keep only the edits that remove their findings.
  let fixes = plan.fixes;
  const skipped = [...plan.skipped];
  const checkInMemory = async (planned: PlannedFix[]) => {
    try {
      return planned.length ? await runStatic({ ...options.static, fs: overlayFileSystem(fs, root, textsAfter(planned, files)) }) : before;
    } catch (error) {
      // An edit that would leave a file the loader refuses is never written.
      if (!(error instanceof InputError)) throw error;
      for (const fix of planned) {
        for (const finding of fix.findings) skipped.push({ finding, reason: `the edits would leave an invalid file (${error.message})`, decide: 'make the change by hand' });
      }
      fixes = [];
      return before;
    }
  };
  let after = await checkInMemory(fixes);
  const stillThere = (finding: Finding) => after.findings.some((other) => identity(other) === identity(finding));
  const failed = fixes.filter((fix) => fix.findings.some(stillThere));
  if (failed.length) {
    for (const fix of failed) {
      for (const finding of fix.findings) {
        skipped.push({ finding, reason: `the planned edit (${fix.description}) did not remove the finding`, decide: 'make the change by hand' });
      }
    }
    fixes = fixes.filter((fix) => !failed.includes(fix));
    after = await checkInMemory(fixes);
  }
  const known = new Set(before.findings.map(identity));
  const introduced = after.findings.filter((finding) => finding.severity === 'error' && !known.has(identity(finding)));

  const updated = textsAfter(fixes, files);
  const changes: FileChange[] = [...updated].sort(([a], [b]) => byCodeUnits(a, b)).map(([file, text]) => {
    const original = files.texts.get(file)!;
    const edits = fixes.flatMap((fix) => fix.edits).filter((edit) => edit.file === file);
    return { file, original, updated: text, diff: unifiedDiff(file, original, edits) };
  });

  const fixOf = new Map<Finding, FindingFix>();
  for (const fix of fixes) {
    const value: FindingFix = { description: fix.description, replacements: fix.edits.map((edit) => replacement(edit, files.texts.get(edit.file)!)) };
    fix.replacements = value.replacements;
    for (const finding of fix.findings) fixOf.set(finding, value);
  }
  const findings = before.findings.map((finding) => (fixOf.has(finding) ? { ...finding, fix: fixOf.get(finding)! } : finding));
  const fixed = fixes.flatMap((fix) => fix.findings);

  if (!options.write) return { fixes, skipped, changes, remaining: fixed.filter(stillThere), introduced, findings, section: before.section };

  const written = changes.map((change) => writeAtomically(root, change.file, change.original, change.updated));
  const recheck = await runStatic(options.static);
  const remaining = fixed.filter((finding) => recheck.findings.some((other) => identity(other) === identity(finding)));
  const knownNow = new Set(before.findings.map(identity));
  return {
    fixes,
    skipped,
    changes,
    remaining,
    introduced: recheck.findings.filter((finding) => finding.severity === 'error' && !knownNow.has(identity(finding))),
    written,
    findings,
    section: before.section,
  };
}
