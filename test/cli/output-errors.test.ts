/**
 * Standard output that fails under the CLI: a reader that leaves early (`receipts-doctor static | head`) and a device
 * that refuses the report (`> /dev/full`). Before, both ended in Node's unhandled 'error' stack trace.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, fixture } from '../helpers/cli.js';

/** Runs the CLI with the given stdout; resolves with its exit code and everything it wrote to stderr. */
function run(args: string[], stdout: 'pipe' | number, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<{ exitCode: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', BIN, ...args], { stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stderr }));
    onStart?.(child);
  });
}

describe('a reader that leaves before the report is written', () => {
  it.each([
    ['incident', 1],
    ['prosaas', 0],
  ])('static %s: no stack trace, and the exit code is still the verdict (%i)', async (name, verdict) => {
    // The read end is closed before the CLI (≈ 200 ms to start) writes anything: its first write meets EPIPE.
    const result = await run(['static', fixture(name), '--format', 'json'], 'pipe', (child) => child.stdout!.destroy());
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(verdict);
  });
});

describe('a device that refuses the report', () => {
  it('one line and exit 2: a report that was not delivered is not a verdict', async () => {
    // /dev/full: every write fails with ENOSPC (Linux). Missing, the open throws and the test fails.
    const full = openSync('/dev/full', 'w');
    try {
      for (const name of ['incident', 'prosaas']) {
        const result = await run(['static', fixture(name), '--format', 'json'], full);
        expect(result.stderr).toBe('receipts-doctor: cannot write to standard output (ENOSPC)\n');
        expect(result.exitCode).toBe(2);
      }
    } finally {
      closeSync(full);
    }
  });
});
