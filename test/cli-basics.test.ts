import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

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
});
