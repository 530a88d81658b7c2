import { describe, expect, it } from 'vitest';
import { fixture, runCli, runJson } from './helpers/cli.js';

describe('CLI basics', () => {
  it('prints help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('check');
    expect(result.stdout).toContain('static');
  });

  it('exits 2 with one clear line for a project dir that does not exist', async () => {
    const result = await runCli(['static', '/definitely/not/here']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('does not exist');
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('exits 2 for an unknown flag and an unknown format', async () => {
    expect((await runCli(['check', '--bogus'])).exitCode).toBe(2);
    const unknownFormat = await runCli(['static', '.', '--format', 'yaml']);
    expect(unknownFormat.exitCode).toBe(2);
    expect(unknownFormat.stderr).toContain('valid formats');
  });

  it('exits 2 for a bad --fail-on', async () => {
    const result = await runCli(['static', '.', '--fail-on', 'fatal']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--fail-on');
  });

  it('check runs the static stage on the cwd when it holds a compose file', async () => {
    const result = await runJson(['check'], { cwd: fixture('incident') });
    expect(result.exitCode).toBe(1);
    expect(result.report?.static).toBeDefined();
    expect(result.report?.live).toBeUndefined();
    expect(result.report?.findings.map((finding) => finding.rule)).toContain('queue-without-worker');
  });

  it('check with nothing to check exits 2', async () => {
    const result = await runCli(['check'], { cwd: fixture('bad', 'no-compose') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Nothing to check');
  });

  it('--quiet keeps only the findings at or above --fail-on and the verdict', async () => {
    const result = await runCli(['static', fixture('incident'), '--quiet']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('queue-without-worker');
    expect(result.stdout).not.toContain('worker-queue-unused');
    expect(result.stdout).not.toContain('Queue coverage');
  });

  it('colours only when asked: NO_COLOR and pipes get none, FORCE_COLOR forces them', async () => {
    const plain = await runCli(['static', fixture('incident')]);
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await runCli(['static', fixture('incident')], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[');
    const noColorFlag = await runCli(['static', fixture('incident'), '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(noColorFlag.stdout).not.toContain('\u001b[');
  });

  it('an unknown --environment is an input error before any network stage runs', async () => {
    for (const command of ['check', 'live']) {
      const result = await runCli([command, fixture('prosaas'), '--redis', 'redis://127.0.0.1:1', '--environment', 'staging']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('--environment staging');
      expect(result.stderr).not.toContain('connect');
    }
  });
});
