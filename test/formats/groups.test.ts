import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { groupFindings } from '../../src/report/groups.js';
import { formatJson } from '../../src/report/json.js';
import { formatTable } from '../../src/report/table.js';
import type { Finding } from '../../src/types.js';

/** The incident, as `check` reports it: one missing queue, five errors across the stages. */
const staticDefault: Finding = {
  rule: 'queue-without-worker',
  severity: 'error',
  stage: 'static',
  message: 'Queue `default` is enqueued to but no worker in `default` consumes it.',
  hint: 'Add `default` to RQ_QUEUES of service `worker` in docker-compose.yml:26.',
  queue: 'default',
  environment: 'default',
  location: { file: 'server/routes_receipts.py', line: 51, column: 13 },
  related: [{ message: 'Service `worker` in `default` listens to `high`, `low`.', file: 'docker-compose.yml', line: 26 }],
};
const staticProd: Finding = {
  ...staticDefault,
  message: 'Queue `default` is enqueued to but no worker in `prod` consumes it.',
  hint: 'Add `default` to RQ_QUEUES of service `worker` in docker-compose.prod.yml:11.',
  environment: 'prod',
  related: [{ message: 'Service `worker` in `prod` listens to `high`, `low`.', file: 'docker-compose.prod.yml', line: 11 }],
};
const asRelated = (finding: Finding) => ({
  message: `${finding.stage}: ${finding.message}`,
  ...(finding.location ? { file: finding.location.file, line: finding.location.line } : {}),
});
const live: Finding = {
  rule: 'live-queue-without-worker',
  severity: 'error',
  stage: 'live',
  message: 'Queue `default` is expected to be consumed but no live worker listens to it.',
  hint: 'Start a worker that listens to `default`.',
  queue: 'default',
  related: [{ message: 'Live worker `w1` listens to `high`, `low`.' }, asRelated(staticDefault), asRelated(staticProd)],
};
const smoke: Finding = {
  rule: 'smoke-http-status',
  severity: 'error',
  stage: 'smoke',
  message: 'POST /api/receipts/sync answered 503: Receipt sync worker is not online.',
  hint: 'Start a worker that listens to the sync job\'s queue.',
  related: [{ message: 'Diagnostics: 1 worker listening to high, low' }, asRelated(staticDefault), asRelated(staticProd), asRelated(live)],
};
const otherQueue: Finding = { ...live, message: 'Queue `high` is expected to be consumed but no live worker listens to it.', queue: 'high', related: [] };
const unused: Finding = {
  rule: 'worker-queue-unused',
  severity: 'info',
  stage: 'static',
  message: 'Service `worker` in `default` listens to `low`, which nothing enqueues to.',
  queue: 'low',
};
const stuck: Finding = { rule: 'stuck-jobs', severity: 'warning', stage: 'live', message: 'The oldest waiting job in `default` is 9m old.', queue: 'default' };
const unrelatedSmoke: Finding = { ...smoke, rule: 'smoke-timeout', message: 'The sync job `1` did not reach a final state.', related: [] };

describe('grouping findings that share a cause (table and markdown)', () => {
  it('errors about one queue, across environments and stages, are one group; the smoke joins through its related causes', () => {
    const report = buildReport([smoke, live, staticProd, staticDefault, unused], {});
    const groups = groupFindings(report.findings);
    expect(groups).toHaveLength(2);
    expect(groups[0]!.headline).toBe(staticDefault);
    expect(groups[0]!.evidence).toEqual([staticProd, live, smoke]);
    expect(groups[0]!.queue).toBe('default');
    expect(groups[1]).toEqual({ headline: unused, evidence: [] });
  });

  it('another queue is another cause; warnings and info are never grouped; a smoke failure that quotes no cause stands alone', () => {
    const report = buildReport([staticDefault, live, otherQueue, stuck, unused, unrelatedSmoke], {});
    const groups = groupFindings(report.findings);
    expect(groups.map((group) => [group.headline.rule, group.headline.queue ?? null, group.evidence.length])).toEqual([
      ['queue-without-worker', 'default', 1],
      ['live-queue-without-worker', 'high', 0],
      ['smoke-timeout', null, 0],
      ['stuck-jobs', 'default', 0],
      ['worker-queue-unused', 'low', 0],
    ]);
  });

  it('the table shows one headline with the others as evidence, drops the related lines that only quote the group, and keeps the counts', () => {
    const report = buildReport([staticDefault, staticProd, live, smoke, unused], { }, 'error');
    const text = formatTable(report, { color: false });
    const findingsBlock = text.slice(text.indexOf('Findings\n'));
    // One top-level error line (evidence is indented).
    expect(findingsBlock.split('\n').filter((line) => line.startsWith('error '))).toHaveLength(1);
    expect(findingsBlock).toContain('  + 3 more findings with the same cause (queue `default`):\n    error [static] Queue `default` is enqueued to but no worker in `prod` consumes it.');
    expect(findingsBlock).toContain('    error [live] ');
    expect(findingsBlock).toContain('    error [smoke] ');
    // Facts from outside the group stay; quotes of group members go.
    expect(findingsBlock).toContain('· Diagnostics: 1 worker listening to high, low');
    expect(findingsBlock).toContain('· Live worker `w1` listens to `high`, `low`.');
    expect(findingsBlock).not.toContain('· static: ');
    expect(findingsBlock).not.toContain('· live: ');
    expect(text.trim().split('\n').at(-1)).toBe('FAIL 4 errors, 0 warnings, 1 info (static + live + smoke)');
  });

  it('json keeps every finding, with its related entries', () => {
    const report = buildReport([staticDefault, staticProd, live, smoke], {});
    const json = JSON.parse(formatJson(report, { color: false }));
    expect(json.findings).toHaveLength(4);
    expect(json.summary).toEqual({ error: 4, warning: 0, info: 0 });
    expect(json.findings.find((finding: Finding) => finding.rule === 'smoke-http-status').related).toHaveLength(4);
  });
});
