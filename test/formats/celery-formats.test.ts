import { describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.js';
import { findAll, parseXml } from './xml.js';

// The Celery static cases in every format: the Django project whose prod overlay drops the `celery` queue
// (queue-without-worker at the `.delay()` call) and whose settings use a name Celery ignores under the `CELERY`
// namespace (celery-setting-ignored at the settings line). Live Celery in every format: test/live/celery.test.ts.
const project = fixture('scenarios', 'celery-django');
const run = (format: string) => runCli(['static', project, '--format', format]);
const word = (id: string) => new RegExp(`(?<![\\w-])${id}(?![\\w-])`);

describe('Celery findings in every format', () => {
  it('sarif: both rules, each at its file and line', async () => {
    const result = await run('sarif');
    expect(result.exitCode).toBe(1);
    const results = JSON.parse(result.stdout).runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
    const where = results.map(({ ruleId, level, locations: [first] }) => `${ruleId} ${level} ${first!.physicalLocation.artifactLocation.uri}:${first!.physicalLocation.region.startLine}`);
    expect(where.sort()).toEqual(['celery-setting-ignored warning shop/settings.py:8', 'queue-without-worker error orders/views.py:7']);
  });

  it('github: an error annotation at the call and at the compose line, a warning at the ignored setting', async () => {
    const result = await run('github');
    expect(result.exitCode).toBe(1);
    const annotations = result.stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations.map((line) => /^::(\w+) file=([^,]+),line=(\d+)/.exec(line)!.slice(1).join(' '))).toEqual([
      'error orders/views.py 7',
      'error docker-compose.prod.yml 3',
      'warning shop/settings.py 8',
    ]);
    expect(annotations[2]).toContain('CELERY_TASK_DEFAULT_QUEUE');
  });

  it('junit: the error is a failure, the warning a passing case that carries its text', async () => {
    const result = await run('junit');
    expect(result.exitCode).toBe(1);
    const root = parseXml(result.stdout);
    const failures = findAll(root, 'failure');
    expect(failures).toHaveLength(1);
    const cases = findAll(root, 'testcase').map((testcase) => testcase.attributes.name ?? '');
    expect(cases.some((name) => word('celery-setting-ignored').test(name))).toBe(true);
    expect(result.stdout).toContain('CELERY_TASK_DEFAULT_QUEUE');
  });

  it.each(['markdown', 'table'])('%s: both rule ids and the setting Celery reads', async (format) => {
    const result = await run(format);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(word('queue-without-worker'));
    expect(result.stdout).toMatch(word('celery-setting-ignored'));
    expect(result.stdout).toContain('CELERY_TASK_DEFAULT_QUEUE');
  });

  it('openmetrics: one finding of each rule', async () => {
    const result = await run('openmetrics');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('receipts_doctor_findings{rule="celery-setting-ignored",severity="warning"} 1\n');
    expect(result.stdout).toContain('receipts_doctor_findings{rule="queue-without-worker",severity="error"} 1\n');
  });
});
