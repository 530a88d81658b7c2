import { describe, expect, it } from 'vitest';
import { sarifValidator } from '../formats/sarif-schema.js';
import { fixture, runCli } from '../helpers/cli.js';

describe('fix in reports', () => {
  it('SARIF: each fixed finding carries its fix as artifactChanges with replacements, valid against the schema', async () => {
    const result = await runCli(['fix', fixture('incident'), '--format', 'sarif']);
    expect(result.exitCode).toBe(1);
    const sarif = JSON.parse(result.stdout);
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const fixes = sarif.runs[0].results.filter((entry: { ruleId: string }) => entry.ruleId === 'queue-without-worker').map((entry: { fixes: unknown }) => entry.fixes);
    expect(fixes).toEqual([
      [
        {
          description: { text: 'Add `default` to RQ_QUEUES in docker-compose.yml:26 (service `worker`, environment `default`).' },
          artifactChanges: [
            {
              artifactLocation: { uri: 'docker-compose.yml', uriBaseId: '%SRCROOT%' },
              replacements: [{ deletedRegion: { startLine: 26, startColumn: 26, endLine: 26, endColumn: 26 }, insertedContent: { text: ',default' } }],
            },
          ],
        },
      ],
      [
        {
          description: { text: 'Add `default` to RQ_QUEUES in docker-compose.prod.yml:11 (service `worker`, environment `prod`).' },
          artifactChanges: [
            {
              artifactLocation: { uri: 'docker-compose.prod.yml', uriBaseId: '%SRCROOT%' },
              replacements: [{ deletedRegion: { startLine: 11, startColumn: 26, endLine: 11, endColumn: 26 }, insertedContent: { text: ',default' } }],
            },
          ],
        },
      ],
    ]);
  });

  it('Markdown: a suggestion block with the changed line as it reads after the fix', async () => {
    const result = await runCli(['fix', fixture('scenarios/check-mismatch'), '--format', 'markdown']);
    expect(result.stdout).toContain(
      [
        '### Suggested fixes',
        '',
        '**Make `_has_worker_for_queue` at routes.py:14 ask about `receipts_sync`, the queue the code enqueues to, instead of `default`.**',
        '',
        'routes.py line 14:',
        '',
        '```suggestion',
        '    if not _has_worker_for_queue(redis_conn, queue_name="receipts_sync"):',
        '```',
      ].join('\n'),
    );
  });

  it('JSON: the planned edits, the findings left alone with the reason, the diffs', async () => {
    const result = await runCli(['fix', fixture('scenarios/profile-gated'), '--format', 'json']);
    expect(result.exitCode).toBe(1);
    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({ tool: 'receipts-doctor', mode: 'dry-run', ok: false, fixes: [], files: [] });
    expect(plan.skipped).toEqual([
      {
        rule: 'queue-without-worker',
        queue: 'default',
        environment: 'default',
        message: 'Queue `default` is enqueued to but no worker in environment `default` consumes it.',
        location: expect.objectContaining({ file: expect.any(String) }),
        reason: 'the worker service `worker` does not run in environment `default` (its profile `workers` is not active)',
        decide: 'whether `worker` should run in environment `default` (activate its profile, set replicas) or another worker should consume `default`',
      },
    ]);
  });
});
