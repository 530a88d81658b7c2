/**
 * Behaviour that surprises a newcomer unless a line of output says so: a --write-baseline run that passes because
 * of the baseline it just wrote, and live SARIF without a project dir (results without a location).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

describe('--write-baseline on a failing run', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'rd-baseline-note-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const NOTE = /--write-baseline accepted/;

  it('says that the run exits 0 because of the baseline it wrote, even with --quiet', async () => {
    const file = path.join(scratch, 'incident.json');
    for (const extra of [[], ['--quiet']]) {
      const result = await runCli(['static', fixture('incident'), '--write-baseline', file, ...extra]);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain(
        `receipts-doctor: --write-baseline accepted the 2 findings at or above --fail-on error of this run, so it exits 0; runs with --baseline ${file} fail only on new findings.`,
      );
    }
  });

  it('counts what --fail-on counts, and says nothing when the run would have passed anyway', async () => {
    const file = path.join(scratch, 'info.json');
    const info = await runCli(['static', fixture('incident'), '--write-baseline', file, '--fail-on', 'info']);
    expect(info.stderr).toContain('accepted the 4 findings at or above --fail-on info');
    const passing = await runCli(['static', fixture('prosaas'), '--write-baseline', path.join(scratch, 'prosaas.json')]);
    expect(passing.exitCode).toBe(0);
    expect(passing.stderr).toContain('Baseline with');
    expect(passing.stderr).not.toMatch(NOTE);
  });
});

describe('live --format sarif without a project dir', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const WARNING = 'receipts-doctor: warning: without a project dir, live findings have no file location, and code scanning rejects SARIF results without one; give the project dir (e.g. `live . --redis URL --format sarif`).';

  it('warns on stderr, and the SARIF on stdout stays whole', async () => {
    const result = await runCli(['live', '--redis', redis.url, '--queue', 'default', '--format', 'sarif']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(WARNING);
    expect(JSON.parse(result.stdout).runs[0].results.length).toBeGreaterThan(0);
  });

  it('an exit 2 stays one line: no warning before a Redis that cannot be reached', async () => {
    const result = await runCli(['live', '--redis', 'redis://127.0.0.1:1', '--connect-timeout', '500', '--format', 'sarif']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^receipts-doctor: Cannot connect to Redis/);
  });

  it('the same for check with --redis and no project, not with a project dir or another format', async () => {
    const check = await runCli(['check', '--redis', redis.url, '--format', 'sarif'], { cwd: fixture('bad', 'no-compose') });
    expect(check.stderr).toBe(WARNING);
    const withDir = await runCli(['live', fixture('incident'), '--redis', redis.url, '--format', 'sarif']);
    expect(withDir.exitCode).toBe(1);
    expect(withDir.stderr).toBe('');
    const json = await runCli(['live', '--redis', redis.url, '--format', 'json']);
    expect(json.stderr).toBe('');
  });
});
