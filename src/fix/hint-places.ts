import type { DeploymentEnvironment } from '../model.js';
import type { Finding, StaticSection } from '../types.js';
import { planFixes } from './plan.js';
import type { EditContext } from './types.js';

/**
 * Makes a `queue-without-worker` finding's hint name the place `fix` changes, or say why `fix` leaves it: the analysis
 * names the worker's queue list where the deployment model says it is written (the compose `environment` entry),
 * while the value may be decided elsewhere (the `.env` line a `${QUEUES}` interpolates), or the place may be shared
 * with workers that do not need the queue (a kustomize base). Runs the fix planner over the same findings, read-only.
 */
export function alignHintsWithFix(findings: Finding[], section: StaticSection, deployment: DeploymentEnvironment[], context: EditContext): Finding[] {
  const targets = findings.filter((finding) => finding.rule === 'queue-without-worker');
  if (targets.length === 0) return findings;
  const plan = planFixes({ findings: targets, section, deployment, context });
  const hints = new Map<Finding, string>();
  for (const fix of plan.fixes) {
    const file = fix.edits[0]?.file;
    if (!fix.where || !file) continue;
    for (const finding of fix.findings) {
      // The hint already names the file fix edits: it is the same place, in the analysis's words.
      if (!finding.hint?.includes(file)) hints.set(finding, `Add \`${finding.queue}\` to ${fix.where}.`);
    }
  }
  for (const skipped of plan.skipped) {
    if (skipped.shared) hints.set(skipped.finding, `Decide ${skipped.decide}: ${skipped.reason}.`);
  }
  if (hints.size === 0) return findings;
  return findings.map((finding) => {
    const hint = hints.get(finding);
    if (hint === undefined) return finding;
    const related = finding.related?.map((entry) => (entry.change !== undefined ? { ...entry, change: hint } : entry));
    return { ...finding, hint, ...(related ? { related } : {}) };
  });
}
