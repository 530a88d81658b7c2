import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { BIN, fixture, runCli, runJson } from './helpers/cli.js';

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

  it.each([
    [['check', '--bogus'], "receipts-doctor: unknown option '--bogus' (run with --help for usage)"],
    [['--bogus'], "receipts-doctor: unknown option '--bogus' (run with --help for usage)"],
    [['check', '--envronment', 'prod'], "receipts-doctor: unknown option '--envronment' (Did you mean --environment?) (run with --help for usage)"],
    [['static', 'a', 'b'], "receipts-doctor: too many arguments for 'static'. Expected 1 argument but got 2. (run with --help for usage)"],
    [['nosuch'], "receipts-doctor: unknown command 'nosuch' (run with --help for usage)"],
  ])('a usage error (%j) is one line in the usual style, exit 2', async (args, line) => {
    const result = await runCli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(line); // execa strips the final newline: exactly one line
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
    // The verdict still names the stage that ran.
    expect(result.stdout.trim().split('\n').at(-1)).toBe('FAIL 2 errors, 0 warnings, 2 info (static)');
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

  it('an unknown --environment exits 2 with one line also when no live stage runs', async () => {
    for (const command of ['check', 'live']) {
      const args = command === 'check' ? [command, fixture('prosaas'), '--environment', 'staging'] : [command, fixture('prosaas'), '--environment', 'staging', '--redis', 'redis://127.0.0.1:1'];
      const result = await runCli(args);
      expect(result.exitCode, command).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('receipts-doctor: --environment staging: no such environment (have: default, prod).');
    }
    // A known one is accepted (it only matters with a live stage).
    expect((await runCli(['check', fixture('prosaas'), '--environment', 'prod'])).exitCode).toBe(0);
  });

  it('--environment without a project dir means nothing: exit 2 with one line saying so', async () => {
    for (const args of [
      ['live', '--redis', 'redis://127.0.0.1:1', '--environment', 'prod'],
      ['check', '--redis', 'redis://127.0.0.1:1', '--environment', 'prod'],
    ]) {
      const result = await runCli(args, { cwd: fixture('bad', 'no-compose') });
      expect(result.exitCode, args.join(' ')).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^receipts-doctor: --environment prod needs a project dir/);
      expect(result.stderr).not.toContain('connect');
    }
  });
});

describe('what a static run loads', () => {
  it('static --format json on the incident loads no node:crypto (only fix --write and --output hash files), and still finds the drift', async () => {
    // Printed at exit by the process itself: the built-in modules it loaded. Preloaded as CommonJS (`-r`), like the
    // bin: an ES module probe (`--import`) would start Node's ES module loader, which loads what it needs itself.
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-probe-'));
    const probe = path.join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('\\nLOADED ' + process.moduleLoadList.join(',') + '\\n'));\n");
    const result = await execa(process.execPath, ['-r', probe, '--', BIN, 'static', fixture('incident'), '--format', 'json'], {
      reject: false,
      env: { NO_COLOR: '1' },
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(result.exitCode).toBe(1);
    expect((JSON.parse(String(result.stdout)) as { findings: { rule: string }[] }).findings.map((finding) => finding.rule)).toContain('queue-without-worker');
    const loaded = /LOADED (.*)/.exec(String(result.stderr))?.[1]?.split(',') ?? [];
    expect(loaded).toContain('NativeModule fs');
    // Neither the public module nor its internals and binding (`Internal Binding crypto`, `internal/crypto/…`).
    expect(loaded.filter((name) => name.includes('crypto'))).toEqual([]);
  });
});
