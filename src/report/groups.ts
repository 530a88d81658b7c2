import type { Finding, RelatedInfo } from '../types.js';

/**
 * Findings that share one cause, shown under one headline (the table and markdown formats only; json, sarif,
 * github and junit keep every finding, and the summary counts every finding).
 *
 * The grouping, precisely:
 * - error findings with the same `queue` are one cause, whatever their stage and environment: a queue nobody
 *   consumes shows up once per environment in the compose files (static), in Redis (live: no worker, drift) and
 *   in the smoke;
 * - an error finding without a queue (the smoke's) joins the group of the first finding its `related` entries
 *   quote (`<stage>: <message>`, as `check` links a smoke failure to its causes);
 * - the headline is the group's first finding in report order (static first: its hint names the line to change),
 *   the others are its evidence. Warnings and info are never grouped: they are not the 3 a.m. noise.
 */
export interface FindingGroup {
  headline: Finding;
  /** The other findings with the same cause, in report order; empty for a finding that stands alone. */
  evidence: Finding[];
  /** The queue the group is about. */
  queue?: string;
}

/** How `check` quotes another finding in `related` (see asRelated in src/check.ts). */
const quoted = (finding: Finding) => `${finding.stage}: ${finding.message}`;

export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups: FindingGroup[] = [];
  const byQueue = new Map<string, FindingGroup>();
  const groupOf = new Map<string, FindingGroup>();
  const pending: Finding[] = [];
  for (const finding of findings) {
    if (finding.severity !== 'error') {
      groups.push({ headline: finding, evidence: [] });
      continue;
    }
    if (finding.queue === undefined) {
      pending.push(finding);
      groups.push({ headline: finding, evidence: [] }); // a placeholder, replaced below when it joins a group
      continue;
    }
    const group = byQueue.get(finding.queue);
    if (group) group.evidence.push(finding);
    else {
      const created: FindingGroup = { headline: finding, evidence: [], queue: finding.queue };
      byQueue.set(finding.queue, created);
      groups.push(created);
    }
    if (!groupOf.has(quoted(finding))) groupOf.set(quoted(finding), byQueue.get(finding.queue)!);
  }
  const joined = new Set<Finding>();
  for (const finding of pending) {
    const target = (finding.related ?? []).map((entry) => groupOf.get(entry.message)).find((group) => group !== undefined);
    if (!target) continue;
    target.evidence.push(finding);
    joined.add(finding);
  }
  const order = new Map(findings.map((finding, index) => [finding, index]));
  const result = groups.filter((group) => !joined.has(group.headline));
  for (const group of result) group.evidence.sort((a, b) => order.get(a)! - order.get(b)!);
  return result;
}

/** A finding's related entries without the ones that quote another member of its group (shown right there). */
export function relatedOutsideGroup(finding: Finding, group: FindingGroup): RelatedInfo[] {
  const members = new Set([group.headline, ...group.evidence].filter((member) => member !== finding).map(quoted));
  return (finding.related ?? []).filter((entry) => !members.has(entry.message));
}
